import type { IssueSink } from '../file-analyzer.ts';
import { descriptorName } from './npm-path.ts';
import { pnpmImporter, pnpmSnapshot, type PnpmDocument, type PnpmSnapshot } from './pnpm-lock-schema.ts';

/** How a v9 lockfile's packages are used: which are dev-only, and the names each is installed under. */
export interface PnpmUsage {
  /** `packages` keys reached from some importer's devDependencies and from no importer's dependencies or optionalDependencies. */
  readonly devOnly: ReadonlySet<string>;
  /** `packages` key → every name a dependency edge installs it under (its own, or an alias). */
  readonly installNames: ReadonlyMap<string, ReadonlySet<string>>;
}

interface Edge {
  readonly name: string;
  readonly reference: string;
}

/**
 * Walks the `snapshots` graph from every importer (each workspace project is one). Edges are
 * followed whatever they resolve to (registry versions, `file:` tarballs and directories, git),
 * since a local package's own dependencies are as dev-only as it is. `link:` edges point at another
 * importer, which is walked from its own entry.
 */
export function pnpmUsage(document: PnpmDocument, issues: IssueSink): PnpmUsage | undefined {
  if (!document.importers) return undefined;
  let production: Edge[] = [];
  let development: Edge[] = [];
  for (const [id, value] of Object.entries(document.importers)) {
    const parsed = pnpmImporter.safeParse(value);
    if (!parsed.success) {
      issues.warn(`importer ${JSON.stringify(id)} is not a mapping of dependencies and was ignored`);
      continue;
    }
    // concat, not push(...): an importer may list more dependencies than a call takes arguments.
    production = production.concat(edges(parsed.data.dependencies), edges(parsed.data.optionalDependencies));
    development = development.concat(edges(parsed.data.devDependencies));
  }
  const snapshots = snapshotReader(document.snapshots ?? {}, issues);
  const installNames = new Map<string, Set<string>>();
  const walk = (roots: readonly Edge[]): Set<string> => {
    const reached = new Set<string>();
    const seen = new Set<string>();
    const pending = [...roots];
    while (pending.length > 0) {
      const { name, reference } = pending.pop()!;
      const key = snapshotKey(name, reference);
      if (key === undefined) continue;
      const packageKey = withoutPeers(key);
      const names = installNames.get(packageKey) ?? new Set<string>();
      installNames.set(packageKey, names.add(name));
      reached.add(packageKey);
      if (seen.has(key)) continue;
      seen.add(key);
      const snapshot = snapshots(key);
      if (snapshot) for (const edge of [...edges(snapshot.dependencies), ...edges(snapshot.optionalDependencies)]) pending.push(edge);
    }
    return reached;
  };
  const productionKeys = walk(production);
  const devOnly = new Set([...walk(development)].filter((key) => !productionKeys.has(key)));
  return { devOnly, installNames };
}

function edges(section: Readonly<Record<string, string>> | undefined): Edge[] {
  return Object.entries(section ?? {}).map(([name, reference]) => ({ name, reference }));
}

/** Parses each snapshot on first use, warning once about a malformed one. */
function snapshotReader(snapshots: Readonly<Record<string, unknown>>, issues: IssueSink): (key: string) => PnpmSnapshot | undefined {
  const parsed = new Map<string, PnpmSnapshot | undefined>();
  return (key) => {
    if (parsed.has(key)) return parsed.get(key);
    const result = Object.hasOwn(snapshots, key) ? pnpmSnapshot.safeParse(snapshots[key]) : undefined;
    if (result && !result.success) issues.warn(`snapshot ${JSON.stringify(key)} has malformed dependencies, which were not followed`);
    parsed.set(key, result?.success ? result.data : undefined);
    return parsed.get(key);
  };
}

/**
 * The snapshot key a dependency reference points at. Usually the reference is a version under the
 * dependency's name (`4.3.4(supports-color@8.1.1)` → `debug@4.3.4(supports-color@8.1.1)`,
 * `file:vendor/x.tgz` → `x@file:vendor/x.tgz`), but an alias's reference already names the real
 * package (`string-width-cjs: string-width@4.2.3`): its `@` comes before any `:` or `(`.
 */
export function snapshotKey(name: string, reference: string): string | undefined {
  if (reference.startsWith('link:')) return undefined;
  if (reference.startsWith('@')) return reference;
  const at = reference.indexOf('@');
  const before = (index: number) => index < 0 || at < index;
  return at > 0 && before(reference.indexOf(':')) && before(reference.indexOf('(')) ? reference : `${name}@${reference}`;
}

/** `debug@4.3.4(supports-color@8.1.1)` → `debug@4.3.4`, the `packages` key. */
export function withoutPeers(key: string): string {
  const name = descriptorName(key);
  const peers = key.indexOf('(', name.length);
  return peers < 0 ? key : key.slice(0, peers);
}
