import { Transform, type TransformCallback } from 'node:stream';
import * as zlib from 'node:zlib';
import { Decompress as ZstdDecompress } from 'fzstd';

export type Compression = 'gzip' | 'zstd' | 'none';

const OUTPUT_CHUNK = 128 * 1024;

/**
 * Identifies the compression from the first bytes instead of trusting the media type: registries and
 * archives in the wild label layers loosely, and the digests catch any real mismatch.
 */
export function sniffCompression(head: Uint8Array): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  return 'none';
}

/** A decompressing transform for the format, or undefined for an uncompressed stream. */
export function createDecompressor(compression: Compression): Transform | undefined {
  switch (compression) {
    case 'gzip':
      return zlib.createGunzip({ chunkSize: OUTPUT_CHUNK });
    case 'zstd':
      return createZstdDecompressor();
    case 'none':
      return undefined;
  }
}

type NodeZstdFactory = (options?: { chunkSize?: number }) => Transform;

/** Node ships zstd from 22.15 (still experimental); elsewhere the pure-JS fzstd decoder does the job. */
function createZstdDecompressor(): Transform {
  const native = (zlib as unknown as { createZstdDecompress?: NodeZstdFactory }).createZstdDecompress;
  if (typeof native === 'function' && process.env.CUSTOMS_ZSTD !== 'js') return native({ chunkSize: OUTPUT_CHUNK });
  return new FzstdTransform();
}

class FzstdTransform extends Transform {
  private readonly decoder = new ZstdDecompress((data) => {
    if (data.length > 0) this.push(data);
  });

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.decoder.push(chunk);
      callback();
    } catch (error) {
      callback(asError(error));
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.decoder.push(new Uint8Array(0), true);
      callback();
    } catch (error) {
      callback(asError(error));
    }
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
