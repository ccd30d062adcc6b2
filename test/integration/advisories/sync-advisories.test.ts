import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoDbAdvisoryIdIndex } from '../../../lambdas/adapters/dynamodb/advisory-id-index.ts';
import { DynamoDbAdvisoryLookup } from '../../../lambdas/adapters/dynamodb/advisory-lookup.ts';
import { DynamoDbAdvisoryWriter } from '../../../lambdas/adapters/dynamodb/dynamodb-advisory-writer.ts';
import { findingsDocumentClient } from '../../../lambdas/adapters/dynamodb/document-client.ts';
import { DynamoDbPendingFanOuts } from '../../../lambdas/adapters/dynamodb/dynamodb-pending-fan-outs.ts';
import { DynamoDbRescanMarks } from '../../../lambdas/adapters/dynamodb/dynamodb-rescan-marks.ts';
import { DynamoDbScanResultStore } from '../../../lambdas/adapters/dynamodb/dynamodb-scan-result-store.ts';
import { DynamoDbSyncCursors } from '../../../lambdas/adapters/dynamodb/dynamodb-sync-cursors.ts';
import { DynamoDbSyncLease } from '../../../lambdas/adapters/dynamodb/dynamodb-sync-lease.ts';
import { ADVISORY_TABLE, FINDINGS_TABLE } from '../../../lambdas/adapters/dynamodb/table-schema.ts';
import { HttpOsvExport } from '../../../lambdas/adapters/osv/http-osv-export.ts';
import { S3AdvisoryChangeSets } from '../../../lambdas/adapters/s3/s3-advisory-change-sets.ts';
import { osvRecordSchema, type OsvRecord } from '../../../lambdas/core/advisories/osv-schema.ts';
import type { ChangedPackageKey } from '../../../lambdas/core/advisories/sync-model.ts';
import { changedKeys, namesEcosystem } from '../../../lambdas/core/advisories/sync-plan.ts';
import { syncAdvisories, type SyncAdvisoriesDeps, type SyncAdvisoryWriter, type SyncRun } from '../../../lambdas/core/use-cases/sync-advisories.ts';
import { parseDigest, type Digest } from '../../../lambdas/core/digest.ts';
import type { ScanRecord } from '../../../lambdas/core/pipeline/model.ts';
import { packageRefs } from '../../../lambdas/core/pipeline/package-refs.ts';
import type { RescanMessage, RescanQueue, SyncCursorStore } from '../../../lambdas/core/ports.ts';
import { fanOutSync } from '../../../lambdas/handlers/sync-advisories/run-sync.ts';
import { createLocalTable, localDynamoDbClient } from '../../support/dynamodb-tables.ts';
import { startOsvExportServer, type OsvExportServer, type OsvJson } from '../../support/osv-bucket-server.ts';
import { samplePackage, sampleImageSbom } from '../../support/sample-findings.ts';

const DAY = 86_400_000;
const ECOSYSTEMS = ['Debian', 'npm', 'Ubuntu'];
const client = localDynamoDbClient();
const s3 = new S3Client({ endpoint: inject('motoEndpoint'), region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'moto', secretAccessKey: 'moto' } });
const bucket = `customs-sync-${randomUUID()}`;
const changeSets = new S3AdvisoryChangeSets({ client: s3, bucket });

interface Clock {
  at: Date;
  now(): Date;
}
const clockAt = (at: Date): Clock => ({ at, now() { return this.at; } });

interface Harness {
  readonly table: string;
  readonly deps: SyncAdvisoriesDeps;
  readonly writer: DynamoDbAdvisoryWriter;
  readonly cursors: DynamoDbSyncCursors;
  readonly clock: Clock;
}

