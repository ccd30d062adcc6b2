import { GetObjectCommand, PutObjectCommand, type GetObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { digestAlgorithm, digestHex, sha256Of } from '../../core/digest.ts';
import { isCustomsError } from '../../core/errors.ts';
import { layerAnalysisSchema } from '../../core/image/layer-analysis-schema.ts';
import type { LayerAnalysis } from '../../core/image/layer-analysis.ts';
import { readBounded } from '../../core/image/read-bounded.ts';
import type { ByteStream, LayerAnalysisCache, LayerCacheKey } from '../../core/ports.ts';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

const MiB = 1024 * 1024;

/**
 * Bumped when the stored document's shape changes. It is hashed into the key with the analyzer
 * fingerprint, so scanners of two formats running side by side (a deployment) never overwrite
 * each other's objects; old keys simply stop being read and expire.
 */
const FORMAT = 'layer-analysis/1';

/** The default key prefix, for the bucket's lifecycle rule to name. */
export const LAYER_ANALYSIS_PREFIX = 'layer-analyses/';

export interface S3LayerAnalysisCacheOptions {
  readonly client: S3Client;
  readonly bucket: string;
  /** Key prefix; the bucket's lifecycle rule for cached analyses must name the same. */
  readonly prefix?: string;
  /**
   * Largest analysis JSON written or decompressed on read. The bench's 20,500-package npm tree in
   * one layer is 4.0 MB of JSON: 64 MiB leaves 16x that, and a bigger one is re-analysed, not cached.
   */
  readonly maxBytes?: number;
  /** Largest stored (gzip) object read. That same npm layer is 373 KB. */
  readonly maxStoredBytes?: number;
  /** Deadline of each GET and PUT, SDK retries included: a slow cache must not stall a scan. */
  readonly timeoutMs?: number;
}

/** What happened to reads and writes, for a metric: an unhealthy cache only shows up here. */
export interface LayerCacheCounters {
  hits: number;
  /** No object under the key. */
  misses: number;
  /** An object that was too big, not gzip, not JSON, not an analysis, or not this key's. */
  invalid: number;
  /** The GET failed (throttled, denied, timed out, network). */
  readErrors: number;
  writes: number;
  /** The PUT failed; the analysis is simply not cached. */
  writeErrors: number;
  /** Not written: over the size caps, or not matching its key. */
  skipped: number;
}

/**
 * Layer analyses in S3, shared by every scanner invocation and surviving cold starts, under
 * `<prefix><sha256 of format and analyzer fingerprint>/<alg>/<blob digest hex>.json.gz`.
 *
 * Why S3 and not the findings table (measured by test/integration/s3/s3-layer-analysis-cache.test.ts):
 * the analysis of a Debian 12 base layer (debootstrap minbase, 744 records) is 347 KB of JSON, 40 KB
 * gzip; the bench's 20,500 package.json in one layer are 4.0 MB of JSON, 373 KB gzip, 7% under an
 * item's 400 KB, so a slightly larger tree would need a second path anyway. At the Debian size an
 * item costs 40 write units ($25 per million writes on demand) against one PUT ($5 per million),
 * and 5 eventually consistent read units ($0.63 per million) against one GET ($0.40); storage is
 * $0.25 against $0.023 per GB-month. Only a tiny layer's analysis (one write unit, $0.63 per million)
 * is cheaper as an item: about $4 per million new layers, not worth a second path.
 *
 * The cache is an optimisation and the registry stays the source of truth, so it never fails a
 * scan: every failure is a miss (the caller re-reads the layer) and is only counted.
 * - A missing key is a miss. Any other GET error (throttling, access denied, timeout) is a miss too:
 *   an S3 outage must slow scanning down, not stop it.
 * - A stored object is untrusted: read within a size cap, decompressed within a cap, validated, and
 *   its digest and fingerprint must be the key's; anything else is a miss, and the rewrite after the
 *   re-analysis replaces it. (Its diffID is checked by the caller against the image config.)
 * - Writes are best effort. Throttling (503 SlowDown) gets the SDK's own retries with backoff, within
 *   the deadline, and no more: one PUT per newly seen layer is far below S3's 3,500 PUT/s per
 *   prefix, and a dropped write only costs one more layer read later. Concurrent PUTs of one key
 *   write the same analysis of the same verified blob, so whichever lands last is correct.
 */
export class S3LayerAnalysisCache implements LayerAnalysisCache {
  readonly counters: LayerCacheCounters = { hits: 0, misses: 0, invalid: 0, readErrors: 0, writes: 0, writeErrors: 0, skipped: 0 };
  private readonly prefix: string;
  private readonly maxBytes: number;
  private readonly maxStoredBytes: number;
  private readonly timeoutMs: number;

  constructor(private readonly options: S3LayerAnalysisCacheOptions) {
    this.prefix = options.prefix ?? LAYER_ANALYSIS_PREFIX;
    this.maxBytes = options.maxBytes ?? 64 * MiB;
    this.maxStoredBytes = options.maxStoredBytes ?? 16 * MiB;
    this.timeoutMs = options.timeoutMs ?? 5_000;
  }

  /** The counts since the last call, for one invocation's metrics; they start again from zero. */
  takeCounters(): LayerCacheCounters {
    const taken = { ...this.counters };
    for (const name of Object.keys(this.counters) as (keyof LayerCacheCounters)[]) this.counters[name] = 0;
    return taken;
  }

  /** The object key of a cache key. */
  location(key: LayerCacheKey): string {
    const fingerprint = digestHex(sha256Of(Buffer.from(`${FORMAT}\n${key.analyzers}`, 'utf8')));
    return `${this.prefix}${fingerprint}/${digestAlgorithm(key.digest)}/${digestHex(key.digest)}.json.gz`;
  }

  async get(key: LayerCacheKey): Promise<LayerAnalysis | undefined> {
    let stored: Buffer | undefined;
    try {
      stored = await this.read(this.location(key));
    } catch (error) {
      if (isMissingKey(error)) this.counters.misses++;
      else this.counters.readErrors++;
      return undefined;
    }
    const analysis = stored && (await this.decode(stored, key));
    if (!analysis) {
      this.counters.invalid++;
      return undefined;
    }
    this.counters.hits++;
    return analysis;
  }

  async put(key: LayerCacheKey, analysis: LayerAnalysis): Promise<void> {
    const json = Buffer.from(JSON.stringify(analysis), 'utf8');
    if (analysis.digest !== key.digest || analysis.analyzers !== key.analyzers || json.length > this.maxBytes) {
      this.counters.skipped++;
      return;
    }
    const body = await gzipAsync(json, { level: 6 });
    if (body.length > this.maxStoredBytes) {
      this.counters.skipped++;
      return;
    }
    try {
      await this.options.client.send(
        new PutObjectCommand({ Bucket: this.options.bucket, Key: this.location(key), Body: body, ContentType: 'application/gzip' }),
        { abortSignal: AbortSignal.timeout(this.timeoutMs) },
      );
      this.counters.writes++;
    } catch {
      this.counters.writeErrors++;
    }
  }

  /** The stored bytes, or undefined when the object is over the cap (it is not read). */
  private async read(location: string): Promise<Buffer | undefined> {
    const response = await this.options.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: location }), {
      abortSignal: AbortSignal.timeout(this.timeoutMs),
    });
    const body = byteStreamOf(response.Body);
    if (!body || (response.ContentLength ?? 0) > this.maxStoredBytes) {
      body?.destroy?.();
      return undefined;
    }
    try {
      return (await readBounded(body, { max: this.maxStoredBytes, what: location })).bytes;
    } catch (error) {
      // Over the cap is the object's fault; a connection lost mid-body is a read error.
      if (isCustomsError(error) && error.code === 'limit') return undefined;
      throw error;
    }
  }

  private async decode(stored: Buffer, key: LayerCacheKey): Promise<LayerAnalysis | undefined> {
    let value: unknown;
    try {
      const json = await gunzipAsync(stored, { maxOutputLength: this.maxBytes });
      value = JSON.parse(json.toString('utf8'));
    } catch {
      return undefined;
    }
    const parsed = layerAnalysisSchema.safeParse(value);
    if (!parsed.success) return undefined;
    const analysis = parsed.data;
    return analysis.digest === key.digest && analysis.analyzers === key.analyzers ? analysis : undefined;
  }
}

/** The Node.js SDK returns the body as a Node stream; anything else is not something to read. */
function byteStreamOf(body: GetObjectCommandOutput['Body']): ByteStream | undefined {
  if (body && typeof body === 'object' && Symbol.asyncIterator in body) return body as ByteStream;
  return undefined;
}

function isMissingKey(error: unknown): boolean {
  return error instanceof Error && (error.name === 'NoSuchKey' || error.name === 'NotFound');
}
