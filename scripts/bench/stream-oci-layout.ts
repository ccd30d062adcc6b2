import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { OCI, type BlobDescriptor, type OciLayoutWriter } from '../../tools/image-builder/oci-layout-writer.ts';
import { tarChunks, type TarInput } from '../../tools/image-builder/tar-writer.ts';

export interface LayerStats {
  readonly descriptor: BlobDescriptor;
  readonly diffId: string;
  readonly uncompressedBytes: number;
  readonly entries: number;
  readonly files: number;
}

/** Batches tar's many small chunks (headers, padding) so gzip is not fed 512-byte writes. */
const BATCH_BYTES = 1024 * 1024;

/**
 * Writes one gzip layer blob straight to disk, hashing the tar and the gzip stream on the way:
 * a GiB layer never sits in memory, which OciLayoutWriter (built for small test images) would need.
 */
export async function writeLayerBlob(layoutDir: string, entries: Iterable<TarInput>): Promise<LayerStats> {
  const counts = { entries: 0, files: 0 };
  const counted = function* (): Generator<TarInput> {
    for (const entry of entries) {
      counts.entries++;
      if (entry.type === 'file') counts.files++;
      yield entry;
    }
  };
  const tarHash = createHash('sha256');
  let uncompressedBytes = 0;
  const hashedTar = function* (): Generator<Buffer> {
    let batch: Uint8Array[] = [];
    let batched = 0;
    for (const chunk of tarChunks(counted())) {
      tarHash.update(chunk);
      uncompressedBytes += chunk.length;
      batch.push(chunk);
      batched += chunk.length;
      if (batched >= BATCH_BYTES) {
        yield Buffer.concat(batch);
        batch = [];
        batched = 0;
      }
    }
    if (batched > 0) yield Buffer.concat(batch);
  };
  const blobHash = createHash('sha256');
  let compressedBytes = 0;
  const temporary = join(layoutDir, 'blobs', 'sha256', `.partial-${process.pid}`);
  await pipeline(
    Readable.from(hashedTar()),
    createGzip({ level: 6 }),
    async function* (source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
      for await (const chunk of source) {
        blobHash.update(chunk);
        compressedBytes += chunk.length;
        yield chunk;
      }
    },
    createWriteStream(temporary),
  );
  const hex = blobHash.digest('hex');
  await rename(temporary, join(layoutDir, 'blobs', 'sha256', hex));
  return {
    descriptor: { mediaType: OCI.layerGzip, digest: `sha256:${hex}`, size: compressedBytes },
    diffId: `sha256:${tarHash.digest('hex')}`,
    uncompressedBytes,
    ...counts,
  };
}

/** Writes config, manifest and index.json around layers already written by writeLayerBlob. */
export function finishLayout(writer: OciLayoutWriter, layers: readonly LayerStats[], tag: string): void {
  const config = writer.json(
    {
      architecture: 'amd64',
      os: 'linux',
      created: '2026-01-01T00:00:00Z',
      config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'] },
      rootfs: { type: 'layers', diff_ids: layers.map((layer) => layer.diffId) },
    },
    OCI.config,
  );
  const manifest = writer.json({ schemaVersion: 2, mediaType: OCI.manifest, config, layers: layers.map((layer) => layer.descriptor) }, OCI.manifest);
  writer.finish([{ descriptor: { ...manifest, platform: { os: 'linux', architecture: 'amd64' } }, tag }]);
}