async function harness(server: OsvExportServer, options: { ecosystems?: readonly string[]; groupSize?: number; deadline?: () => number; writer?: (writer: DynamoDbAdvisoryWriter) => SyncAdvisoryWriter; clock?: Clock } = {}): Promise<Harness> {
  const table = await createLocalTable(client, ADVISORY_TABLE, 'sync');
  const writer = new DynamoDbAdvisoryWriter(client, table);
  const cursors = new DynamoDbSyncCursors(client, table);
  const clock = options.clock ?? clockAt(new Date());
  const deps: SyncAdvisoriesDeps = {
    source: new HttpOsvExport({ baseUrl: server.url }),
    writer: options.writer ? options.writer(writer) : writer,
    cursors,
    lease: new DynamoDbSyncLease(client, table),
    changeSets,
    clock,
    options: { ecosystems: options.ecosystems ?? ECOSYSTEMS, leaseMs: 60_000, groupSize: options.groupSize ?? 25, sourceName: 'test-export', ...(options.deadline ? { deadline: options.deadline } : {}) },
  };
  return { table, deps, writer, cursors, clock };
}

const run = (h: Harness, syncId?: string): Promise<SyncRun> => syncAdvisories({ holder: randomUUID(), ...(syncId ? { syncId } : {}) }, h.deps);

/** The export's records as OSV, for each ecosystem synced: what a clean load stores. */
function exported(server: OsvExportServer, ecosystems: readonly string[] = ECOSYSTEMS): OsvRecord[] {
  return ecosystems.flatMap((ecosystem) => server.ids(ecosystem).map((id) => osvRecordSchema.parse(server.record(ecosystem, id))).filter((record) => namesEcosystem(record, ecosystem)));
}

/** Every package key and alias any version seen so far named, so dropped ones are compared too. */
class Seen {
  readonly keys = new Map<string, ChangedPackageKey>();
  readonly aliases = new Set<string>();
  add(records: readonly OsvRecord[]): void {
    for (const key of changedKeys(records)) this.keys.set(`${key.ecosystem}\0${key.name}`, key);
    for (const record of records) for (const alias of [record.id, ...(record.aliases ?? []), ...(record.upstream ?? [])]) this.aliases.add(alias);
  }
}

/** The table answers lookups, ID lists and alias resolution exactly as a clean load of the export now would. */
async function expectCleanLoadState(server: OsvExportServer, h: Harness, seen: Seen, ecosystems: readonly string[] = ECOSYSTEMS): Promise<void> {
  const clean = await harness(server, { ecosystems });
  expect((await run(clean)).complete).toBe(true);
  seen.add(exported(server, ecosystems));
  const keys = [...seen.keys.values()];
  const [actual, expected] = await Promise.all([h.table, clean.table].map((table) => new DynamoDbAdvisoryLookup(client, table).lookup(keys)));
  for (const [index, key] of keys.entries()) expect(actual![index], `${key.ecosystem} ${key.name}`).toEqual(expected![index]);
  for (const ecosystem of ecosystems) expect([...(await h.writer.ids(ecosystem))].sort(), ecosystem).toEqual([...(await clean.writer.ids(ecosystem))].sort());
  const ours = new DynamoDbAdvisoryIdIndex(client, h.table);
  const theirs = new DynamoDbAdvisoryIdIndex(client, clean.table);
  for (const alias of seen.aliases) expect(await ours.recordsFor(alias), alias).toEqual(await theirs.recordsFor(alias));
}

const keysOf = (records: readonly OsvRecord[]): ChangedPackageKey[] => changedKeys(records);
const byId = (records: readonly OsvRecord[]) => [...records].sort((a, b) => (a.id < b.id ? -1 : 1));

beforeAll(async () => {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
});

