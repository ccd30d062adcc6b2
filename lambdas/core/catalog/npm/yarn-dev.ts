import { collapseRecords } from './lockfile-collapse.ts';
import { descriptorName, normalizeDescriptor } from './npm-path.ts';
import type { AppDependencies, YarnRecord } from './npm-record.ts';

/**
 * Marks yarn.lock records dev-only when they are reached from the app's devDependencies and not
 * from its dependencies (optional ones included), following each entry's own requirements, then
 * merges entries for one package and version (see collapseRecords). With no app manifest nothing
 * is marked: yarn.lock alone cannot tell.
 */
export function markYarnDev(records: readonly YarnRecord[], app: AppDependencies | undefined): YarnRecord[] {
  if (!app) return collapseRecords(records);
  const byDescriptor = new Map<string, number>();
  const byName = new Map<string, Set<number>>();
  records.forEach((record, index) => {
    for (const descriptor of record.descriptors) {
      byDescriptor.set(descriptor, index);
      const name = descriptorName(descriptor);
      byName.set(name, (byName.get(name) ?? new Set<number>()).add(index));
    }
  });
  // A range the lockfile does not spell the same way still resolves when only one version exists.
  const resolve = (descriptor: string): number | undefined => byDescriptor.get(descriptor) ?? single(byName.get(descriptorName(descriptor)));
  const reach = (roots: Readonly<Record<string, string>>): Set<number> => {
    const seen = new Set<number>();
    const pending = Object.entries(roots).map(([name, range]) => normalizeDescriptor(name, range));
    while (pending.length > 0) {
      const index = resolve(pending.pop()!);
      if (index === undefined || seen.has(index)) continue;
      seen.add(index);
      for (const requirement of records[index]!.requires) pending.push(requirement);
    }
    return seen;
  };
  const production = reach(app.dependencies);
  const development = reach(app.devDependencies);
  return collapseRecords(records.map((record, index) => (development.has(index) && !production.has(index) ? { ...record, dev: true } : record)));
}

function single(indexes: ReadonlySet<number> | undefined): number | undefined {
  return indexes?.size === 1 ? [...indexes][0] : undefined;
}
