import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { digestAlgorithm, digestHex, isDigest, sha256Of } from '../../core/digest.ts';
import { CustomsError, isCustomsError } from '../../core/errors.ts';
import { layerAnalysisSchema } from '../../core/image/layer-analysis-schema.ts';
import type { LayerAnalysis } from '../../core/image/layer-analysis.ts';
import type { LayerAnalysisCache, LayerCacheKey } from '../../core/ports.ts';
import type { LayerCacheCounters } from '../s3/s3-layer-analysis-cache.ts';
import { readFileCapped, writeFileAtomic } from './atomic-file.ts';
import { pathUnderRoot } from './path-under-root.ts';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

const MiB = 1024 * 1024;
/** The S3 cache's format tag, so both lay out and fingerprint keys alike. */
const FORMAT = 'layer-analysis/1';
const DIRECTORY = 'layer-analyses';

export type { LayerCacheCounters };

export interface FileLayerAnalysisCacheOptions {
  /** Directory the cache owns; analyses live under `layer-analyses/` in it. */
  readonly root: string;
  /** Largest analysis JSON written or decompressed on read (default 64 MiB, as on S3). */
  readonly maxBytes?: number;
  /** Largest stored (gzip) file read (default 16 MiB, as on S3). */
  readonly maxStoredBytes?: number;
}

/**
 * Layer analyses as gzip JSON files under `layer-analyses/<sha256 of format and analyzers>/<alg>/<hex>.json.gz`,
 * with the S3 cache's rules: an optimisation that never fails a scan. A missing, unreadable,
 * oversized, corrupt or foreign file is a miss (counted), and a failed write is only counted. A key
 * whose digest is not a digest is a miss, never a path.
 */
export class FileLayerAnalysisCache implements LayerAnalysisCache {
  readonly counters: LayerCacheCounters = { hits: 0, misses: 0, invalid: 0, readErrors: 0, writes: 0, writeErrors: 0, skipped: 0 };
  private readonly maxBytes: number;
  private readonly maxStoredBytes: number;

  constructor(private readonly options: FileLayerAnalysisCacheOptions) {
    this.maxBytes = options.maxBytes ?? 64 * MiB;
    this.maxStoredBytes = options.maxStoredBytes ?? 16 * MiB;
  }

  /** The counts since the last call; they start again from zero. */
  takeCounters(): LayerCacheCounters {
    const taken = { ...this.counters };
    for (const name of Object.keys(this.counters) as (keyof LayerCacheCounters)[]) this.counters[name] = 0;
    return taken;
  }

  /** The file of a cache key (refused, `unsafe`, for a digest that is not one). */
  location(key: LayerCacheKey): string {
    if (!isDigest(key.digest)) throw new CustomsError('unsafe', `layer cache key ${JSON.stringify(key.digest)} is not a digest`);
    const fingerprint = digestHex(sha256Of(Buffer.from(`${FORMAT}\n${key.analyzers}`, 'utf8')));
    return pathUnderRoot(this.options.root, [DIRECTORY, fingerprint, digestAlgorithm(key.digest), `${digestHex(key.digest)}.json.gz`], `layer analysis of ${key.digest}`);
  }

  async get(key: LayerCacheKey): Promise<LayerAnalysis | undefined> {
    let stored: Buffer | undefined;
    try {
      stored = await readFileCapped(this.location(key), this.maxStoredBytes, 'cached layer analysis');
    } catch (error) {
      // Over the cap, a link, not a file, a key that is no digest: the entry's fault. Permissions or I/O: a read error.
      if (isCustomsError(error)) this.counters.invalid++;
      else this.counters.readErrors++;
      return undefined;
    }
    if (!stored) {
      this.counters.misses++;
      return undefined;
    }
    const analysis = await this.decode(stored, key);
    if (!analysis) {
      this.counters.invalid++;
      return undefined;
    }
    this.counters.hits++;
    return analysis;
  }

  async put(key: LayerCacheKey, analysis: LayerAnalysis): Promise<void> {
    const json = Buffer.from(JSON.stringify(analysis), 'utf8');
    if (!isDigest(key.digest) || analysis.digest !== key.digest || analysis.analyzers !== key.analyzers || json.length > this.maxBytes) {
      this.counters.skipped++;
      return;
    }
    const body = await gzipAsync(json, { level: 6 });
    if (body.length > this.maxStoredBytes) {
      this.counters.skipped++;
      return;
    }
    try {
      await writeFileAtomic(this.location(key), body);
      this.counters.writes++;
    } catch {
      this.counters.writeErrors++;
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
    return parsed.data.digest === key.digest && parsed.data.analyzers === key.analyzers ? parsed.data : undefined;
  }
}
