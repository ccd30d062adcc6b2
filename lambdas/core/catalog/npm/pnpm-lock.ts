import type { CapturedFile, IssueSink } from '../file-analyzer.ts';
import { descriptorName, directoryOf, splitName } from './npm-path.ts';
import type { NpmFile, NpmRecord } from './npm-record.ts';
import { isYamlMap, parseYaml, YamlError, type YamlMap, type YamlValue } from './yaml-subset.ts';

/**
 * pnpm-lock.yaml. `packages` keys name one resolved package: `/name/1.2.3_peer@1` (v5),
 * `/name@1.2.3(peer@1)` (v6), `name@1.2.3` (v9). v5 and v6 mark dev-only entries `dev: true`; v9
 * dropped the flag, so dev-only is worked out from the importers' devDependencies and the
 * `snapshots` dependency graph.
 */
export function parsePnpmLock(file: CapturedFile, issues: IssueSink): NpmFile | undefined {
  let document: YamlValue;
  try {
    document = parseYaml(new TextDecoder('utf-8', { fatal: true }).decode(file.bytes));
  } catch (error) {
    if (!(error instanceof YamlError) && !(error instanceof TypeError)) throw error;
    issues.warn(`is not a readable pnpm lockfile: ${error.message}`);
    return undefined;
  }
  if (!isYamlMap(document)) {
    issues.warn('is not a pnpm lockfile mapping');
    return undefined;
  }
  const major = Number.parseFloat(typeof document.lockfileVersion === 'string' ? document.lockfileVersion : '');
  const packages = isYamlMap(document.packages) ? document.packages : {};
  const devOnly = major >= 9 ? devOnlyFromGraph(document) : undefined;
  const records = new Map<string, NpmRecord>();
  for (const [key, value] of Object.entries(packages)) {
    const entry = isYamlMap(value) ? value : {};
    const id = major >= 6 || Number.isNaN(major) ? parseKey(key) : parseV5Key(key);
    const name = typeof entry.name === 'string' ? entry.name : id?.name;
    const version = typeof entry.version === 'string' ? entry.version : id?.version;
    if (!name || !version || !/^\d/.test(version)) {
      issues.warn(`package ${JSON.stringify(key)} has no recognisable name and version and was skipped`);
      continue;
    }
    const dev = devOnly ? devOnly.has(`${name}@${version}`) : entry.dev === 'true';
    const known = records.get(`${name}@${version}`);
    // Peer variants of one package collapse; it is dev-only only if every variant is.
    records.set(`${name}@${version}`, { ...splitName(name), version, ...(dev && (known === undefined || known.dev === true) ? { dev: true } : {}) });
  }
  return { kind: 'pnpm-lock', directory: directoryOf(file.path), packages: [...records.values()] };
}

/** `/@scope/name@1.2.3(peer@1)` or `name@1.2.3` → name and version. */
function parseKey(key: string): { name: string; version: string } | undefined {
  const bare = key.replace(/^\//, '').replace(/\(.*$/, '');
  const name = descriptorName(bare);
  return name === bare ? undefined : { name, version: bare.slice(name.length + 1) };
}

/** `/@scope/name/1.2.3_peer@1` → name and version. */
function parseV5Key(key: string): { name: string; version: string } | undefined {
  const parts = key.replace(/^\//, '').split('/');
  const scoped = parts[0]?.startsWith('@') ? 1 : 0;
  if (parts.length !== 2 + scoped) return undefined;
  return { name: parts.slice(0, 1 + scoped).join('/'), version: parts[1 + scoped]!.replace(/_.*$/, '') };
}

/** name@version of packages reached from importers' devDependencies but not from their dependencies. */
function devOnlyFromGraph(document: YamlMap): Set<string> {
  const snapshots = isYamlMap(document.snapshots) ? document.snapshots : {};
  const importers = isYamlMap(document.importers) ? Object.values(document.importers).filter(isYamlMap) : [];
  const roots = (section: string) => importers.flatMap((importer) => references(importer[section], true));
  const production = reach(roots('dependencies').concat(roots('optionalDependencies')), snapshots);
  const development = reach(roots('devDependencies'), snapshots);
  const devOnly = new Set<string>();
  for (const key of development) if (!production.has(key)) devOnly.add(key.replace(/\(.*$/, ''));
  // A package with any production variant is not dev-only.
  for (const key of production) devOnly.delete(key.replace(/\(.*$/, ''));
  return devOnly;
}

/** Snapshot keys (`name@version(peers)`) a dependency map points to; importers wrap versions as `{specifier, version}`. */
function references(section: YamlValue | undefined, wrapped: boolean): string[] {
  if (!isYamlMap(section)) return [];
  return Object.entries(section).flatMap(([name, value]) => {
    const version = wrapped && isYamlMap(value) ? value.version : value;
    return typeof version === 'string' && !version.startsWith('link:') ? [`${name}@${version}`] : [];
  });
}

function reach(start: string[], snapshots: YamlMap): Set<string> {
  const seen = new Set<string>();
  const pending = [...start];
  while (pending.length > 0) {
    const key = pending.pop()!;
    if (seen.has(key)) continue;
    seen.add(key);
    const snapshot = snapshots[key];
    if (isYamlMap(snapshot)) pending.push(...references(snapshot.dependencies, false), ...references(snapshot.optionalDependencies, false));
  }
  return seen;
}
