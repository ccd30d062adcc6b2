import type { AdvisoryStore } from '../../core/advisories/advisory-store.ts';
import { DEFAULT_OSV_LIMITS, type OsvLimits } from '../../core/advisories/osv-limits.ts';
import { CustomsError, isCustomsError } from '../../core/errors.ts';
import { fetchCapped } from './fetch-capped.ts';
import type { OsvLoadReport } from './load-osv-directory.ts';
import { loadOsvZip } from './load-osv-zip.ts';
import { parseModifiedIds, type ModifiedIds } from './parse-modified-ids.ts';

export interface OsvBucketOptions {
  readonly limits?: OsvLimits;
  /** Records fetched at once by `fetchModifiedSince`. */
  readonly concurrency?: number;
  /** Injected for tests; global fetch otherwise. */
  readonly fetch?: typeof fetch;
}

export interface ModifiedSinceReport {
  /** IDs modified_id.csv lists as changed after the time asked for. */
  readonly changed: readonly string[];
  /** Changed IDs whose `ID.json` the bucket no longer has (deleted since the listing). */
  readonly missing: readonly string[];
  readonly rejectedLines: ModifiedIds['rejected'];
}

/**
 * An OSV bucket laid out like osv.dev's (`https://osv-vulnerabilities.storage.googleapis.com`):
 * `ECOSYSTEM/all.zip`, `ECOSYSTEM/modified_id.csv` and `ECOSYSTEM/ID.json`.
 */
export class OsvBucket {
  private readonly base: URL;
  private readonly limits: OsvLimits;
  private readonly concurrency: number;
  private readonly fetcher: typeof fetch;

  constructor(baseUrl: string, options: OsvBucketOptions = {}) {
    const base = new URL(baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
    if (base.protocol !== 'https:' && base.protocol !== 'http:') throw new CustomsError('usage', `OSV bucket must be http(s), not ${base.protocol}`);
    this.base = base;
    this.limits = options.limits ?? DEFAULT_OSV_LIMITS;
    this.concurrency = options.concurrency ?? 8;
    this.fetcher = options.fetch ?? fetch;
  }

  /** Downloads and loads each ecosystem's all.zip; a missing archive is a `not-found` error. */
  async loadAll(ecosystems: readonly string[], store: AdvisoryStore): Promise<Map<string, OsvLoadReport>> {
    const reports = new Map<string, OsvLoadReport>();
    for (const ecosystem of ecosystems) {
      const url = this.url(ecosystem, 'all.zip');
      const bytes = await this.get(url, this.limits.maxDownloadBytes);
      if (!bytes) throw new CustomsError('not-found', `${url} does not exist`);
      reports.set(ecosystem, loadOsvZip(bytes, `${ecosystem}/all.zip`, store, this.limits));
    }
    return reports;
  }

  /** Reads modified_id.csv and loads every record changed strictly after `since` into the store. */
  async fetchModifiedSince(ecosystem: string, since: Date, store: AdvisoryStore): Promise<ModifiedSinceReport> {
    const url = this.url(ecosystem, 'modified_id.csv');
    const listing = await this.get(url, this.limits.maxDownloadBytes);
    if (!listing) throw new CustomsError('not-found', `${url} does not exist`);
    const { entries, rejected } = parseModifiedIds(new TextDecoder().decode(listing));
    const changed = [...new Set(entries.filter((entry) => entry.modified > since).map((entry) => entry.id))];
    const missing: string[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < changed.length) {
        const id = changed[next++] as string;
        const source = `${ecosystem}/${id}.json`;
        let bytes: Uint8Array | undefined;
        try {
          bytes = await this.get(this.url(ecosystem, `${id}.json`), this.limits.maxRecordBytes);
        } catch (error) {
          // One oversized record is that record's problem; network failures still end the sync.
          if (!isCustomsError(error) || error.code !== 'limit') throw error;
          store.reportMalformed(source, error.message);
          continue;
        }
        if (bytes) store.addBytes(source, bytes);
        else missing.push(id);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, changed.length) }, worker));
    return { changed, missing, rejectedLines: rejected };
  }

  private url(ecosystem: string, file: string): string {
    return new URL(`${encodeURIComponent(ecosystem)}/${encodeURIComponent(file)}`, this.base).href;
  }

  private get(url: string, maxBytes: number): Promise<Uint8Array | undefined> {
    return fetchCapped(url, maxBytes, this.limits.requestTimeoutMs, this.fetcher);
  }
}
