import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbAdvisoryLookup } from '../../../lambdas/adapters/dynamodb/advisory-lookup.ts';
import { findingsDocumentClient } from '../../../lambdas/adapters/dynamodb/document-client.ts';
import { DynamoDbAdvisoryLoadRequests } from '../../../lambdas/adapters/dynamodb/dynamodb-advisory-load-requests.ts';
import { DynamoDbAdvisoryWriter } from '../../../lambdas/adapters/dynamodb/dynamodb-advisory-writer.ts';
import { DynamoDbPendingFanOuts } from '../../../lambdas/adapters/dynamodb/dynamodb-pending-fan-outs.ts';
import { DynamoDbRescanMarks } from '../../../lambdas/adapters/dynamodb/dynamodb-rescan-marks.ts';
import { DynamoDbScanResultStore } from '../../../lambdas/adapters/dynamodb/dynamodb-scan-result-store.ts';
import { DynamoDbSyncCursors } from '../../../lambdas/adapters/dynamodb/dynamodb-sync-cursors.ts';
import { DynamoDbSyncLease } from '../../../lambdas/adapters/dynamodb/dynamodb-sync-lease.ts';
import { ADVISORY_TABLE, FINDINGS_TABLE } from '../../../lambdas/adapters/dynamodb/table-schema.ts';
import { LocalOsvExport } from '../../../lambdas/adapters/osv/local-osv-export.ts';
import type { AdvisoryChanges } from '../../../lambdas/core/advisories/sync-model.ts';
import type { AdvisoryChangeSets, RescanMessage, RescanQueue } from '../../../lambdas/core/ports.ts';
import { runSync, type SyncRunDeps } from '../../../lambdas/handlers/sync-advisories/run-sync.ts';
import { createLocalTable, localDynamoDbClient } from '../../support/dynamodb-tables.ts';

/**
 * The advisory sync (runSync, wired as sync-deps.ts wires it) with a LocalOsvExport as its source,
 * on DynamoDB Local: a first run loads a directory's records into the advisory table by full load,
 * a record added to the directory afterwards is loaded by the next (incremental) run. The change
 * sets and queues, S3 and SQS on AWS, are in-test fakes: the local stack has no stand-ins for them yet.
 */
const client = localDynamoDbClient();

class MemoryChangeSets implements AdvisoryChangeSets {
  readonly stored = new Map<string, AdvisoryChanges>();
  async put(changes: AdvisoryChanges): Promise<void> {
    this.stored.set(changes.syncId, changes);
  }
  async get(syncId: string): Promise<AdvisoryChanges> {
    const changes = this.stored.get(syncId);
    if (!changes) throw new Error(`no change set ${syncId}`);
    return changes;
  }
}

class MemoryQueue implements RescanQueue {
  readonly sent: RescanMessage[] = [];
  async send(messages: readonly RescanMessage[]): Promise<void> {
    this.sent.push(...messages);
  }
}

