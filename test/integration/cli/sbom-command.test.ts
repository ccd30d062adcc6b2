import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { attestationFor, OciLayoutWriter, type BlobDescriptor } from '../../../tools/image-builder/oci-layout-writer.ts';
import { directoryEntries } from '../../../tools/image-builder/directory-entries.ts';
import { tarBytes, type TarInput } from '../../../tools/image-builder/tar-writer.ts';
import { runCli } from '../../support/cli.ts';
import { cycloneDx16Validator, describeErrors, schemaValidator } from '../../support/cyclonedx-schema.ts';
import { sharedFixtures } from '../../support/paths.ts';
import { skopeoCopy } from '../../support/skopeo.ts';

const osRelease: TarInput = { type: 'file', path: 'usr/lib/os-release', content: 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n' };
const status = (...names: string[]): TarInput => ({
  type: 'file',
  path: 'var/lib/dpkg/status',
  content: names.map((name) => `Package: ${name}\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.0-1\n`).join('\n'),
});

function layout(build: (writer: OciLayoutWriter) => BlobDescriptor): string {
  const dir = mkdtempSync(join(tmpdir(), 'customs-cli-'));
  const writer = new OciLayoutWriter(dir);
  writer.finish([{ descriptor: build(writer), tag: 'latest' }]);
  return dir;
}

const multiPlatform = layout((writer) => {
  const amd64 = writer.image({ platform: { os: 'linux', architecture: 'amd64' }, layers: [{ tar: tarBytes([osRelease, status('bash', 'libc6')]) }] });
  const arm64 = writer.image({ platform: { os: 'linux', architecture: 'arm64' }, layers: [{ tar: tarBytes([osRelease, status('bash')]), compression: 'zstd' }] });
  return writer.index([amd64, arm64, attestationFor(writer, amd64)]);
});

describe('customs sbom', () => {
  it('writes JSON when stdout is not a terminal, and a table when it is', async () => {
    const json = await runCli(['sbom', `oci:${multiPlatform}`]);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as { schemaVersion: number; images: Array<{ platform: { architecture: string }; packages: unknown[] }> };
    expect(report.schemaVersion).toBe(1);
    expect(report.images.map((image) => [image.platform.architecture, image.packages.length])).toEqual([
      ['amd64', 2],
      ['arm64', 1],
    ]);
    expect(schemaValidator('lambdas', 'core', 'report', 'customs-sbom.schema.json')(report)).toBe(true);
    const table = await runCli(['sbom', `oci:${multiPlatform}`, '--quiet'], { tty: true, env: { NO_COLOR: '1' } });
    expect(table.stdout).toMatch(/Platform: linux\/amd64[\s\S]*Platform: linux\/arm64/);
    expect(table.stdout).toMatch(/^libc6\s+1\.0-1\s+amd64/m);
    expect(table.stdout).not.toContain('\u001b[');
    const coloured = await runCli(['sbom', `oci:${multiPlatform}`, '--quiet'], { tty: true, env: {} });
    expect(coloured.stdout).toContain('\u001b[1m');
  });

  it('writes schema-valid CycloneDX 1.6 to a file', async () => {
    const output = join(mkdtempSync(join(tmpdir(), 'customs-out-')), 'bom.json');
    const run = await runCli(['sbom', `oci:${multiPlatform}`, '--format', 'cyclonedx-json', '--output', output]);
    expect(run).toMatchObject({ code: 0, stdout: '' });
    const bom = JSON.parse(readFileSync(output, 'utf8')) as { specVersion: string };
    const validate = cycloneDx16Validator();
    expect(validate(bom), describeErrors(validate.errors).join('\n')).toBe(true);
    expect(bom.specVersion).toBe('1.6');
    expect(readFileSync(output, 'utf8')).toContain('pkg:deb/debian/libc6@1.0-1?arch=amd64&distro=debian-12');
  });

  it('scans one platform with --platform', async () => {
    const run = await runCli(['sbom', `oci:${multiPlatform}`, '--platform', 'linux/arm64', '--format', 'json']);
    expect((JSON.parse(run.stdout) as { images: unknown[] }).images).toHaveLength(1);
    expect(run.stdout).toContain('"architecture": "arm64"');
  });

  it('reads the distroless status.d fixture packed as an image', async () => {
    const dir = layout((writer) => writer.image({ layers: [{ tar: tarBytes(directoryEntries(sharedFixtures('os', 'distroless', 'static-debian11'))) }] }));
    const run = await runCli(['sbom', `oci:${dir}`, '--format', 'json']);
    const oracle = readFileSync(sharedFixtures('os', 'distroless', 'static-debian11', 'oracle.tsv'), 'utf8').trim().split('\n').map((line) => line.split('\t').slice(0, 2).join('@'));
    const image = (JSON.parse(run.stdout) as { images: Array<{ packages: Array<{ name: string; version: string }>; distro: { prettyName: string } }> }).images[0]!;
    expect(image.packages.map((pkg) => `${pkg.name}@${pkg.version}`).sort()).toEqual(oracle.sort());
    expect(image.distro.prettyName).toBe('Distroless');
  });

  it('keeps the good platforms of an index when one is broken, and exits 2', async () => {
    const dir = layout((writer) => {
      const good = writer.image({ platform: { os: 'linux', architecture: 'amd64' }, layers: [{ tar: tarBytes([osRelease, status('bash')]) }] });
      const bad = writer.image({ platform: { os: 'linux', architecture: 'arm64' }, layers: [{ tar: tarBytes([osRelease]), diffId: `sha256:${'1'.repeat(64)}` }] });
      return writer.index([good, bad]);
    });
    const run = await runCli(['sbom', `oci:${dir}`, '--format', 'json']);
    expect(run.code).toBe(2);
    expect((JSON.parse(run.stdout) as { images: unknown[] }).images).toHaveLength(1);
    expect(run.stderr).toMatch(/^customs: layer sha256:\w+ uncompresses to sha256:\w+, but the image config gives its diffID as sha256:1{64}\n$/);
  });

  it('warns about a catalogued file over --max-file-size and still succeeds', async () => {
    const dir = layout((writer) => writer.image({ layers: [{ tar: tarBytes([osRelease, status(...Array.from({ length: 50 }, (_, i) => `pkg${i}`))]) }] }));
    const run = await runCli(['sbom', `oci:${dir}`, '--format', 'json', '--max-file-size', '1KiB']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/var\/lib\/dpkg\/status was not read: it is \d\.\d KiB, over the 1 KiB cap on files read into memory/);
  });

  describe('hostile images give one clear line and no stack trace', () => {
    const cases: Array<[string, TarInput[], RegExp]> = [
      ['a ../ entry', [{ type: 'file', path: '../../../../tmp/pwned', content: 'x' }], /tar entry "..\/..\/..\/..\/tmp\/pwned" escapes the image root/],
      ['a hard link out of the root', [{ type: 'hardlink', path: 'etc/os-release', target: '../../../etc/shadow' }], /hard link target "..\/..\/..\/etc\/shadow" escapes the image root/],
    ];
    it.each(cases)('%s', async (_, entries, message) => {
      const dir = layout((writer) => writer.image({ layers: [{ tar: tarBytes(entries) }] }));
      const run = await runCli(['sbom', `oci:${dir}`]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stdout).toBe('');
    });

    it('a truncated gzip layer', async () => {
      const dir = layout((writer) => {
        const good = writer.image({ layers: [{ tar: tarBytes([osRelease, status('bash')]) }] });
        return good;
      });
      // Replace the layer with a truncated copy, stored (and described) under its own digest.
      const manifestPath = join(dir, 'index.json');
      const index = JSON.parse(readFileSync(manifestPath, 'utf8')) as { manifests: BlobDescriptor[] };
      const writer = new OciLayoutWriter(dir);
      const manifest = JSON.parse(readFileSync(join(dir, 'blobs', 'sha256', index.manifests[0]!.digest.slice(7)), 'utf8')) as { config: BlobDescriptor; layers: BlobDescriptor[] };
      const layerBytes = readFileSync(join(dir, 'blobs', 'sha256', manifest.layers[0]!.digest.slice(7)));
      const truncated = writer.blob(layerBytes.subarray(0, layerBytes.length - 40), manifest.layers[0]!.mediaType);
      const rewritten = writer.json({ ...manifest, layers: [truncated] }, index.manifests[0]!.mediaType);
      writer.finish([{ descriptor: rewritten, tag: 'latest' }]);
      const run = await runCli(['sbom', `oci:${dir}`]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(new RegExp(`^customs: layer ${truncated.digest} is not a valid gzip stream: unexpected end of file\\n$`));
    });

    it('prints the stack with --debug', async () => {
      const dir = layout((writer) => writer.image({ layers: [{ tar: tarBytes([{ type: 'file', path: '../x', content: '' }]) }] }));
      const run = await runCli(['sbom', `oci:${dir}`, '--debug']);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/escapes the image root\nCustomsError: [\s\S]*\n\s+at /);
    });

    it('resolves a symlink that climbs past the root inside the image, never on the host', async () => {
      const dir = layout((writer) =>
        writer.image({
          layers: [
            {
              tar: tarBytes([
                { type: 'file', path: 'usr/lib/os-release', content: 'ID=inside\nVERSION_ID=1\n' },
                { type: 'symlink', path: 'etc/os-release', target: '../../../../../../../../usr/lib/os-release' },
              ]),
            },
          ],
        }),
      );
      const run = await runCli(['sbom', `oci:${dir}`, '--format', 'json']);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('"id": "inside"');
    });
  });
});

describe('customs sbom against the registry', () => {
  it('scans each platform of a pushed multi-platform index, or the one asked for', async () => {
    const target = `${inject('registryHost')}/customs/multi:v1`;
    await skopeoCopy(`oci:${multiPlatform}:latest`, `docker://${target}`, ['--all']);
    const all = await runCli(['sbom', target, '--format', 'json']);
    expect(all.code).toBe(0);
    const images = (JSON.parse(all.stdout) as { images: Array<{ platform: { architecture: string }; indexDigest: string; repository: string; tag: string }> }).images;
    expect(images.map((image) => image.platform.architecture)).toEqual(['amd64', 'arm64']);
    expect(images[0]).toMatchObject({ repository: `${inject('registryHost')}/customs/multi`, tag: 'v1', indexDigest: expect.stringMatching(/^sha256:/) });
    const one = await runCli(['sbom', target, '--platform', 'linux/arm64', '--format', 'json']);
    expect((JSON.parse(one.stdout) as { images: unknown[] }).images).toHaveLength(1);
    const pinned = await runCli(['sbom', `${inject('registryHost')}/customs/multi@${images[0]!.indexDigest}`, '--format', 'json']);
    expect(pinned.code).toBe(0);
  });
});