describe('syncAdvisories over an osv.dev-shaped export (DynamoDB Local, moto S3)', () => {
  let server: OsvExportServer;
  beforeAll(async () => {
    server = await startOsvExportServer({ ecosystems: ECOSYSTEMS });
  });
  afterAll(() => server.close());

  it('a first full load, then an incremental run after records are added, modified, exported late, withdrawn and removed, then a full compare', async () => {
    const h = await harness(server);
    const seen = new Seen();
    const first = await run(h);
    expect(first).toMatchObject({ complete: true, leaseHeld: true });
    expect(first.reports.map((report) => [report.ecosystem, report.mode, report.complete])).toEqual(ECOSYSTEMS.map((ecosystem) => [ecosystem, 'full', true]));
    const initial = exported(server);
    expect(first.changes).toEqual({ syncId: first.syncId, keys: keysOf(initial), records: byId(initial), retracted: [] });
    expect(await changeSets.get(first.syncId)).toEqual(first.changes);
    await expectCleanLoadState(server, h, seen);
    const npmCursor = (await h.cursors.get('npm'))!;
    expect(npmCursor).toMatchObject({ fullLoadAt: h.clock.at, syncedAt: h.clock.at });
    expect(npmCursor.progress).toBeUndefined();

    // A second run straight after: everything in the overlap is read again, nothing is rewritten or handed on.
    const again = await run(h);
    expect(again.changes).toBeUndefined();
    expect(again.reports.every((report) => report.mode === 'incremental' && report.written === 0)).toBe(true);

    const npm = server.ids('npm').map((id) => osvRecordSchema.parse(server.record('npm', id)));
    const wide = npm.find((record) => new Set(record.affected?.map((entry) => entry.package?.name)).size >= 2 && record.withdrawn === undefined)!;
    const [toWithdraw, toRemove, toVanish] = npm.filter((record) => record.id !== wide.id && record.withdrawn === undefined && (record.affected?.length ?? 0) > 0);
    const dropped = wide.affected![0]!.package!.name;
    const modified = osvRecordSchema.parse(server.modify('npm', wide.id, (record) => ({ ...record, affected: wide.affected!.filter((entry) => entry.package?.name !== dropped) })));
    const added = osvRecordSchema.parse({ ...server.record('npm', toWithdraw!.id), id: 'GHSA-sync-test-added', aliases: ['CVE-2099-0001'], modified: new Date().toISOString() } as OsvJson);
    server.put('npm', added as OsvJson);
    // Exported late: its `modified` is a day before the cursor, inside the two-day overlap.
    const late = osvRecordSchema.parse({ ...server.record('npm', toRemove!.id), id: 'GHSA-sync-test-late', modified: new Date(npmCursor.modifiedThrough!.getTime() - DAY).toISOString() } as OsvJson);
    server.put('npm', late as OsvJson);
    const withdrawn = osvRecordSchema.parse(server.withdraw('npm', toWithdraw!.id));
    // Removed between the listing and the fetch: the listing still names it, ID.json is gone.
    const listing = await (await fetch(`${server.url}npm/modified_id.csv`)).text();
    server.remove('npm', toRemove!.id);
    server.serveRaw('npm/modified_id.csv', Buffer.from(`${new Date().toISOString()},${toRemove!.id}\n${listing}`));
    // Gone without a trace: only a full compare can find it.
    server.remove('npm', toVanish!.id);
    seen.add([modified, added, late, withdrawn]);

    const incremental = await run(h);
    server.serveRaw('npm/modified_id.csv', undefined);
    expect(incremental.complete).toBe(true);
    const npmReport = incremental.reports.find((report) => report.ecosystem === 'npm')!;
    expect(npmReport).toMatchObject({ mode: 'incremental', written: 4, withdrawn: 1, retracted: 1, malformed: [] });
    expect(incremental.changes).toEqual({
      syncId: incremental.syncId,
      keys: keysOf([wide, modified, added, late, toWithdraw!, withdrawn, toRemove!]),
      records: byId([modified, added, late, withdrawn]),
      retracted: [toRemove!.id],
    });
    expect(incremental.changes!.keys).toContainEqual({ ecosystem: 'npm', name: dropped });
    expect(await changeSets.get(incremental.syncId)).toEqual(incremental.changes);
    // The vanished record is still stored (no listing names it); otherwise the state is a clean load's.
    expect(await h.writer.ids('npm')).toContain(toVanish!.id);
    expect((await h.cursors.get('npm'))!.modifiedThrough!.getTime()).toBeGreaterThan(npmCursor.modifiedThrough!.getTime());

    h.clock.at = new Date(h.clock.at.getTime() + 7 * DAY);
    const compare = await run(h);
    expect(compare.reports.map((report) => report.mode)).toEqual(['full', 'full', 'full']);
    expect(compare.changes).toEqual({ syncId: compare.syncId, keys: keysOf([toVanish!]), records: [], retracted: [toVanish!.id] });
    await expectCleanLoadState(server, h, seen);
    expect(await new DynamoDbAdvisoryIdIndex(client, h.table).recordsFor(toVanish!.id)).toEqual([]);
  }, 120_000);

  it('a load cut short by the deadline between groups continues under the same sync id, and hands on the whole change set', async () => {
    let left = Number.POSITIVE_INFINITY;
    let cut = true;
    const writes: number[] = [];
    const h = await harness(server, {
      ecosystems: ['npm'],
      groupSize: 10,
      deadline: () => left,
      writer: (writer) => ({ write: async (records) => { writes.push(records.length); if (cut) left = 0; return writer.write(records); }, ids: (e) => writer.ids(e), retract: (ids) => writer.retract(ids), markFresh: (e, at, s) => writer.markFresh(e, at, s) }),
    });
    const first = await run(h);
    expect(first).toMatchObject({ complete: false, leaseHeld: true });
    expect((await h.cursors.get('npm'))!.progress).toMatchObject({ phase: 'full', syncId: first.syncId, entriesDone: 10 });
    cut = false;
    left = Number.POSITIVE_INFINITY;
    const rest = await run(h, first.syncId);
    expect(rest.complete).toBe(true);
    const records = exported(server, ['npm']);
    expect(rest.changes).toEqual({ syncId: first.syncId, keys: keysOf(records), records: byId(records), retracted: [] });
    expect(writes.reduce((sum, count) => sum + count, 0)).toBe(server.ids('npm').length);
    await expectCleanLoadState(server, h, new Seen(), ['npm']);
  });

  it('a crash after a group is written but before the run goes on loses none of its changes: the rerun continues the interrupted sync', async () => {
    let writesLeft = 3;
    const h = await harness(server, {
      ecosystems: ['npm'],
      groupSize: 10,
      writer: (writer) => ({
        write: async (records, beforeWrite) => {
          const result = await writer.write(records, beforeWrite);
          if (--writesLeft === 0) throw new Error('died after the write');
          return result;
        },
        ids: (e) => writer.ids(e),
        retract: (ids) => writer.retract(ids),
        markFresh: (e, at, s) => writer.markFresh(e, at, s),
      }),
    });
    await expect(run(h)).rejects.toThrow(/died after the write/);
    // The third group is stored but the cursor still says two: the rerun reads it as unchanged.
    const interrupted = (await h.cursors.get('npm'))!.progress!;
    expect(interrupted).toMatchObject({ phase: 'full', entriesDone: 20 });
    const resumed = await run(h);
    expect(resumed).toMatchObject({ complete: true, syncId: interrupted.syncId });
    const npm = resumed.reports[0]!;
    expect(npm.unchanged).toBeGreaterThanOrEqual(10);
    const records = exported(server, ['npm']);
    expect(resumed.changes).toEqual({ syncId: interrupted.syncId, keys: keysOf(records), records: byId(records), retracted: [] });
    await expectCleanLoadState(server, h, new Seen(), ['npm']);
  });

  it('a connection dropped mid-zip, and a crash between groups, resume with nothing lost', async () => {
    let failAt = -1;
    let npmWrites = 0;
    const h = await harness(server, {
      groupSize: 10,
      writer: (writer) => ({ write: async (records) => { if (records.some((entry) => entry.source.includes('/npm/')) && ++npmWrites === failAt) throw new Error('died here'); return writer.write(records); }, ids: (e) => writer.ids(e), retract: (ids) => writer.retract(ids), markFresh: (e, at, s) => writer.markFresh(e, at, s) }),
    });
    server.dropConnectionAfter(3_000, { path: 'npm/all.zip' });
    await expect(run(h)).rejects.toThrow();
    expect((await h.cursors.get('Debian'))!.progress).toBeUndefined();
    expect((await h.cursors.get('npm'))!.progress).toMatchObject({ phase: 'full', entriesDone: 0 });
    failAt = 3; // the npm load's third group
    await expect(run(h)).rejects.toThrow(/died here/);
    expect((await h.cursors.get('npm'))!.progress).toMatchObject({ phase: 'full', entriesDone: 20 });
    const resumed = await run(h);
    expect(resumed.complete).toBe(true);
    // Only what followed the last durable group was read again; Debian, done before, was not reloaded.
    const npm = resumed.reports.find((report) => report.ecosystem === 'npm')!;
    expect(npm.mode).toBe('full');
    expect(npm.written + npm.unchanged + npm.malformed.length).toBe(server.ids('npm').length - 20);
    expect(resumed.reports.find((report) => report.ecosystem === 'Debian')!.mode).toBe('incremental');
    await expectCleanLoadState(server, h, new Seen());
  }, 60_000);
});

