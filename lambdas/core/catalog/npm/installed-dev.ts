import type { FileHistory } from '../../image/squashed-view.ts';
import type { NpmFile, NpmRecord } from './npm-record.ts';

/**
 * Lockfile entries by the manifest path they describe (`app/node_modules/a/package.json`), so an
 * installed package can take the dev flag npm recorded for that very install location. The hidden
 * lockfile (`node_modules/.package-lock.json`, what npm wrote about the tree it installed) wins over
 * package-lock.json, which may be older than node_modules.
 */
export function lockEntriesByInstallPath(lockfiles: ReadonlyArray<{ readonly history: FileHistory; readonly file: NpmFile }>): Map<string, NpmRecord> {
  const byPath = new Map<string, NpmRecord>();
  const ordered = [...lockfiles].sort((a, b) => Number(isHiddenLockfile(a.history.path)) - Number(isHiddenLockfile(b.history.path)));
  for (const { file } of ordered) {
    if (file.kind !== 'package-lock') continue;
    for (const record of file.packages) if (record.installedAt) byPath.set(record.installedAt, record);
  }
  return byPath;
}

/** An installed package is dev when the lock entry at its path is the same package and says dev; a stale entry says nothing. */
export function withLockDev(record: NpmRecord, manifestPath: string, locked: ReadonlyMap<string, NpmRecord>): NpmRecord {
  const entry = locked.get(manifestPath);
  if (!entry?.dev || entry.name !== record.name || entry.namespace !== record.namespace || entry.version !== record.version) return record;
  return { ...record, dev: true };
}

export function isHiddenLockfile(path: string): boolean {
  return path.endsWith('node_modules/.package-lock.json');
}
