import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoDbAdvisoryIdIndex } from '../../../lambdas/adapters/dynamodb/advisory-id-index.ts';
import { DynamoDbAdvisoryLookup } from '../../../lambdas/adapters/dynamodb/advisory-lookup.ts';
import { DynamoDbAdvisoryWriter } from '../../../lambdas/adapters/dynamodb/dynamodb-advisory-writer.ts';
import { DynamoDbSyncCursors } from '../../../lambdas/adapters/dynamodb/dynamodb-sync-cursors.ts';
import { DynamoDbSyncLease } from '../../../lambdas/adapters/dynamodb/dynamodb-sync-lease.ts';
import { ADVISORY_TABLE } from '../../../lambdas/adapters/dynamodb/table-schema.ts';
import { HttpOsvExport } from '../../../lambdas/adapters/osv/http-osv-export.ts';
import { S3AdvisoryChangeSets } from '../../../lambdas/adapters/s3/s3-advisory-change-sets.ts';
import { osvRecordSchema, type OsvRecord } from '../../../lambdas/core/advisories/osv-schema.ts';
import type { ChangedPackageKey } from '../../../lambdas/core/advisories/sync-model.ts';
import { changedKeys, namesEcosystem } from '../../../lambdas/core/advisories/sync-plan.ts';
import { syncAdvisories, type SyncAdvisoriesDeps, type SyncAdvisoryWriter, type SyncRun } from '../../../lambdas/core/use-cases/sync-advisories.ts';
import { createLocalTable, localDynamoDbClient } from '../../support/dynamodb-tables.ts';
import { startOsvExportServer, type OsvExportServer, type OsvJson } from '../../support/osv-bucket-server.ts';

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
  });

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

