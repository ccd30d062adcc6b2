import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { AdvisoryStore } from '../../core/advisories/advisory-store.ts';
import { DEFAULT_OSV_LIMITS, type OsvLimits } from '../../core/advisories/osv-limits.ts';
import { CustomsError } from '../../core/errors.ts';

export interface SkippedFile {
  readonly path: string;
  readonly reason: string;
}

export interface OsvLoadReport {
  /** Candidate records offered to the store (`*.json` files or entries). */
  readonly seen: number;
  /** Files or entries that are not candidates (other extensions, directories), with why. */
  readonly skipped: readonly SkippedFile[];
}

/**
 * Loads every `*.json` under `root`, recursively, into the store. Other files (a mirror's YAML,
 * README) are listed as skipped. Symlinks are not followed, so a mirror cannot point outside itself.
 */
export async function loadOsvDirectory(root: string, store: AdvisoryStore, limits: OsvLimits = DEFAULT_OSV_LIMITS): Promise<OsvLoadReport> {
  const skipped: SkippedFile[] = [];
  let seen = 0;
  let remaining = limits.maxTotalBytes;
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  entries.sort((a, b) => join(a.parentPath, a.name).localeCompare(join(b.parentPath, b.name)));
  for (const entry of entries) {
    if (entry.isDirectory()) continue;
    const path = join(entry.parentPath, entry.name);
    const name = relative(root, path);
    if (!entry.isFile()) {
      skipped.push({ path: name, reason: 'not a regular file' });
      continue;
    }
    if (!entry.name.endsWith('.json')) {
      skipped.push({ path: name, reason: 'not a .json file' });
      continue;
    }
    seen++;
    const { size } = await stat(path);
    if (size > limits.maxRecordBytes) {
      store.reportMalformed(name, `record is ${size} bytes, over the ${limits.maxRecordBytes}-byte cap`);
      continue;
    }
    if (size > remaining) throw new CustomsError('limit', `${root} holds more than the ${limits.maxTotalBytes}-byte budget`);
    remaining -= size;
    store.addBytes(name, await readFile(path));
  }
  return { seen, skipped };
}
