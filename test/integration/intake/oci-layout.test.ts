import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { attestationFor, OCI, OciLayoutWriter, sha256, type BlobDescriptor } from '../../../tools/image-builder/oci-layout-writer.ts';
import { tarBytes, type TarInput } from '../../../tools/image-builder/tar-writer.ts';
import { packageList, scan } from '../../support/scan.ts';

const osRelease = (id = 'debian', version = '12'): TarInput => ({ type: 'file', path: 'usr/lib/os-release', content: `ID=${id}\nVERSION_ID="${version}"\n` });
const status = (...packages: Array<[string, string]>): TarInput => ({
  type: 'file',
  path: 'var/lib/dpkg/status',
  content: packages.map(([name, version]) => `Package: ${name}\nStatus: install ok installed\nArchitecture: amd64\nVersion: ${version}\n`).join('\n'),
});

function layout(build: (writer: OciLayoutWriter) => BlobDescriptor | void, tag = 'latest'): string {
  const dir = mkdtempSync(join(tmpdir(), 'customs-layout-'));
  const writer = new OciLayoutWriter(dir);
  const root = build(writer);
  if (root) writer.finish([{ descriptor: root, tag }]);
  return dir;
}

const baseImage = (writer: OciLayoutWriter, architecture = 'amd64', packages: Array<[string, string]> = [['base-files', '12.4']]) =>
  writer.image({ platform: { os: 'linux', architecture }, layers: [{ tar: tarBytes([osRelease(), status(...packages)]) }] });

