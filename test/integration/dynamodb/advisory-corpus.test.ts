import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CollectingAdvisoryStore } from '../../../lambdas/adapters/dynamodb/advisory-collecting-store.ts';
import { DynamoDbAdvisoryLookup } from '../../../lambdas/adapters/dynamodb/advisory-lookup.ts';
import { ADVISORY_TABLE } from '../../../lambdas/adapters/dynamodb/table-schema.ts';
import { StoreLookup } from '../../../lambdas/core/advisories/store-lookup.ts';
import { loadAdvisories } from '../../../lambdas/adapters/osv/load-advisories.ts';
import type { AdvisoryQuery } from '../../../lambdas/core/ports.ts';
import { createLocalTable, localDynamoDbClient } from '../../support/dynamodb-tables.ts';
import { startOsvBucket } from '../../support/osv-bucket-server.ts';
import { osvFilesIn, zipWithCli } from '../../support/osv-fixtures.ts';
import { sharedFixtures } from '../../support/paths.ts';
import { loadWithCli, stubLocalCredentials } from './advisory-support.ts';

/**
 * The corpus (7,000 real Go, PyPI and npm records) loaded from a bucket URL and an all.zip file,
 * the sources `customs scan --advisories` takes, and every package it names looked up both ways.
 */
const client = localDynamoDbClient();
const corpus = sharedFixtures('osv-corpus');
let bucket: Awaited<ReturnType<typeof startOsvBucket>>;
let zipFile: string;

beforeAll(async () => {
  stubLocalCredentials();
  const byEcosystem = new Map<string, string[]>();
  for (const path of osvFilesIn(corpus).json) byEcosystem.set(dirname(path), [...(byEcosystem.get(dirname(path)) ?? []), path]);
  bucket = await startOsvBucket(new Map(['Go', 'PyPI'].map((ecosystem) => [`${ecosystem}/all.zip`, zipWithCli(corpus, byEcosystem.get(ecosystem)!, { flat: true })])));
  zipFile = join(mkdtempSync(join(tmpdir(), 'customs-advisories-zip-')), 'npm-all.zip');
  writeFileSync(zipFile, zipWithCli(corpus, byEcosystem.get('npm')!, { flat: true }));
});
afterAll(() => bucket.close());

describe('the OSV corpus through customs advisories load', () => {
  it('loads a bucket (two ecosystems) and a zip, and answers every package as the in-memory store does', async () => {
    const table = await createLocalTable(client, ADVISORY_TABLE, 'advisories');
    const run = await loadWithCli(table, [bucket.url, zipFile], '--ecosystem', 'Go', '--ecosystem', 'PyPI', '--ecosystem', 'npm');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/6993 records into .*: 6993 written, 0 unchanged, 0 refused/);
    expect(run.stdout).toMatch(/^ {2}Go: 4291 records/m);

    const store = new CollectingAdvisoryStore({ ecosystems: ['Go', 'PyPI', 'npm'] });
    for (const source of [bucket.url, zipFile]) await loadAdvisories(source, store, { ecosystems: ['Go', 'PyPI', 'npm'] });
    const names = new Map<string, AdvisoryQuery>();
    for (const { record } of store.records) {
      for (const entry of record.affected ?? []) if (entry.package) names.set(`${entry.package.ecosystem}\0${entry.package.name}`, { ecosystem: entry.package.ecosystem, name: entry.package.name });
    }
    const queries = [...names.values(), { ecosystem: 'npm', name: 'not-in-the-corpus' }];
    expect(queries.length).toBeGreaterThan(2000);
    let partitions = 0;
    const fromTable = await new DynamoDbAdvisoryLookup(client, table, { onQuery: () => partitions++ }).lookup(queries);
    const fromMemory = await new StoreLookup(store).lookup(queries);
    const byId = (answers: typeof fromTable) => answers.map((matches) => [...matches].sort((a, b) => (a.record.id < b.record.id ? -1 : 1)));
    expect(byId(fromTable)).toEqual(byId(fromMemory));
    expect(partitions).toBe(new Set(queries.map((query) => `${query.ecosystem}\0${query.ecosystem === 'PyPI' ? query.name.toLowerCase().replace(/[-_.]+/g, '-') : query.name}`)).size);
  }, 300_000);
});
