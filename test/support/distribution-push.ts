import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { OCI, sha256, type BlobDescriptor } from '../../tools/image-builder/oci-layout-writer.ts';
import { tarBytes } from '../../tools/image-builder/tar-writer.ts';

/**
 * Pushes many tiny images fast, straight over the Distribution HTTP API (monolithic blob upload:
 * POST then PUT; manifest PUT), where skopeo's one process per image would take minutes. Each image
 * is real enough to scan: an os-release layer (shared by images of the same distro) and a layer of
 * random bytes that makes its digest its own.
 */
export interface TinyImage {
  readonly digest: string;
  readonly manifest: Buffer;
  readonly config: BlobDescriptor;
  readonly layers: readonly BlobDescriptor[];
  /** What os-release says, as the scanner should report it. */
  readonly distro: { readonly id: string; readonly versionId: string };
  readonly blobs: ReadonlyMap<string, Buffer>;
}

export interface RegistryTarget {
  /** `127.0.0.1:PORT`, spoken to over plain HTTP. */
  readonly host: string;
  readonly username?: string;
  readonly password?: string;
}

export function tinyImage(distro: { id: string; versionId: string }, randomSize = 2048): TinyImage {
  const blobs = new Map<string, Buffer>();
  const store = (bytes: Buffer, mediaType: string): BlobDescriptor => {
    const digest = sha256(bytes);
    blobs.set(digest, bytes);
    return { mediaType, digest, size: bytes.length };
  };
  const tars = [
    tarBytes([{ type: 'file', path: 'etc/os-release', content: `ID=${distro.id}\nVERSION_ID="${distro.versionId}"\n` }]),
    tarBytes([{ type: 'dir', path: 'app' }, { type: 'file', path: 'app/data.bin', content: randomBytes(randomSize) }]),
  ];
  // Node's gzip writes no timestamp, so the os-release layer compresses to the same blob every time.
  const layers = tars.map((tar) => store(gzipSync(tar), OCI.layerGzip));
  const config = store(
    Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: tars.map((tar) => sha256(tar)) } })),
    OCI.config,
  );
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI.manifest, config, layers }));
  return { digest: sha256(manifest), manifest, config, layers, distro, blobs };
}

/**
 * Pushes each image to its repositories under its tags (by digest when it has none), `concurrency`
 * requests at a time; a blob already sent to a repository in this call is not sent again.
 */
export async function pushTinyImages(
  target: RegistryTarget,
  pushes: readonly { readonly image: TinyImage; readonly repository: string; readonly tags: readonly string[] }[],
  concurrency = 16,
): Promise<void> {
  const client = new DistributionClient(target);
  const sent = new Map<string, Promise<void>>();
  const blobOnce = (repository: string, digest: string, bytes: Buffer): Promise<void> => {
    const key = `${repository}@${digest}`;
    let pending = sent.get(key);
    if (!pending) sent.set(key, (pending = client.uploadBlob(repository, digest, bytes)));
    return pending;
  };
  await inParallel(pushes, concurrency, async ({ image, repository, tags }) => {
    await Promise.all([...image.blobs].map(([digest, bytes]) => blobOnce(repository, digest, bytes)));
    for (const reference of tags.length > 0 ? tags : [image.digest]) await client.putManifest(repository, reference, image);
  });
}

class DistributionClient {
  private readonly base: string;
  private readonly authorization: Record<string, string>;

  constructor(target: RegistryTarget) {
    this.base = `http://${target.host}`;
    this.authorization = target.username !== undefined ? { Authorization: `Basic ${Buffer.from(`${target.username}:${target.password ?? ''}`).toString('base64')}` } : {};
  }

  async uploadBlob(repository: string, digest: string, bytes: Buffer): Promise<void> {
    const started = await this.send('POST', `/v2/${repository}/blobs/uploads/`, 202);
    const location = started.headers.get('location');
    if (!location) throw new Error(`registry gave no upload location for ${repository}`);
    const url = new URL(location, this.base);
    url.searchParams.set('digest', digest);
    await this.send('PUT', url.toString(), 201, { body: bytes, contentType: 'application/octet-stream' });
  }

  async putManifest(repository: string, reference: string, image: TinyImage): Promise<void> {
    const response = await this.send('PUT', `/v2/${repository}/manifests/${reference}`, 201, { body: image.manifest, contentType: OCI.manifest });
    const stored = response.headers.get('docker-content-digest');
    if (stored !== image.digest) throw new Error(`registry stored ${repository}:${reference} as ${stored}, not ${image.digest}`);
  }

  private async send(method: string, pathOrUrl: string, expected: number, body?: { body: Buffer; contentType: string }): Promise<Response> {
    const url = pathOrUrl.startsWith('http') ? pathOrUrl : `${this.base}${pathOrUrl}`;
    const response = await fetch(url, {
      method,
      headers: { ...this.authorization, ...(body ? { 'Content-Type': body.contentType, 'Content-Length': String(body.body.length) } : {}) },
      ...(body ? { body: body.body } : {}),
    });
    const text = await response.text();
    if (response.status !== expected) throw new Error(`${method} ${new URL(url).pathname} answered ${response.status}, not ${expected}: ${text.slice(0, 300)}`);
    return response;
  }
}

/** Runs `work` over the items with at most `limit` in flight. */
export async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}