describe('an interrupted incremental run', () => {
  let server: OsvExportServer;
  beforeAll(async () => {
    server = await startOsvExportServer({ ecosystems: ['npm'] });
  });
  afterAll(() => server.close());

  it('a connection dropped mid-way through the ID fetches resumes after the last durable group', async () => {
    const h = await harness(server, { ecosystems: ['npm'], groupSize: 2 });
    expect((await run(h)).complete).toBe(true);
    const changed = server.ids('npm').slice(0, 5).map((id) => osvRecordSchema.parse(server.modify('npm', id, (record) => ({ ...record, summary: `changed ${id}` }))));
    // The CSV lists newest first: the fourth fetch is the second group's second record.
    const order = (await (await fetch(`${server.url}npm/modified_id.csv`)).text()).split('\n').slice(0, 5).map((line) => line.split(',')[1]!);
    server.dropConnectionAfter(20, { path: `npm/${order[3]}.json` });
    await expect(run(h, 'incremental-sync-1')).rejects.toThrow();
    expect((await h.cursors.get('npm'))!.progress).toMatchObject({ phase: 'incremental', syncId: 'incremental-sync-1', idsDone: 2 });
    const resumed = await run(h, 'incremental-sync-1');
    expect(resumed.complete).toBe(true);
    expect(resumed.changes).toEqual({ syncId: 'incremental-sync-1', keys: keysOf(changed), records: byId(changed), retracted: [] });
    await expectCleanLoadState(server, h, new Seen(), ['npm']);
  });

  it('of two overlapping runs one holds the lease; the other does nothing', async () => {
    const h = await harness(server, { ecosystems: ['npm'] });
    const [a, b] = await Promise.all([run(h), run(h)]);
    expect([a.leaseHeld, b.leaseHeld].sort()).toEqual([false, true]);
    const idle = a.leaseHeld ? b : a;
    expect(idle).toMatchObject({ reports: [], complete: false });
    expect(idle.changes).toBeUndefined();
    expect((await h.cursors.get('npm'))!.revision).toBeGreaterThan(0);
  });
});


