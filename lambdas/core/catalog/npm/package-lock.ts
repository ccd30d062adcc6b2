import { z } from 'zod';
import type { CapturedFile, IssueSink } from '../file-analyzer.ts';
import { directoryOf, joinPath, splitName } from './npm-path.ts';
import type { NpmFile, NpmRecord } from './npm-record.ts';
import { readJson } from '../read-json.ts';

const lockSchema = z.looseObject({
  lockfileVersion: z.number().optional().catch(undefined),
  packages: z.record(z.string(), z.unknown()).optional().catch(undefined),
  dependencies: z.record(z.string(), z.unknown()).optional().catch(undefined),
});

const packageEntry = z.looseObject({
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
 * tree in `dependencies`. Each record remembers the manifest path it would be installed at.
 */
export function parsePackageLock(file: CapturedFile, issues: IssueSink): NpmFile | undefined {
  const lock = readJson(file.bytes, lockSchema, issues);
  if (!lock) return undefined;
  const directory = directoryOf(file.path);
  const packages = lock.packages ? fromPackages(lock.packages, directory, issues) : fromDependencies(lock.dependencies ?? {}, directory, '', 0, issues);
  return { kind: 'package-lock', directory, packages };
}

function fromPackages(entries: Readonly<Record<string, unknown>>, directory: string, issues: IssueSink): NpmRecord[] {
  const records: NpmRecord[] = [];
  for (const [key, value] of Object.entries(entries)) {
    // "" is the app itself; keys without node_modules are workspace folders, listed again as links.
    const at = key.lastIndexOf('node_modules/');
    if (at < 0) continue;
    const entry = packageEntry.safeParse(value);
    if (!entry.success) {
      issues.warn(`entry ${JSON.stringify(key)} is malformed and was skipped`);
      continue;
    }
    if (entry.data.link || !entry.data.version) continue;
    const name = key.slice(at + 'node_modules/'.length);
    if (name === '' || name.includes('/node_modules')) continue;
    records.push(record(name, entry.data.version, entry.data.dev === true, joinPath(directory, `${key}/package.json`)));
  }
  return records;
}

function fromDependencies(entries: Readonly<Record<string, unknown>>, directory: string, parent: string, depth: number, issues: IssueSink): NpmRecord[] {
  if (depth > MAX_DEPTH) {
    issues.warn(`dependencies nest deeper than ${MAX_DEPTH} levels; the rest was skipped`);
    return [];
  }
  const records: NpmRecord[] = [];
  for (const [name, value] of Object.entries(entries)) {
    const entry = v1Entry.safeParse(value);
    if (!entry.success) {
      issues.warn(`dependency ${JSON.stringify(name)} is malformed and was skipped`);
      continue;
    }
    const location = `${parent}node_modules/${name}`;
    if (entry.data.version) records.push(record(name, aliasedVersion(entry.data.version), entry.data.dev === true, joinPath(directory, `${location}/package.json`)));
    if (entry.data.dependencies) records.push(...fromDependencies(entry.data.dependencies, directory, `${location}/`, depth + 1, issues));
  }
  return records;
}

/** v1 writes an alias's version as `npm:real-name@1.2.3`; the folder name stays the identity. */
function aliasedVersion(version: string): string {
  return version.startsWith('npm:') ? version.slice(version.lastIndexOf('@') + 1) : version;
}

function record(fullName: string, version: string, dev: boolean, installedAt: string): NpmRecord {
  return { ...splitName(fullName), version, installedAt, ...(dev ? { dev: true } : {}) };
}
