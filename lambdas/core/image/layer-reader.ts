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

  const blob = new VerifiedBlob(digest, size, blobHasher, request.onBytes);

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

  const source = (await request.open())[Symbol.asyncIterator]();
  try {
    await pipeline(() => blob.chunks(source), decompressed, walk);
  } catch (error) {
    // A flipped byte breaks gzip, zstd or the tar walk before the blob's digest is known; the
    // digest is the real cause, so it is finished and reported first when it does not match.
    if (!blob.failed) await blob.drain(source, error);
    if (isCustomsError(error)) throw withLayer(error, digest);
    throw new CustomsError('network', `layer ${digest} could not be read: ${messageOf(error)}`, { cause: error });
  } finally {
    await source.return?.();
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

/**
 * The blob as it arrives, hashed and held to its declared size; its digest is checked at the end.
 * It reads the source by hand rather than with for-await so that a failure further down the
 * pipeline does not close the source: drain() can then hash what is left.
 */
class VerifiedBlob {
  /** The blob itself failed (too long, wrong digest, transport error): nothing left to learn from it. */
  failed = false;
  private verified = false;
  private inFlight: Promise<unknown> | undefined;

  constructor(
    private readonly digest: Digest,
    private readonly size: number | undefined,
    private readonly hasher: DigestHasher,
    private readonly onBytes: ((bytes: number) => void) | undefined,
  ) {}

  async *chunks(source: AsyncIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
    try {
      for (let next = await this.next(source); !next.done; next = await this.next(source)) {
        this.take(next.value);
        yield next.value;
      }
      this.check();
    } catch (error) {
      this.failed = true;
      throw error;
    }
  }

  /**
   * Hashes the rest of the blob after `cause` stopped the read, and throws the digest mismatch if
   * there is one; returns when the blob is intact (so `cause` is the real fault) or cannot be read.
   */
  async drain(source: AsyncIterator<Uint8Array>, cause: unknown): Promise<void> {
    // A read still in flight belongs to chunks(), which hashes its chunk before this goes on.
    await this.inFlight?.catch(() => undefined);
    if (this.failed || this.verified) return;
    try {
      for (let next = await source.next(); !next.done; next = await source.next()) this.take(next.value);
      this.check();
    } catch (error) {
      if (isCustomsError(error) && error.code === 'digest-mismatch') {
        throw new CustomsError('digest-mismatch', `${error.message}; reading it failed with: ${messageOf(cause)}`, { cause });
      }
    }
  }

  private next(source: AsyncIterator<Uint8Array>): Promise<IteratorResult<Uint8Array>> {
    const next = source.next();
    this.inFlight = next;
    return next;
  }

  private take(chunk: Uint8Array): void {
    if (this.size !== undefined && this.hasher.bytes + chunk.length > this.size) {
      throw new CustomsError('digest-mismatch', `layer ${this.digest} is longer than the ${this.size} bytes its descriptor declares`);
    }
    this.hasher.update(chunk);
    this.onBytes?.(chunk.length);
  }

  private check(): void {
    if (this.size !== undefined && this.hasher.bytes !== this.size) {
      throw new CustomsError('digest-mismatch', `layer ${this.digest} ends after ${this.hasher.bytes} of the ${this.size} bytes its descriptor declares`);
    }
    this.verified = true;
    const actual = this.hasher.digest();
    if (actual !== this.digest) throw new CustomsError('digest-mismatch', `layer ${this.digest} does not match its content (expected ${this.digest}, content hashes to ${actual})`);
  }
}
