import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { digestAlgorithm, DigestHasher, type Digest } from '../digest.ts';
import { CustomsError, isCustomsError, messageOf } from '../errors.ts';
import type { ScanLimits } from '../limits.ts';
import { formatBytes } from '../limits.ts';
import { createDecompressor, sniffCompression, type Compression } from './decompress.ts';
import { TarStreamParser, type TarVisitor } from './tar/tar-stream-parser.ts';

export interface LayerReadRequest {
  /** Blob digest and size from the (verified) manifest. */
  readonly digest: Digest;
  readonly size: number | undefined;
  /** The diffID the image config claims for this layer; checked against the uncompressed bytes. */
  readonly diffId: Digest;
  /** Opens the blob; called once. */
  readonly open: () => Promise<AsyncIterable<Uint8Array>>;
  readonly visitor: TarVisitor;
  readonly limits: ScanLimits;
  /** Reports compressed bytes as they arrive (for progress). */
  readonly onBytes?: (bytes: number) => void;
}

export interface LayerReadResult {
  readonly compression: Compression;
  readonly compressedBytes: number;
  readonly uncompressedBytes: number;
}

/**
 * Streams one layer blob through digest verification, decompression and the tar walk, in constant
 * memory: nothing is buffered beyond the chunks in flight and the files the visitor asks to keep.
 * Both digests are checked at the end; any result computed before a failed check is discarded by the
 * caller, since this throws.
 */
export async function readLayer(request: LayerReadRequest): Promise<LayerReadResult> {
  const { digest, size, diffId, limits } = request;
  const blobHasher = new DigestHasher(digestAlgorithm(digest));
  const diffHasher = new DigestHasher(digestAlgorithm(diffId));
  const parser = new TarStreamParser(request.visitor, { maxMetadataBytes: limits.maxTarMetadataBytes });
  let compression: Compression = 'none';

  async function* verifiedBlob(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    for await (const chunk of source) {
      if (size !== undefined && blobHasher.bytes + chunk.length > size) {
        throw new CustomsError('digest-mismatch', `layer ${digest} is longer than the ${size} bytes its descriptor declares`);
      }
      blobHasher.update(chunk);
      request.onBytes?.(chunk.length);
      yield chunk;
    }
    if (size !== undefined && blobHasher.bytes !== size) {
      throw new CustomsError('digest-mismatch', `layer ${digest} ends after ${blobHasher.bytes} of the ${size} bytes its descriptor declares`);
    }
    const actual = blobHasher.digest();
    if (actual !== digest) throw new CustomsError('digest-mismatch', `layer ${digest} does not match its content (content hashes to ${actual})`);
  }

  async function* decompressed(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    const iterator = source[Symbol.asyncIterator]();
    const head: Uint8Array[] = [];
    let headBytes = 0;
    let exhausted = false;
    while (headBytes < 4) {
      const next = await iterator.next();
      if (next.done) {
        exhausted = true;
        break;
      }
      head.push(next.value);
      headBytes += next.value.length;
    }
    compression = sniffCompression(head.length === 1 ? head[0]! : Buffer.concat(head));
    async function* whole(): AsyncGenerator<Uint8Array> {
      yield* head;
      while (!exhausted) {
        const next = await iterator.next();
        if (next.done) break;
        yield next.value;
      }
    }
    const decompressor = createDecompressor(compression);
    if (!decompressor) return yield* whole();
    const input = Readable.from(whole(), { objectMode: false });
    input.on('error', (error) => decompressor.destroy(error));
    input.pipe(decompressor);
    try {
      yield* decompressor;
    } catch (error) {
      if (isCustomsError(error)) throw error;
      throw new CustomsError('malformed', `layer ${digest} is not a valid ${compression} stream: ${messageOf(error)}`, { cause: error });
    } finally {
      input.destroy();
      decompressor.destroy();
    }
  }

  async function walk(source: AsyncIterable<Uint8Array>): Promise<void> {
    for await (const chunk of source) {
      if (diffHasher.bytes + chunk.length > limits.maxLayerBytes) {
        throw new CustomsError('limit', `layer ${digest} expands past the ${formatBytes(limits.maxLayerBytes)} cap on uncompressed layers`);
      }
      diffHasher.update(chunk);
      parser.write(chunk);
    }
    parser.end();
  }

  try {
    await pipeline(await request.open(), verifiedBlob, decompressed, walk);
  } catch (error) {
    if (isCustomsError(error)) throw withLayer(error, digest);
    throw new CustomsError('network', `layer ${digest} could not be read: ${messageOf(error)}`, { cause: error });
  }
  const actualDiffId = diffHasher.digest();
  if (actualDiffId !== diffId) {
    throw new CustomsError('digest-mismatch', `layer ${digest} uncompresses to ${actualDiffId}, but the image config gives its diffID as ${diffId}`);
  }
  return { compression, compressedBytes: blobHasher.bytes, uncompressedBytes: diffHasher.bytes };
}

/** Errors raised inside the tar walk do not know which layer they are in; add it once. */
function withLayer(error: CustomsError, digest: Digest): CustomsError {
  if (error.message.includes(digest)) return error;
  return new CustomsError(error.code, `layer ${digest}: ${error.message}`, { cause: error });
}
