import { randomUUID } from 'node:crypto';
import { open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_OSV_LIMITS, type OsvLimits } from '../../core/advisories/osv-limits.ts';
import { ZipBudget } from '../../core/catalog/zip/zip-budget.ts';
import { CustomsError, isCustomsError, messageOf } from '../../core/errors.ts';
import type { ExportEntry, ModifiedEntry, OsvExport } from '../../core/ports.ts';
import { downloadToFile } from './download-to-file.ts';
import { fetchCapped } from './fetch-capped.ts';
import { unsafeName } from './load-osv-zip.ts';
import { parseModifiedIds } from './parse-modified-ids.ts';
import { listZipFileEntries, readZipFileEntry, WindowedFile } from './zip-file-entries.ts';

export interface HttpOsvExportOptions {
  /** Bucket root, laid out like osv.dev's (`https://osv-vulnerabilities.storage.googleapis.com`). */
  readonly baseUrl: string;
  /** Where all.zip is downloaded to while it is read (Lambda's /tmp); the OS temp dir by default. */
  readonly scratchDir?: string;
  readonly limits?: OsvLimits;
  readonly fetch?: typeof fetch;
  /** Per request, headers through the last body byte; the limits' request timeout by default. */
  readonly timeoutMs?: number;
  /**
   * Told of all.zip entries that are not handed out (unsafe names, oversized or unreadable records),
   * so the caller can count and log them; the iteration goes on without them. A resumed iteration
   * (`skip`) does not repeat those before its resume point.
   */
  readonly onRejected?: (rejection: { readonly ecosystem: string; readonly name: string; readonly reason: string }) => void;
}

// Bounds what listing all.zip may hold: osv.dev's largest per-ecosystem directory is a few MiB.
const MAX_DIRECTORY_BYTES = 256 * 1024 * 1024;
// A deflated record is at most a little larger than the record itself.
const DEFLATE_SLACK_BYTES = 64 * 1024;
// Bucket folders: osv.dev's base ecosystem names (`Debian`, `crates.io`, `GitHub Actions`).
const FOLDER = /^[A-Za-z0-9][A-Za-z0-9._ -]*$/;
const EPOCH = '1970-01-01T00:00:00Z';

/** OsvExport over HTTP: reads an osv.dev-shaped bucket, streaming all.zip through a scratch file. */
export class HttpOsvExport implements OsvExport {
  private readonly base: URL;
  private readonly scratchDir: string;
  private readonly limits: OsvLimits;
  private readonly fetcher: typeof fetch;
  private readonly timeoutMs: number;
  private readonly onRejected: NonNullable<HttpOsvExportOptions['onRejected']>;