describe('OCI layout intake', () => {
  it('scans every platform of an index separately, skipping attestations', async () => {
    const dir = layout((writer) => {
      const amd64 = baseImage(writer, 'amd64', [['libc6', '2.36-9']]);
      const arm64 = writer.image({ platform: { os: 'linux', architecture: 'arm64', variant: 'v8' }, layers: [{ tar: tarBytes([osRelease(), status(['libc6', '2.36-9'], ['arm-only', '1'])]), compression: 'zstd' }] });
      return writer.index([amd64, arm64, attestationFor(writer, amd64), attestationFor(writer, arm64)]);
    });
    const result = await scan(`oci:${dir}:latest`);
    expect(result.images.map((image) => [image.platform, image.indexDigest !== undefined])).toEqual([
      [{ os: 'linux', architecture: 'amd64' }, true],
      [{ os: 'linux', architecture: 'arm64' }, true],
    ]);
    expect(packageList(result)).toEqual([['libc6@2.36-9'], ['arm-only@1', 'libc6@2.36-9']]);
    expect(result.images[0]!.warnings.filter((warning) => warning.startsWith('skipped attestation'))).toHaveLength(2);
  });

  it('picks one platform with --platform, and names the available ones when it is missing', async () => {
    const dir = layout((writer) => writer.index([baseImage(writer, 'amd64'), baseImage(writer, 'arm64', [['only-arm', '1']]), attestationFor(writer, baseImage(writer))]));
    const arm = await scan(`oci:${dir}`, { platform: { os: 'linux', architecture: 'arm64' } });
    expect(packageList(arm)).toEqual([['only-arm@1']]);
    await expect(scan(`oci:${dir}`, { platform: { os: 'linux', architecture: 's390x' } })).rejects.toThrow(
      expect.objectContaining({ code: 'not-found', message: expect.stringContaining('has no linux/s390x image (available: linux/amd64, linux/arm64)') }),
    );
  });

  it('reads Docker v2 schema 2 manifests and manifest lists', async () => {
    const dir = layout((writer) => {
      const image = writer.image({ manifestMediaType: 'docker', layers: [{ tar: tarBytes([osRelease(), status(['bash', '5.2'])]) }] });
      return writer.index([image], OCI.dockerList);
    });
    expect(packageList(await scan(`oci:${dir}`))).toEqual([['bash@5.2']]);
  });

  it('applies whiteouts and opaque directories across gzip, zstd and uncompressed layers', async () => {
    const dir = layout((writer) =>
      writer.image({
        layers: [
          { tar: tarBytes([osRelease(), status(['a', '1']), { type: 'file', path: 'var/lib/dpkg/status.d/extra', content: 'Package: extra\nVersion: 1\n' }]), compression: 'gzip' },
          { tar: tarBytes([{ type: 'file', path: 'var/lib/dpkg/status.d/.wh..wh..opq', content: '' }]), compression: 'zstd' },
          { tar: tarBytes([status(['a', '1'], ['b', '2'])]), compression: 'none' },
          { tar: tarBytes([{ type: 'file', path: 'usr/lib/.wh.os-release', content: '' }]), compression: 'gzip' },
        ],
      }),
    );
    const [image] = (await scan(`oci:${dir}`)).images;
    expect(image!.packages.map((pkg) => [pkg.name, pkg.location.layerIndex])).toEqual([
      ['a', 0],
      ['b', 2],
    ]);
    expect(image!.distro).toBeUndefined();
    expect(image!.layers.map((layer) => layer.mediaType)).toEqual([OCI.layerGzip, OCI.layerZstd, OCI.layerTar, OCI.layerGzip]);
  });

  it('skips non-distributable layers with a note and reads the rest', async () => {
    const dir = layout((writer) =>
      writer.image({
        layers: [
          { tar: tarBytes([osRelease(), status(['a', '1'])]) },
          { tar: tarBytes([status(['a', '1'], ['foreign', '1'])]), mediaType: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip' },
        ],
      }),
    );
    const [image] = (await scan(`oci:${dir}`)).images;
    expect(image!.layers.map((layer) => layer.status)).toEqual(['read', 'skipped']);
    expect(image!.warnings.some((warning) => warning.includes('non-distributable layer'))).toBe(true);
    expect(image!.packages.map((pkg) => pkg.name)).toEqual(['a']);
  });

  it('reads each shared layer once across the platforms of an index', async () => {
    const shared = tarBytes([osRelease(), status(['shared', '1'])]);
    const dir = layout((writer) =>
      writer.index([
        writer.image({ platform: { os: 'linux', architecture: 'amd64' }, layers: [{ tar: shared }, { tar: tarBytes([{ type: 'file', path: 'a', content: 'amd' }]) }] }),
        writer.image({ platform: { os: 'linux', architecture: 'arm64' }, layers: [{ tar: shared }, { tar: tarBytes([{ type: 'file', path: 'a', content: 'arm' }]) }] }),
      ]),
    );
    const result = await scan(`oci:${dir}`);
    expect(result.images.map((image) => image.layers.map((layer) => layer.status))).toEqual([
      ['read', 'read'],
      ['cached', 'read'],
    ]);
  });

  describe('broken and hostile images', () => {
    it('names the tampered blob', async () => {
      let claimed = '';
      const dir = layout((writer) => {
        const manifest = baseImage(writer);
        // Overwrite the stored layer with other bytes of the same length under the same name.
        const stored = JSON.parse(readBlob(writer, manifest)) as { layers: BlobDescriptor[] };
        claimed = stored.layers[0]!.digest;
        writer.blob(Buffer.alloc(stored.layers[0]!.size, 7), OCI.layerGzip, claimed);
        return manifest;
      });
      await expect(scan(`oci:${dir}`)).rejects.toThrow(expect.objectContaining({ code: 'digest-mismatch', message: expect.stringContaining(`layer ${claimed} does not match its content`) }));
    });

    it('names the layer whose diffID is wrong', async () => {
      const dir = layout((writer) => writer.image({ layers: [{ tar: tarBytes([osRelease()]), diffId: sha256(Buffer.from('not this layer')) }] }));
      await expect(scan(`oci:${dir}`)).rejects.toThrow(/uncompresses to sha256:\w+, but the image config gives its diffID as sha256:\w+/);
    });

    it('refuses a layer whose entries climb out of the root', async () => {
      const dir = layout((writer) => writer.image({ layers: [{ tar: tarBytes([{ type: 'file', path: '../../../etc/cron.d/evil', content: 'x' }]) }] }));
      await expect(scan(`oci:${dir}`)).rejects.toThrow(expect.objectContaining({ code: 'unsafe', message: expect.stringMatching(/^layer sha256:\w+: tar entry "..\/..\/..\/etc\/cron.d\/evil" escapes the image root$/) }));
    });

    it('refuses a manifest larger than 4 MiB', async () => {
      const dir = layout((writer) => {
        const image = baseImage(writer);
        const padded = writer.json({ schemaVersion: 2, mediaType: OCI.manifest, ...JSON.parse(readBlob(writer, image)), annotations: { pad: 'x'.repeat(5 << 20) } }, OCI.manifest);
        return padded;
      });
      await expect(scan(`oci:${dir}`)).rejects.toThrow(expect.objectContaining({ code: 'limit', message: expect.stringMatching(/manifest sha256:\w+ is 5\.0 MiB, over the 4 MiB cap/) }));
    });

    it('refuses a manifest larger than 4 MiB even when its descriptor understates the size', async () => {
      const dir = layout((writer) => {
        const big = writer.json({ schemaVersion: 2, mediaType: OCI.manifest, layers: [], config: {}, pad: 'x'.repeat(5 << 20) }, OCI.manifest);
        return { ...big, size: 100 };
      });
      await expect(scan(`oci:${dir}`)).rejects.toThrow(/is larger than the 4 MiB cap/);
    });

    it('refuses indexes nested past the limit', async () => {
      const dir = layout((writer) => {
        let current = writer.index([baseImage(writer)]);
        for (let depth = 0; depth < 4; depth++) current = writer.index([current]);
        return current;
      });
      await expect(scan(`oci:${dir}`)).rejects.toThrow(expect.objectContaining({ code: 'limit', message: expect.stringMatching(/nests indexes deeper than 3 levels/) }));
      const shallow = layout((writer) => writer.index([writer.index([baseImage(writer)])]));
      expect(packageList(await scan(`oci:${shallow}`))).toEqual([['base-files@12.4']]);
    });

    it('refuses an index entry whose blob does not match its digest', async () => {
      let claimed = '';
      const dir = layout((writer) => {
        const good = baseImage(writer);
        const other = baseImage(writer, 'amd64', [['other', '1']]);
        claimed = good.digest;
        // The blob stored under the good manifest's digest is another manifest.
        writer.blob(Buffer.from(readBlob(writer, other)), OCI.manifest, good.digest);
        return writer.index([{ ...good, size: other.size }]);
      });
      await expect(scan(`oci:${dir}`)).rejects.toThrow(expect.objectContaining({ code: 'digest-mismatch', message: expect.stringContaining(`manifest ${claimed} does not match its content`) }));
    });

    it('refuses Docker schema 1 manifests with a clear reason', async () => {
      const dir = layout((writer) => writer.json({ schemaVersion: 1, name: 'old', tag: 'latest', fsLayers: [] }, 'application/vnd.docker.distribution.manifest.v1+prettyjws'));
      await expect(scan(`oci:${dir}`)).rejects.toThrow(expect.objectContaining({ code: 'unsupported', message: expect.stringContaining('Docker schema 1 manifest') }));
    });

    it('refuses unknown media types for manifests and layers', async () => {
      const unknownManifest = layout((writer) => writer.json({ schemaVersion: 2, mediaType: 'application/vnd.example.thing+json' }, 'application/vnd.example.thing+json'));
      await expect(scan(`oci:${unknownManifest}`)).rejects.toThrow(/has media type application\/vnd.example.thing\+json, which is not an image manifest or index/);
      const unknownLayer = layout((writer) => writer.image({ layers: [{ tar: tarBytes([]), mediaType: 'application/vnd.oci.image.layer.v1.tar+encrypted' }] }));
      await expect(scan(`oci:${unknownLayer}`)).rejects.toThrow(/has layer sha256:\w+ of unsupported media type application\/vnd.oci.image.layer.v1.tar\+encrypted/);
    });

    it('refuses an artifact that is not a container image', async () => {
      const dir = layout((writer) => {
        const config = writer.json({}, 'application/vnd.cncf.helm.config.v1+json');
        return writer.json({ schemaVersion: 2, mediaType: OCI.manifest, config, layers: [] }, OCI.manifest);
      });
      await expect(scan(`oci:${dir}`)).rejects.toThrow(/is not a container image: its config has media type application\/vnd.cncf.helm.config.v1\+json/);
    });

    it('reports a layout without the marker file or without the tag', async () => {
      const empty = mkdtempSync(join(tmpdir(), 'customs-empty-'));
      await expect(scan(`oci:${empty}`)).rejects.toThrow(/is not an OCI image layout \(no oci-layout file\)/);
      const dir = layout((writer) => baseImage(writer), 'v1');
      await expect(scan(`oci:${dir}:v2`)).rejects.toThrow(/has no image tagged "v2" \(tags: v1\)/);
    });

    it('names a malformed index.json', async () => {
      const dir = layout(() => undefined);
      writeFileSync(join(dir, 'index.json'), '{"schemaVersion": 2, "manifests": [{"digest": "sha256:nothex"}]}');
      await expect(scan(`oci:${dir}`)).rejects.toThrow(expect.objectContaining({ code: 'malformed', message: expect.stringMatching(/^index.json of .* is not a valid document at manifests.0/) }));
    });
  });
});

/** The JSON of a blob already written to the layout. */
function readBlob(writer: OciLayoutWriter, descriptor: BlobDescriptor): string {
  return readFileSync(join(writer.dir, 'blobs', 'sha256', descriptor.digest.slice('sha256:'.length)), 'utf8');
}
