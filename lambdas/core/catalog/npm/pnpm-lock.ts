import type { CapturedFile, IssueSink } from '../file-analyzer.ts';
import { readLockfileYaml } from './lockfile-yaml.ts';
import { collapseRecords } from './lockfile-collapse.ts';
import { descriptorName, directoryOf, isValidPackageName, splitName } from './npm-path.ts';
import type { NpmFile, NpmRecord } from './npm-record.ts';
import { projectDocument } from './pnpm-documents.ts';
import { pnpmUsage, withoutPeers, type PnpmUsage } from './pnpm-graph.ts';
import { pnpmPackage } from './pnpm-lock-schema.ts';

/**
 * pnpm-lock.yaml. `packages` keys name one resolved package: `/name/1.2.3_peer@1` (v5),
 * `/name@1.2.3(peer@1)` (v6), `name@1.2.3` (v9). v5 and v6 mark dev-only entries `dev: true`; v9
 * dropped the flag, so dev-only and aliases are worked out from the importers and the `snapshots`
 * graph (pnpm-graph.ts).
 */
export function parsePnpmLock(file: CapturedFile, issues: IssueSink): NpmFile | undefined {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(file.bytes);
  } catch {
    issues.warn('is not UTF-8 text');
    return undefined;
  }
  const yaml = readLockfileYaml(text);
  if ('problem' in yaml) {
    issues.warn(`is not a readable pnpm lockfile: ${yaml.problem}`);
    return undefined;
  }
  const document = projectDocument(yaml.documents, issues);
  if (!document) {
    issues.warn('is not a pnpm lockfile mapping');
    return undefined;
  }
  const major = Number.parseFloat(document.lockfileVersion ?? '');
  const usage = major >= 9 ? pnpmUsage(document, issues) : undefined;
  const records: NpmRecord[] = [];
  for (const [key, value] of Object.entries(document.packages ?? {})) {
    const record = toRecord(key, value, major, usage, issues);
    if (record) records.push(record);
  }
  return { kind: 'pnpm-lock', directory: directoryOf(file.path), packages: collapseRecords(records) };
}

function toRecord(key: string, value: unknown, major: number, usage: PnpmUsage | undefined, issues: IssueSink): NpmRecord | undefined {
  const parsed = pnpmPackage.safeParse(value);
  if (!parsed.success) {
    issues.warn(`package ${JSON.stringify(key)} is not a mapping and was skipped`);
    return undefined;
  }
  const entry = parsed.data;
  const id = major >= 6 || Number.isNaN(major) ? parseKey(key) : parseV5Key(key);
  const name = entry.name ?? id?.name;
  const version = entry.version ?? id?.version;
  // A local directory (`x@file:dir`) has no version of its own in the lockfile: its dependencies count, it does not.
  if (name && !entry.version && id?.version.startsWith('file:')) return undefined;
  if (!name || !version || !/^\d/.test(version)) {
    issues.warn(`package ${JSON.stringify(key)} has no recognisable name and version and was skipped`);
    return undefined;
  }
  if (!isValidPackageName(name)) {
    issues.warn(`package ${JSON.stringify(key)} is named ${JSON.stringify(name)}, which is not an npm package name, and was skipped`);
    return undefined;
  }
  const packageKey = withoutPeers(key.replace(/^\//, ''));
  const dev = usage ? usage.devOnly.has(packageKey) : entry.dev === 'true';
  const names = usage?.installNames.get(packageKey);
  const alias = names?.size === 1 ? [...names].find((installed) => installed !== name) : undefined;
  return { ...splitName(name), version, ...(dev ? { dev: true } : {}), ...(alias && isValidPackageName(alias) ? { alias } : {}) };
}

/** `/@scope/name@1.2.3(peer@1)` or `name@1.2.3` → name and version. */
function parseKey(key: string): { name: string; version: string } | undefined {
  const bare = withoutPeers(key.replace(/^\//, ''));
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
