import type { AdvisoryStore } from '../../core/advisories/advisory-store.ts';
import { DEFAULT_OSV_LIMITS, type OsvLimits } from '../../core/advisories/osv-limits.ts';
import { ZipBudget } from '../../core/catalog/zip/zip-budget.ts';
import { listZipEntries, readZipEntry } from '../../core/catalog/zip/zip-reader.ts';
import { CustomsError, messageOf } from '../../core/errors.ts';
import type { OsvLoadReport, SkippedFile } from './load-osv-directory.ts';

/**
 * Loads an osv.dev `all.zip` (one record per `*.json` entry) from memory. Each entry is capped at
 * the record size before it is inflated; an entry that lies about its size or inflates like a bomb
 * is reported malformed and the rest still load. Only the archive-wide byte budget stops the load.
 */
export function loadOsvZip(bytes: Uint8Array, what: string, store: AdvisoryStore, limits: OsvLimits = DEFAULT_OSV_LIMITS): OsvLoadReport {
  const budget = new ZipBudget({ maxDepth: 0, maxTotalBytes: limits.maxTotalBytes, maxEntries: limits.maxZipEntries, maxArchives: 1, maxRatio: 200 });
  const skipped: SkippedFile[] = [];
  let seen = 0;
  for (const entry of listZipEntries(bytes, budget, what)) {
    const source = `${what}!${entry.name}`;
    if (entry.name.endsWith('/')) continue;
    // Unsafe names are refused whatever they end in, so they are counted, not quietly skipped.
    const unsafe = unsafeName(entry.name);
    if (unsafe) {
      seen++;
      store.reportMalformed(source, `refused entry name: ${unsafe}`);
      continue;
    }
    if (!entry.name.endsWith('.json')) {
      skipped.push({ path: source, reason: 'not a .json entry' });
      continue;
    }
    seen++;
    if (entry.size > limits.maxRecordBytes) {
      store.reportMalformed(source, `record declares ${entry.size} bytes, over the ${limits.maxRecordBytes}-byte cap`);
      continue;
    }
    // Running out of the archive's budget ends the load; a single bad entry does not.
    if (entry.size > budget.remainingBytes) throw new CustomsError('limit', `${what} inflates past the ${limits.maxTotalBytes}-byte budget at ${entry.name}`);
    let content: Uint8Array;
    try {
      content = readZipEntry(bytes, entry, budget);
    } catch (error) {
      store.reportMalformed(source, messageOf(error));
      continue;
    }
    store.addBytes(source, content);
  }
  return { seen, skipped };
}

/** Why a name could escape an extraction directory (zip slip), if it could. */
export function unsafeName(name: string): string | undefined {
  if (name.includes('\\')) return 'contains a backslash';
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return 'is absolute';
  if (name.split('/').some((part) => part === '..')) return 'climbs out with ..';
  if (name.includes('\0')) return 'contains NUL';
  return undefined;
}
