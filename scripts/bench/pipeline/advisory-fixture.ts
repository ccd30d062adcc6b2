import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CollectingAdvisoryStore, type SourcedRecord } from '../../../lambdas/adapters/dynamodb/advisory-collecting-store.ts';
import { loadAdvisoryTable, type LoadTableReport } from '../../../lambdas/adapters/dynamodb/advisory-loader.ts';
import { ADVISORY_TABLE } from '../../../lambdas/adapters/dynamodb/table-schema.ts';
import { loadOsvDirectory } from '../../../lambdas/adapters/osv/load-osv-directory.ts';
import { sharedFixtures } from '../../../test/support/paths.ts';
import { createTable } from './local-services.ts';
import { referenceSources } from './reference-image.ts';
import { SYNTHETIC_LABEL, syntheticDebianVolume, type SyntheticVolume } from './synthetic-debian-advisories.ts';

export interface AdvisoryFixture {
  readonly table: string;
  readonly shared: number;
  readonly synthetic: SyntheticVolume;
  readonly report: LoadTableReport;
  readonly seconds: number;
}

/**
 * The advisory table a scan reads, loaded with the real loader (as `customs advisories load`
 * does): the shared OSV fixtures (osv-corpus, and osv's few Debian records) plus the labelled
 * synthetic Debian:12 volume. The scanner only reads it, so every run shares one.
 */
export async function loadAdvisoryFixture(client: DynamoDBClient, log: (line: string) => void): Promise<AdvisoryFixture> {
  const started = performance.now();
  const table = await createTable(client, ADVISORY_TABLE, 'customs-bench-advisories');
  const store = new CollectingAdvisoryStore();
  for (const dir of ['osv-corpus', 'osv']) await loadOsvDirectory(sharedFixtures(dir), store);
  const shared = store.records.length;
  const synthetic = syntheticDebianVolume(referenceSources());
  const entries: SourcedRecord[] = [...store.records, ...synthetic.records.map((record) => ({ record, source: `synthetic/${record.id}.json` }))];
  log(`  advisory table: ${shared.toLocaleString('en-US')} shared records + ${synthetic.records.length.toLocaleString('en-US')} ${SYNTHETIC_LABEL}, loading…`);
  const report = await loadAdvisoryTable(client, table, entries, { source: 'customs-bench' });
  return { table, shared, synthetic, report, seconds: (performance.now() - started) / 1000 };
}
