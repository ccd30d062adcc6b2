import { descriptorName, normalizeDescriptor } from './npm-path.ts';
import type { AppDependencies, YarnRecord } from './npm-record.ts';

/**
 * Marks yarn.lock records dev-only when they are reached from the app's devDependencies and not
 * from its dependencies (optional ones included), following each entry's own requirements. With no
 * app manifest nothing is marked: yarn.lock alone cannot tell.
 */
export function markYarnDev(records: readonly YarnRecord[], app: AppDependencies | undefined): YarnRecord[] {
  if (!app) return [...records];
  const byDescriptor = new Map<string, number>();
  const byName = new Map<string, number[]>();
  records.forEach((record, index) => {
    for (const descriptor of record.descriptors) byDescriptor.set(descriptor, index);
    const name = descriptorName(record.descriptors[0] ?? '');
    byName.set(name, [...(byName.get(name) ?? []), index]);
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
      pending.push(...records[index]!.requires);
    }
    return seen;
  };
  const production = reach(app.dependencies);
  const development = reach(app.devDependencies);
  return records.map((record, index) => (development.has(index) && !production.has(index) ? { ...record, dev: true } : record));
}

function single(indexes: readonly number[] | undefined): number | undefined {
  return indexes?.length === 1 ? indexes[0] : undefined;
}