/** A rescan queue that records what it was sent, and refuses sends while `failing` (an SQS outage, a killed invocation). */
class RecordingRescanQueue implements RescanQueue {
  readonly sent: RescanMessage[] = [];
  failing = false;
  /** Sends left before it starts failing (each call is one SQS batch of at most ten messages). */
  failAfterSends = Number.POSITIVE_INFINITY;

  send(messages: readonly RescanMessage[]): Promise<void> {
    if (this.failing || this.failAfterSends-- <= 0) return Promise.reject(new Error('rescan queue unavailable'));
    this.sent.push(...messages);
    return Promise.resolve();
  }

  /** Digest → times queued, under one sync. */
  counts(syncId: string): Map<Digest, number> {
    const counts = new Map<Digest, number>();
    for (const message of this.sent) if (message.syncId === syncId) for (const digest of message.digests) counts.set(digest, (counts.get(digest) ?? 0) + 1);
    return counts;
  }
}

describe('a sync’s rescan fan-out survives a crash (pending fan-outs under the lease)', () => {
  let server: OsvExportServer;
  beforeAll(async () => {
    server = await startOsvExportServer({ ecosystems: ['npm', 'Ubuntu'] });
  });
  afterAll(() => server.close());

  interface FanOutHarness extends Harness {
    readonly queue: RecordingRescanQueue;
    readonly pending: DynamoDbPendingFanOuts;
    /** The images holding minimist (changed by npm's load), and those holding nothing any record names. */
    readonly affected: readonly Digest[];
    readonly unaffected: readonly Digest[];
    /** A run of these deps (the same tables), with other options. */
    readonly runWith: (options: Partial<SyncAdvisoriesDeps['options']>, syncId?: string) => Promise<SyncRun>;
  }

  let counter = 0;
  async function fanOutHarness(options: Parameters<typeof harness>[1] & { cursors?: (cursors: DynamoDbSyncCursors) => SyncCursorStore } = {}): Promise<FanOutHarness> {
    const h = await harness(server, { ecosystems: ['npm'], groupSize: 10, ...options });
    const findingsTable = await createLocalTable(client, FINDINGS_TABLE, 'sync-fan-out');
    const results = new DynamoDbScanResultStore({ client: findingsDocumentClient(client), tableName: findingsTable });
    const store = async (name: string): Promise<Digest> => {
      const digest = parseDigest(`sha256:${(++counter).toString(16).padStart(4, '0')}${randomUUID().replaceAll('-', '')}${'0'.repeat(28)}`);
      const purl = `pkg:npm/${name}@1.2.5`;
      const path = `/app/node_modules/${name}/package.json`;
      const packages = [samplePackage({ id: `${purl}#${path}`, type: 'npm', name, version: '1.2.5', purl, source: undefined, architecture: undefined, location: { ...samplePackage().location, path }, cataloger: 'npm-package-json' })];
      const now = new Date();
      const record: ScanRecord = { digest, scannerVersion: 'test', status: 'SCANNED', layers: [], packageCount: 1, findingCount: 0, severityCounts: {}, advisories: [{ ecosystem: 'npm', loadedAt: now }], startedAt: now, finishedAt: now };
      await results.save(record, [], packageRefs(sampleImageSbom(packages, { reference: `app@${digest}`, repository: 'app', manifestDigest: digest })));
      return digest;
    };
    const affected: Digest[] = [];
    for (let index = 0; index < 15; index++) affected.push(await store('minimist'));
    const unaffected = [await store('customs-no-such-package'), await store('customs-no-such-package')];
    const queue = new RecordingRescanQueue();
    const pending = new DynamoDbPendingFanOuts(client, h.table);
    // The sync Lambda's fan-out and its marks (a claim lease of 0: only the lease holder fans out).
    const marks = new DynamoDbRescanMarks({ client: findingsDocumentClient(client), tableName: findingsTable, claimLeaseMs: 0 });
    const fanOutDeps = { results, marks, rescanQueue: queue, changeSets, options: { digestsPerMessage: 1 } };
    const deps: SyncAdvisoriesDeps = {
      ...h.deps,
      ...(options.cursors ? { cursors: options.cursors(h.cursors) } : {}),
      pending,
      fanOut: async (sync) => {
        await fanOutSync(sync, [], fanOutDeps);
      },
    };
    const runWith = (changed: Partial<SyncAdvisoriesDeps['options']>, syncId?: string) => syncAdvisories({ holder: randomUUID(), ...(syncId ? { syncId } : {}) }, { ...deps, options: { ...deps.options, ...changed } });
    return { ...h, deps, queue, pending, affected, unaffected, runWith };
  }

  const runOf = (h: FanOutHarness, syncId?: string) => h.runWith({}, syncId);
  const once = (digests: readonly Digest[]) => new Map(digests.map((digest) => [digest, 1]));

  it('a run that dies inside its fan-out leaves it pending; a later scheduled run finishes it and every affected digest is queued exactly once', async () => {
    const h = await fanOutHarness();
    // Fifteen messages (a digest each): the first SQS batch of ten goes, the second fails.
    h.queue.failAfterSends = 1;
    await expect(runOf(h)).rejects.toThrow(/rescan queue unavailable/);
    const [first, ...others] = await h.pending.list();
    expect(others).toEqual([]);
    expect(h.queue.sent).toHaveLength(10);
    expect((await h.cursors.get('npm'))!.progress).toBeUndefined();

    // The next run while the queue still fails: the earlier fan-out fails again and stays pending,
    // yet this run's own sync goes on (nothing changed: nothing of its own to queue).
    h.queue.failing = true;
    const stillFailing = await runOf(h);
    expect(stillFailing).toMatchObject({ complete: true, pendingFinished: [], pendingFailed: [{ syncId: first, reason: 'rescan queue unavailable' }] });
    expect(stillFailing.changes).toBeUndefined();
    expect(await h.pending.list()).toEqual([first]);

    // A new scheduled run (no syncId), the queue back: the earlier sync's fan-out is finished first.
    h.queue.failing = false;
    h.queue.failAfterSends = Number.POSITIVE_INFINITY;
    const next = await runOf(h);
    expect(next).toMatchObject({ complete: true, pendingFinished: [first], pendingFailed: [] });
    expect(next.syncId).not.toBe(first);
    expect(h.queue.counts(first!)).toEqual(once(h.affected));
    for (const digest of h.unaffected) expect(h.queue.sent.flatMap((message) => message.digests)).not.toContain(digest);
    expect(h.queue.counts(next.syncId).size).toBe(0);
    expect(await h.pending.list()).toEqual([]);

    // Nothing pending, nothing changed: the run after queues nothing again.
    const sent = h.queue.sent.length;
    expect(await runOf(h)).toMatchObject({ complete: true, pendingFinished: [] });
    expect(h.queue.sent).toHaveLength(sent);
  }, 60_000);

  it('a run killed after its last cursor put but before its fan-out: the next run fans that sync out', async () => {
    let killAfterDone = true;
    const h = await fanOutHarness({
      cursors: (cursors) => ({
        get: (ecosystem) => cursors.get(ecosystem),
        list: () => cursors.list(),
        put: async (cursor, expected) => {
          const stored = await cursors.put(cursor, expected);
          if (killAfterDone && cursor.syncedAt && !cursor.progress) {
            killAfterDone = false;
            throw new Error('killed after the last cursor put');
          }
          return stored;
        },
      }),
    });
    await expect(runOf(h)).rejects.toThrow(/killed after the last cursor put/);
    const cursor = (await h.cursors.get('npm'))!;
    expect(cursor.progress).toBeUndefined();
    expect(cursor.syncedAt).toBeDefined();
    expect(h.queue.sent).toEqual([]);
    const [killed] = await h.pending.list();
    const records = exported(server, ['npm']);
    expect(await changeSets.get(killed!)).toEqual({ syncId: killed, keys: keysOf(records), records: byId(records), retracted: [] });

    const next = await runOf(h);
    expect(next).toMatchObject({ complete: true, pendingFinished: [killed], pendingFailed: [] });
    expect(next.reports).toMatchObject([{ ecosystem: 'npm', mode: 'incremental', written: 0 }]);
    expect(h.queue.counts(killed!)).toEqual(once(h.affected));
    expect(await h.pending.list()).toEqual([]);
  }, 60_000);

  it('a sync that stopped between ecosystems is fanned out by the next scheduled run, and its late continuation goes on as a new sync', async () => {
    let left = Number.POSITIVE_INFINITY;
    let cut = true;
    const h = await fanOutHarness({
      ecosystems: ['npm', 'Ubuntu'],
      writer: (writer) => ({
        write: (records, beforeWrite) => writer.write(records, beforeWrite),
        ids: (e) => writer.ids(e),
        retract: (ids) => writer.retract(ids),
        // npm done: out of time before Ubuntu starts, so no cursor names the sync.
        markFresh: async (e, at, s) => {
          await writer.markFresh(e, at, s);
          if (e === 'npm' && cut) left = 0;
        },
      }),
      deadline: () => left,
    });
    const stopped = await runOf(h);
    expect(stopped).toMatchObject({ complete: false, reports: [{ ecosystem: 'npm', complete: true }] });
    expect((await h.cursors.list()).every((cursor) => cursor.progress === undefined)).toBe(true);

    cut = false;
    left = Number.POSITIVE_INFINITY;
    const scheduled = await runOf(h);
    expect(scheduled).toMatchObject({ complete: true, pendingFinished: [stopped.syncId] });
    expect(h.queue.counts(stopped.syncId)).toEqual(once(h.affected));

    const late = await runOf(h, stopped.syncId);
    expect(late.syncId).not.toBe(stopped.syncId);
    expect(late).toMatchObject({ complete: true, pendingFinished: [] });
    expect(await h.pending.list()).toEqual([]);
    expect(h.queue.counts(stopped.syncId)).toEqual(once(h.affected));
  }, 60_000);

  it('a sync still in progress is not fanned out by a run that finds the lease free between its continuations: it is continued, and fanned out once complete', async () => {
    let left = Number.POSITIVE_INFINITY;
    let cut = true;
    const h = await fanOutHarness({
      writer: (writer) => ({ write: async (records, beforeWrite) => { const result = await writer.write(records, beforeWrite); if (cut) left = 0; return result; }, ids: (e) => writer.ids(e), retract: (ids) => writer.retract(ids), markFresh: (e, at, s) => writer.markFresh(e, at, s) }),
      deadline: () => left,
    });
    const first = await runOf(h);
    expect(first).toMatchObject({ complete: false, pendingFinished: [] });
    expect(await h.pending.list()).toEqual([first.syncId]);
    expect((await h.cursors.get('npm'))!.progress).toMatchObject({ phase: 'full', syncId: first.syncId, entriesDone: 10 });

    // A scheduled run between the continuations (no syncId): it continues the sync, never fans it out.
    left = Number.POSITIVE_INFINITY;
    const between = await runOf(h);
    expect(between).toMatchObject({ syncId: first.syncId, complete: false, pendingFinished: [], pendingFailed: [] });
    expect((await h.cursors.get('npm'))!.progress).toMatchObject({ phase: 'full', syncId: first.syncId, entriesDone: 20 });
    // A run over other ecosystems (the sync's progress is in npm's cursor, not in any of its own): not fanned out either.
    left = Number.POSITIVE_INFINITY;
    cut = false;
    const other = await h.runWith({ ecosystems: ['Ubuntu'] });
    expect(other).toMatchObject({ complete: true, pendingFinished: [], pendingFailed: [] });
    expect(other.syncId).not.toBe(first.syncId);
    expect(h.queue.counts(first.syncId).size).toBe(0);
    expect(await h.pending.list()).toEqual([first.syncId]);

    // The continuation completes the sync and fans it out once, with everything it changed.
    const rest = await runOf(h, first.syncId);
    expect(rest).toMatchObject({ syncId: first.syncId, complete: true, pendingFinished: [] });
    const records = exported(server, ['npm']);
    expect(rest.changes).toEqual({ syncId: first.syncId, keys: keysOf(records), records: byId(records), retracted: [] });
    expect(h.queue.counts(first.syncId)).toEqual(once(h.affected));
    expect(await h.pending.list()).toEqual([]);
  }, 60_000);
});
