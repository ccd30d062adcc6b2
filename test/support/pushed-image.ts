import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OciLayoutWriter, type BlobDescriptor } from '../../tools/image-builder/oci-layout-writer.ts';
import { tarBytes } from '../../tools/image-builder/tar-writer.ts';
import { skopeoCopy } from './skopeo.ts';

/**
 * Builds small images with OciLayoutWriter and pushes them to a real registry with skopeo, keeping
 * the layout so tests can compare what the registry serves with what was pushed.
 */
export interface PushedImage {
  /** Descriptor of what the layout's tag names: a manifest, or an index for multi-platform images. */
  readonly root: BlobDescriptor;
  /** Digest of the manifest the registry stored (differs from root.digest only after conversion). */
  readonly pushedDigest: string;
  /** Platform manifests (one for a single-platform image). */
  readonly manifests: BlobDescriptor[];
  /** Bytes of any blob in the pushed layout, by digest. */
  blob(digest: string): Buffer;
  /** Config and layer descriptors of a manifest. */
  parts(manifest: BlobDescriptor): { config: BlobDescriptor; layers: BlobDescriptor[] };
  cleanup(): void;
}

export interface PushOptions {
  /** `os/arch` per platform; more than one makes an index. */
  platforms?: string[];
  /**
   * Have skopeo convert to Docker v2 schema 2 while pushing (skopeo 1.9 cannot read Docker
   * manifests from an OCI layout, so the layout itself is always OCI).
   */
  convertToDocker?: boolean;
  /** skopeo `--dest-creds user:pass`. */
  destCreds?: string;
}

/** Pushes an image to `docker://<target>` (e.g. `127.0.0.1:5000/app:v1`). */
export async function pushTestImage(target: string, options: PushOptions = {}): Promise<PushedImage> {
  const dir = mkdtempSync(join(tmpdir(), 'customs-push-'));
  const writer = new OciLayoutWriter(dir);
  const platforms = options.platforms ?? ['linux/amd64'];
  const manifests = platforms.map((text) => {
    const [os = 'linux', architecture = 'amd64'] = text.split('/');
    return writer.image({
      layers: [
        { tar: tarBytes([{ type: 'file', path: 'etc/os-release', content: `ID=customs-test\nPLATFORM=${text}\n` }]) },
        { tar: tarBytes([{ type: 'dir', path: 'app' }, { type: 'file', path: 'app/data.bin', content: randomBytes(256 * 1024) }]) },
      ],
      platform: { os, architecture },
    });
  });
  const root = manifests.length === 1 ? manifests[0]! : writer.index(manifests);
  writer.finish([{ descriptor: root, tag: 'pushed' }]);
  const digestFile = join(dir, 'pushed-digest');
  const extra = [
    ...(options.convertToDocker ? ['--format', 'v2s2'] : ['--preserve-digests']),
    ...(manifests.length > 1 ? ['--all'] : []),
    ...(options.destCreds ? ['--dest-creds', options.destCreds] : []),
    '--digestfile',
    digestFile,
  ];
  await skopeoCopy(`oci:${dir}:pushed`, `docker://${target}`, extra);

  const blob = (digest: string): Buffer => readFileSync(join(dir, 'blobs', 'sha256', digest.slice('sha256:'.length)));
  return {
    root,
    pushedDigest: readFileSync(digestFile, 'utf8').trim(),
    manifests,
    blob,
    parts(manifest) {
      const parsed = JSON.parse(blob(manifest.digest).toString('utf8')) as { config: BlobDescriptor; layers: BlobDescriptor[] };
      return { config: parsed.config, layers: parsed.layers };
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
