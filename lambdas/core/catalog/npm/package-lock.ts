import { z } from 'zod';
import type { CapturedFile, IssueSink } from '../file-analyzer.ts';
import { aliasedIdentity, type AliasedIdentity } from './npm-alias.ts';
import { directoryOf, installedIdentity, isValidPackageName, joinPath, splitName } from './npm-path.ts';
import type { NpmFile, NpmRecord } from './npm-record.ts';
import { readJson } from '../read-json.ts';

const lockSchema = z.looseObject({
  lockfileVersion: z.number().optional().catch(undefined),
  packages: z.record(z.string(), z.unknown()).optional().catch(undefined),
  dependencies: z.record(z.string(), z.unknown()).optional().catch(undefined),
});

const packageEntry = z.looseObject({
  // Only an alias's entry has a name (the real package's); the key holds the folder.
  name: z.unknown().optional(),
  version: z.string().optional(),
  dev: z.boolean().optional(),
  link: z.boolean().optional(),
});

const v1Entry = z.looseObject({
  version: z.string().optional(),
  dev: z.boolean().optional(),
  dependencies: z.record(z.string(), z.unknown()).optional(),
});

/** Deepest v1 `dependencies` nesting followed; real trees stay far below it. */
const MAX_DEPTH = 200;

/**
 * package-lock.json (and npm-shrinkwrap.json's twin format): lockfileVersion 2 and 3 list every
 * install location in `packages`, keyed `node_modules/a/node_modules/b`; version 1 nests the same
 * tree in `dependencies`. Each record is one install location: its path is the lockfile followed by
 * `!/` and that location, and it remembers the manifest path it would be installed at. `directory`
 * is the app the keys are relative to: the hidden lockfile `app/node_modules/.package-lock.json` has
 * the same format with keys relative to `app`.
 */
export function parsePackageLock(file: CapturedFile, issues: IssueSink, directory = directoryOf(file.path)): NpmFile | undefined {
  const lock = readJson(file.bytes, lockSchema, issues);
  if (!lock) return undefined;
  const at = (key: string, identity: AliasedIdentity, version: string, dev: boolean): NpmRecord => ({
    ...identity,
    version,
    path: `${file.path}!/${key}`,
    installedAt: joinPath(directory, `${key}/package.json`),
    ...(dev ? { dev: true } : {}),
  });
  const packages = lock.packages ? fromPackages(lock.packages, at, issues) : fromDependencies(lock.dependencies ?? {}, at, '', false, 0, issues);
  return { kind: 'package-lock', directory, packages };
}

type RecordAt = (key: string, identity: AliasedIdentity, version: string, dev: boolean) => NpmRecord;

function fromPackages(entries: Readonly<Record<string, unknown>>, at: RecordAt, issues: IssueSink): NpmRecord[] {
  const records: NpmRecord[] = [];
  for (const [key, value] of Object.entries(entries)) {
    // "" is the app itself; keys without node_modules are workspace folders, listed again as links.
    if (!key.split('/').includes('node_modules')) continue;
    const folder = folderOf(key);
    if (folder === undefined) {
      issues.warn(`key ${JSON.stringify(key)} is not an npm install path and was skipped`);
      continue;
    }
    const entry = packageEntry.safeParse(value);
    if (!entry.success) {
      issues.warn(`entry ${JSON.stringify(key)} is malformed and was skipped`);
      continue;
    }
    if (entry.data.link || !entry.data.version) continue;
    const identity = aliasedIdentity(folder, entry.data.name, issues, `entry ${JSON.stringify(key)}`);
    if (identity) records.push(at(key, identity, entry.data.version, entry.data.dev === true));
  }
  return records;
}

/**
 * The package folder a v2/v3 key installs (`a/node_modules/@s/b` → `@s/b`), or undefined when the
 * key is not `[workspace/]node_modules/<name>(/node_modules/<name>)*` with valid names: such a key
 * would give a purl for no package (`node_modules%2Fasync`) or a path outside the app.
 */
function folderOf(key: string): string | undefined {
  const segments = key.split('/');
  const first = segments.indexOf('node_modules');
  if (segments.slice(0, first).some((segment) => segment === '' || segment === '.' || segment === '..')) return undefined;
  const identity = installedIdentity(`${segments.slice(first).join('/')}/package.json`);
  if (!identity || key.includes('/.pnpm/') || key.startsWith('.pnpm/')) return undefined;
  const folder = identity.namespace ? `${identity.namespace}/${identity.name}` : identity.name;
  return isValidPackageName(folder) ? folder : undefined;
}

/** Appends to `records` rather than returning arrays to spread: a level may hold more entries than a call takes arguments. */
function fromDependencies(entries: Readonly<Record<string, unknown>>, at: RecordAt, parent: string, parentDev: boolean, depth: number, issues: IssueSink, records: NpmRecord[] = []): NpmRecord[] {
  if (depth > MAX_DEPTH) {
    issues.warn(`dependencies nest deeper than ${MAX_DEPTH} levels; the rest was skipped`);
    return records;
  }
  for (const [folder, value] of Object.entries(entries)) {
    const entry = v1Entry.safeParse(value);
    if (!isValidPackageName(folder) || !entry.success) {
      issues.warn(`dependency ${JSON.stringify(`${parent}${folder}`)} is ${entry.success ? 'not a package name' : 'malformed'} and was skipped, with what it nests`);
      continue;
    }
    const key = `${parent}node_modules/${folder}`;
    // Only what sits under a package can require what is nested in it, so under a dev entry all is dev.
    const dev = parentDev || entry.data.dev === true;
    const version = entry.data.version;
    if (version !== undefined) {
      const resolved = v1Version(folder, version, issues, key);
      if (resolved) records.push(at(key, resolved.identity, resolved.version, dev));
    }
    if (entry.data.dependencies) fromDependencies(entry.data.dependencies, at, `${key}/`, dev, depth + 1, issues, records);
  }
  return records;
}

/**
 * v1 writes an alias's version as `npm:real-name@1.2.3`, and a non-registry source (`file:x.tgz`,
 * `git+https://…`) in place of a version: that has no registry version to report, so it is skipped.
 */
function v1Version(folder: string, version: string, issues: IssueSink, key: string): { identity: AliasedIdentity; version: string } | undefined {
  if (version.startsWith('npm:')) {
    const spec = version.slice('npm:'.length);
    const at = spec.lastIndexOf('@');
    const real = at > 0 ? spec.slice(0, at) : '';
    if (!isValidPackageName(real) || at === spec.length - 1) {
      issues.warn(`dependency ${JSON.stringify(key)} has the malformed alias version ${JSON.stringify(version)} and was skipped`);
      return undefined;
    }
    return { identity: { ...splitName(real), ...(real === folder ? {} : { alias: folder }) }, version: spec.slice(at + 1) };
  }
  // Not hostile, just not from the registry: v2/v3 locks record such a package's own version.
  if (version.includes(':')) return undefined;
  return { identity: splitName(folder), version };
}
