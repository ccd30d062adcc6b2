import type { NpmRecord } from './npm-record.ts';

/**
 * One record per package and version. A lockfile may list one package several times (pnpm peer
 * variants, a yarn 1 entry for an alias beside one for the real name); the merged record is
 * dev-only only if every copy is, and keeps an alias only if every copy is installed under that
 * same other name (a package also installed under its own name has no single alias).
 */
export function collapseRecords<R extends NpmRecord>(records: readonly R[]): R[] {
  const merged = new Map<string, R>();
  for (const record of records) {
    const key = `${record.namespace ?? ''}/${record.name}@${record.version}`;
    const known = merged.get(key);
    if (!known) {
      merged.set(key, record);
      continue;
    }
    const { dev: _dev, alias: _alias, ...rest } = known;
    const dev = known.dev === true && record.dev === true;
    const alias = known.alias !== undefined && known.alias === record.alias ? known.alias : undefined;
    merged.set(key, { ...rest, ...(dev ? { dev } : {}), ...(alias ? { alias } : {}) } as R);
  }
  return [...merged.values()];
}