  constructor(options: HttpOsvExportOptions) {
    const base = new URL(options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
    if (base.protocol !== 'https:' && base.protocol !== 'http:') throw new CustomsError('usage', `OSV export must be http(s), not ${base.protocol}`);
    this.base = base;
    this.scratchDir = options.scratchDir ?? tmpdir();
    this.limits = options.limits ?? DEFAULT_OSV_LIMITS;
    this.fetcher = options.fetch ?? fetch;
    this.timeoutMs = options.timeoutMs ?? this.limits.requestTimeoutMs;
    this.onRejected = options.onRejected ?? (() => undefined);
  }

  async modified(ecosystem: string): Promise<{ entries: ModifiedEntry[]; rejected: { line: number; reason: string }[] }> {
    const url = this.url(ecosystem, 'modified_id.csv');
    const bytes = await fetchCapped(url, this.limits.maxDownloadBytes, this.timeoutMs, this.fetcher);
    if (!bytes) throw new CustomsError('not-found', `${url} does not exist`);
    const { entries, rejected } = parseModifiedIds(new TextDecoder().decode(bytes));
    return {
      entries: entries.map(({ id, modified }) => ({ id, modified })),
      rejected: rejected.map(({ line, text }) => ({ line, reason: `not "<RFC 3339 time>,<safe ID>": ${JSON.stringify(text)}` })),
    };
  }

  async record(ecosystem: string, id: string): Promise<Uint8Array | undefined> {
    // The listing's own rule for IDs, so every ID it answers can be fetched and nothing else can.
    const parsed = parseModifiedIds(`${EPOCH},${id}`);
    if (parsed.entries.length !== 1 || parsed.rejected.length > 0 || parsed.entries[0]?.id !== id) throw new CustomsError('unsafe', `refused OSV ID ${JSON.stringify(id.slice(0, 200))}`);
    return fetchCapped(this.url(ecosystem, `${id}.json`), this.limits.maxRecordBytes, this.timeoutMs, this.fetcher);
  }

  async *entries(ecosystem: string, options: { readonly skip?: number } = {}): AsyncIterable<ExportEntry> {
    const url = this.url(ecosystem, 'all.zip');
    const what = `${ecosystem}/all.zip`;
    const path = join(this.scratchDir, `customs-osv-${randomUUID()}.zip`);
    // 'wx': a fresh file only this iteration owns; removed however the iteration ends.
    const file = await open(path, 'wx+', 0o600);
    try {
      const size = await downloadToFile(url, file, this.limits.maxDownloadBytes, this.timeoutMs, this.fetcher);
      if (size === undefined) throw new CustomsError('not-found', `${url} does not exist`);
      const budget = new ZipBudget({ maxDepth: 0, maxTotalBytes: this.limits.maxTotalBytes, maxEntries: this.limits.maxZipEntries, maxArchives: 1, maxRatio: 200 });
      const listed = await withContext(what, () => listZipFileEntries(file, size, budget, what, MAX_DIRECTORY_BYTES));
      const windowed = new WindowedFile(file, size);
      let toSkip = options.skip ?? 0;
      // Rejections before the resume point were reported by the run that got there.
      const reject = (name: string, reason: string): void => {
        if (toSkip === 0) this.onRejected({ ecosystem, name, reason });
      };
      for (const entry of listed.entries) {
        if (entry.name.endsWith('/')) continue;
        const unsafe = unsafeName(entry.name);
        if (unsafe) {
          reject(entry.name, `refused entry name: ${unsafe}`);
          continue;
        }
        if (!entry.name.endsWith('.json')) continue;
        if (entry.size > this.limits.maxRecordBytes) {
          reject(entry.name, `record declares ${entry.size} bytes, over the ${this.limits.maxRecordBytes}-byte cap`);
          continue;
        }
        if (entry.size > budget.remainingBytes) throw new CustomsError('limit', `${what} inflates past the ${this.limits.maxTotalBytes}-byte budget at ${entry.name}`);
        let bytes: Uint8Array;
        try {
          bytes = await readZipFileEntry(windowed, listed.base, entry, budget, this.limits.maxRecordBytes + DEFLATE_SLACK_BYTES);
        } catch (error) {
          // One record lying about its size or using another method is that record's problem;
          // a corrupt or truncated archive is the download's, and a retry fetches it again.
          if (!isCustomsError(error) || (error.code !== 'limit' && error.code !== 'unsupported')) throw inContext(what, error);
          reject(entry.name, error.message);
          continue;
        }
        // `skip` counts entries handed out, so a resumed load passes over exactly what it stored;
        // skipped ones are still read, since only reading tells whether one would be handed out.
        if (toSkip > 0) {
          toSkip--;
          continue;
        }
        yield { name: entry.name, bytes };
      }
    } finally {
      await file.close().catch(() => undefined);
      await rm(path, { force: true });
    }
  }

  private url(ecosystem: string, file: string): string {
    if (!FOLDER.test(ecosystem) || ecosystem.includes('..')) {
      const hint = ecosystem.includes(':') ? ' (pass the base ecosystem: `Debian`, not `Debian:12`)' : '';
      throw new CustomsError('usage', `not an OSV ecosystem folder: ${JSON.stringify(ecosystem.slice(0, 100))}${hint}`);
    }
    return new URL(`${encodeURIComponent(ecosystem)}/${encodeURIComponent(file)}`, this.base).href;
  }
}

async function withContext<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw inContext(what, error);
  }
}

function inContext(what: string, error: unknown): CustomsError {
  const code = isCustomsError(error) ? error.code : 'malformed';
  return new CustomsError(code, `${what}: ${messageOf(error)}`, { cause: error });
}
