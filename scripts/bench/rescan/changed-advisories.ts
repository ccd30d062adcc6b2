import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SourcedRecord } from '../../../lambdas/adapters/dynamodb/advisory-collecting-store.ts';
import { osvRecordSchema, type OsvRecord } from '../../../lambdas/core/advisories/osv-schema.ts';
import type { ChangedPackageKey } from '../../../lambdas/core/advisories/sync-model.ts';
import { sharedFixtures } from '../../../test/support/paths.ts';

/**
 * The advisories of the rescan bench, real records read from the shared OSV fixtures: the table
 * before the sync holds the npm and Debian ones but the changed set; the sync then brings the
 * changed set, one Debian 9 source package and two npm packages the fleet's affected images hold
 * at affected versions (each gains one finding per changed package it holds).
 */
export const CHANGED_IDS = ['DLA-3012-1', 'GHSA-xvch-5gv4-984h', 'GHSA-9c47-m6qq-7p4h'] as const;

/** What an affected image installs of each changed record's package: a version the record affects. */
export const CHANGED_PACKAGES = {
  /** DLA-3012-1, fixed in 2.9.4+dfsg1-2.2+deb9u7; binaries libxml2 and libxml2-utils. */
  libxml2: { ecosystem: 'Debian:9', source: 'libxml2', version: '2.9.4+dfsg1-2.2+deb9u6', binaries: ['libxml2', 'libxml2-utils'] },
  /** GHSA-xvch-5gv4-984h (CVE-2021-44906), fixed in 1.2.6. */
  minimist: { ecosystem: 'npm', version: '1.2.5' },
  /** GHSA-9c47-m6qq-7p4h (CVE-2022-46175), fixed in 2.2.2. */
  json5: { ecosystem: 'npm', version: '2.2.1' },
} as const;
export type ChangedPackage = keyof typeof CHANGED_PACKAGES;
export const CHANGED_NAMES = Object.keys(CHANGED_PACKAGES) as ChangedPackage[];

const DIRS = ['npm', 'Debian'] as const;

export interface BenchAdvisories {
  readonly before: SourcedRecord[];
  readonly changed: SourcedRecord[];
  /** The changed records' package keys, as the sync hands them on. */
  readonly keys: ChangedPackageKey[];
}

export function benchAdvisories(): BenchAdvisories {
  const all: SourcedRecord[] = DIRS.flatMap((dir) =>
    readdirSync(sharedFixtures('osv', dir))
      .filter((name) => name.endsWith('.json'))
      .sort()
      .map((name) => ({ record: readRecord(join(sharedFixtures('osv', dir), name)), source: `osv/${dir}/${name}` })),
  );
  const changedIds = new Set<string>(CHANGED_IDS);
  const changed = all.filter((entry) => changedIds.has(entry.record.id));
  if (changed.length !== CHANGED_IDS.length) throw new Error(`the shared OSV fixtures lack some of ${CHANGED_IDS.join(', ')}`);
  const keys = changed.flatMap(({ record }) => (record.affected ?? []).flatMap((entry) => (entry.package ? [{ ecosystem: entry.package.ecosystem, name: entry.package.name }] : [])));
  return { before: all.filter((entry) => !changedIds.has(entry.record.id)), changed, keys };
}

function readRecord(path: string): OsvRecord {
  return osvRecordSchema.parse(JSON.parse(readFileSync(path, 'utf8'))) as OsvRecord;
}
