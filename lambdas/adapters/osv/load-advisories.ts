import { readFile, stat } from 'node:fs/promises';
import type { AdvisoryStore } from '../../core/advisories/advisory-store.ts';
import { DEFAULT_OSV_LIMITS, type OsvLimits } from '../../core/advisories/osv-limits.ts';
import { CustomsError, isCustomsError } from '../../core/errors.ts';
import { fetchCapped } from './fetch-capped.ts';
import { loadOsvDirectory } from './load-osv-directory.ts';
import { loadOsvZip } from './load-osv-zip.ts';
import { OsvBucket } from './osv-bucket.ts';

export interface LoadAdvisoriesOptions {
  /**
   * OSV ecosystems (base names: `Debian`, `npm`) the scan needs; a bucket URL is asked only for
   * these, since a full osv.dev mirror holds gigabytes a scan never reads.
   */
  readonly ecosystems: readonly string[];
  readonly limits?: OsvLimits;
  readonly fetch?: typeof fetch;
}

/**
 * Loads advisories from what the user named with `--advisories`: a directory of OSV JSON files, an
 * `all.zip`, a URL of an `all.zip`, or the URL of a bucket laid out like osv.dev's. Returns notes
 * (an ecosystem the bucket does not carry) for the report; unreadable sources are errors.
 */
export async function loadAdvisories(spec: string, store: AdvisoryStore, options: LoadAdvisoriesOptions): Promise<string[]> {
  const limits = options.limits ?? DEFAULT_OSV_LIMITS;
  if (/^https?:\/\//i.test(spec)) return loadFromUrl(spec, store, options, limits);
  const info = await stat(spec).catch(() => undefined);
  if (!info) throw new CustomsError('not-found', `advisories ${JSON.stringify(spec)}: no such file or directory`);
  if (info.isDirectory()) {
    await loadOsvDirectory(spec, store, limits);
    return [];
  }
  if (info.size > limits.maxDownloadBytes) throw new CustomsError('limit', `advisories ${JSON.stringify(spec)}: ${info.size} bytes is over the ${limits.maxDownloadBytes}-byte cap`);
  loadOsvZip(await readFile(spec), spec, store, limits);
  return [];
}

async function loadFromUrl(spec: string, store: AdvisoryStore, options: LoadAdvisoriesOptions, limits: OsvLimits): Promise<string[]> {
  const fetcher = options.fetch ?? fetch;
  if (new URL(spec).pathname.endsWith('.zip')) {
    const bytes = await fetchCapped(spec, limits.maxDownloadBytes, limits.requestTimeoutMs, fetcher);
    if (!bytes) throw new CustomsError('not-found', `advisories ${spec} does not exist`);
    loadOsvZip(bytes, spec, store, limits);
    return [];
  }
  const bucket = new OsvBucket(spec, { limits, fetch: fetcher });
  const notes: string[] = [];
  for (const ecosystem of options.ecosystems) {
    try {
      await bucket.loadAll([ecosystem], store);
    } catch (error) {
      // A bucket without an ecosystem (a mirror of a few) is not an error: nothing of it is matched.
      if (!isCustomsError(error) || error.code !== 'not-found') throw error;
      notes.push(`advisories: ${spec} has no ${ecosystem}/all.zip; ${ecosystem} packages were not matched`);
    }
  }
  return notes;
}