const record = (id: string, modified: string, ecosystem: string, name: string): string =>
  JSON.stringify({ schema_version: '1.6.0', id, modified, affected: [{ package: { ecosystem, name }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.0' }] }] }] });

describe('runSync over a LocalOsvExport (DynamoDB Local)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'customs-local-osv-sync-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads the directory’s records into the advisory table, then a record added later', { timeout: 120_000 }, async () => {
    await mkdir(join(dir, 'debian'));
    await writeFile(join(dir, 'debian', 'DSA-1-1.json'), record('DSA-1-1', '2024-01-01T00:00:00Z', 'Debian:12', 'openssl'));
    await writeFile(join(dir, 'debian', 'DSA-2-1.json'), record('DSA-2-1', '2024-01-02T00:00:00Z', 'Debian:12', 'zlib'));
    await writeFile(join(dir, 'GHSA-aaaa-bbbb-cccc.json'), record('GHSA-aaaa-bbbb-cccc', '2024-01-03T00:00:00Z', 'npm', 'left-pad'));
    await writeFile(join(dir, 'broken.json'), '{"id":');

    const advisoryTable = await createLocalTable(client, ADVISORY_TABLE, 'local-osv-sync');
    const findings = { client: findingsDocumentClient(client), tableName: await createLocalTable(client, FINDINGS_TABLE, 'local-osv-sync') };
    const source = new LocalOsvExport({ path: dir });
    const writer = new DynamoDbAdvisoryWriter(client, advisoryTable);
    const changeSets = new MemoryChangeSets();
    const rescanQueue = new MemoryQueue();
    const continuations: string[] = [];
    const deps: SyncRunDeps = {
      source,
      writer,
      cursors: new DynamoDbSyncCursors(client, advisoryTable),
      lease: new DynamoDbSyncLease(client, advisoryTable),
      changeSets,
      loadRequests: new DynamoDbAdvisoryLoadRequests(client, advisoryTable),
      results: new DynamoDbScanResultStore(findings),
      pending: new DynamoDbPendingFanOuts(client, advisoryTable),
      marks: new DynamoDbRescanMarks({ ...findings, claimLeaseMs: 0 }),
      rescanQueue,
      continuation: { send: async (syncId) => void continuations.push(syncId) },
      clock: { now: () => new Date() },
      logger: new Logger({ serviceName: 'customs-advisory-sync', logLevel: 'SILENT' }),
      metrics: new Metrics({ namespace: 'Customs', serviceName: 'customs-advisory-sync' }),
      options: { ecosystems: await source.ecosystemsOf(), overlapMs: 2 * 86_400_000, fullCompareEveryMs: 7 * 86_400_000, sourceName: `file://${dir}`, digestsPerMessage: 50 },
    };

    const first = await runSync({ holder: randomUUID() }, deps);
    expect(first).toMatchObject({ outcome: 'complete', ecosystems: ['Debian', 'npm'] });
    if (first.outcome !== 'complete') throw new Error('unreachable');
    expect(first.reports.map(({ ecosystem, mode, written, complete, malformed }) => ({ ecosystem, mode, written, complete, malformed: malformed.map((entry) => entry.id) }))).toEqual([
      { ecosystem: 'Debian', mode: 'full', written: 2, complete: true, malformed: ['broken'] },
      { ecosystem: 'npm', mode: 'full', written: 1, complete: true, malformed: ['broken'] },
    ]);
    expect([...(await writer.ids('Debian'))].sort()).toEqual(['DSA-1-1', 'DSA-2-1']);
    expect([...(await writer.ids('npm'))]).toEqual(['GHSA-aaaa-bbbb-cccc']);
    const lookup = new DynamoDbAdvisoryLookup(client, advisoryTable);
    const [openssl, leftPad] = await lookup.lookup([
      { ecosystem: 'Debian:12', name: 'openssl' },
      { ecosystem: 'npm', name: 'left-pad' },
    ]);
    expect(openssl!.map((match) => match.record.id)).toEqual(['DSA-1-1']);
    expect(openssl![0]!.source).toBe(`file://${dir}/Debian/DSA-1-1.json`);
    expect(leftPad!.map((match) => match.record.id)).toEqual(['GHSA-aaaa-bbbb-cccc']);
    expect(changeSets.stored.get(first.syncId)?.records.map((stored) => stored.id).sort()).toEqual(['DSA-1-1', 'DSA-2-1', 'GHSA-aaaa-bbbb-cccc']);

    // Added after the first sync, modified after its cursor: the incremental run fetches it by ID.
    await writeFile(join(dir, 'debian', 'later.json'), record('DSA-3-1', new Date().toISOString(), 'Debian:12', 'curl'));
    const second = await runSync({ holder: randomUUID() }, deps);
    expect(second).toMatchObject({ outcome: 'complete' });
    if (second.outcome !== 'complete') throw new Error('unreachable');
    const debian = second.reports.find((report) => report.ecosystem === 'Debian');
    expect(debian).toMatchObject({ mode: 'incremental', written: 1, complete: true });
    expect([...(await writer.ids('Debian'))].sort()).toEqual(['DSA-1-1', 'DSA-2-1', 'DSA-3-1']);
    const [curl] = await lookup.lookup([{ ecosystem: 'Debian:12', name: 'curl' }]);
    expect(curl!.map((match) => match.record.id)).toEqual(['DSA-3-1']);
    expect(continuations).toEqual([]);
  });
});
