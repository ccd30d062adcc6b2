import { ProvisionedThroughputExceededException, type BatchWriteItemCommandInput, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SourcedRecord } from '../../../lambdas/adapters/dynamodb/advisory-collecting-store.ts';
import { loadAdvisoryTable } from '../../../lambdas/adapters/dynamodb/advisory-loader.ts';
import { DynamoDbAdvisoryLookup } from '../../../lambdas/adapters/dynamodb/advisory-lookup.ts';
import { ADVISORY_TABLE } from '../../../lambdas/adapters/dynamodb/table-schema.ts';
import type { OsvRecord } from '../../../lambdas/core/advisories/osv-schema.ts';
import { createLocalTable, localDynamoDbClient } from '../../support/dynamodb-tables.ts';
import { sharedFixtures } from '../../support/paths.ts';
import { collect, loadWithCli, stubLocalCredentials, tableState } from './advisory-support.ts';

/** `customs advisories load` and the loader under it: idempotent, throttling-proof, crash-safe, refusing hostile records. */
const client = localDynamoDbClient();
const fast = { retry: { baseDelayMs: 1, maxDelayMs: 5 } };
let fixtures: readonly SourcedRecord[];

/** A client whose BatchWriteItem calls are intercepted before the SDK's own retries see them. */
function interceptWrites(intercept: (call: number, input: BatchWriteItemCommandInput) => 'pass' | 'throttle' | 'half' | 'crash'): DynamoDBClient {
  const intercepted = localDynamoDbClient();
  let calls = 0;
  intercepted.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'BatchWriteItemCommand') return next(args);
      const input = args.input as BatchWriteItemCommandInput;
      const action = intercept(++calls, input);
      if (action === 'throttle') throw new ProvisionedThroughputExceededException({ message: 'throttled (test middleware)', $metadata: {} });
      if (action === 'crash') throw new Error('the loader died here (test middleware)');
      if (action === 'half') {
        // DynamoDB accepts part of a batch and hands back the rest: write the first half, return the second.
        const [[table, requests]] = Object.entries(input.RequestItems ?? {}) as [[string, NonNullable<BatchWriteItemCommandInput['RequestItems']>[string]]];
        const keep = Math.ceil(requests.length / 2);
        await next({ ...args, input: { ...input, RequestItems: { [table]: requests.slice(0, keep) } } });
        return { response: {}, output: { UnprocessedItems: requests.length > keep ? { [table]: requests.slice(keep) } : {}, $metadata: {} } };
      }
      return next(args);
    },
    { step: 'initialize', name: 'interceptBatchWrites' },
  );
  return intercepted;
}

beforeAll(async () => {
  stubLocalCredentials();
  fixtures = (await collect(sharedFixtures('osv'))).records;
});

describe('customs advisories load', () => {
  it('loads the fixtures, then a rerun rewrites nothing and leaves the same items', async () => {
    const table = await createLocalTable(client, ADVISORY_TABLE, 'advisories');
    const first = await loadWithCli(table, [sharedFixtures('osv')]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/26 records into .*: 26 written, 0 unchanged, 0 refused/);
    expect(first.stdout).toMatch(/^ {2}Debian: 5 records, newest modified /m);
    const before = await tableState(client, table);
    // 44 package items (a record per package it names), 26 heads, one freshness item per ecosystem key and base.
    expect([...before.keys()].filter((key) => key.startsWith('PKG#'))).toHaveLength(44);
    expect([...before.keys()].filter((key) => key.endsWith(' HEAD'))).toHaveLength(26);
    const second = await loadWithCli(table, [sharedFixtures('osv')]);
    expect(second.stdout).toMatch(/: 0 written, 26 unchanged, 0 refused, 0 stale items deleted/);
    expect(await tableState(client, table)).toEqual(before);
  });

  it('refuses hostile records with a clear message and loads the rest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'customs-advisories-hostile-'));
    cpSync(sharedFixtures('osv', 'npm'), dir, { recursive: true });
    writeFileSync(join(dir, 'HOSTILE-long-name.json'), JSON.stringify({ id: 'HOSTILE-1', modified: '2024-01-01T00:00:00Z', affected: [{ package: { ecosystem: 'npm', name: 'x'.repeat(3000) } }] }));
    writeFileSync(join(dir, 'HOSTILE-fanout.json'), JSON.stringify({ id: 'HOSTILE-2', modified: '2024-01-01T00:00:00Z', affected: Array.from({ length: 2500 }, (_, i) => ({ package: { ecosystem: 'npm', name: `p${i}` } })) }));
    writeFileSync(join(dir, 'HOSTILE-not-osv.json'), JSON.stringify({ id: 'HOSTILE-3', affected: 'everything' }));
    const table = await createLocalTable(client, ADVISORY_TABLE, 'advisories');
    const run = await loadWithCli(table, [dir]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain("customs: advisories: HOSTILE-long-name.json: refused: a package key of 3008 bytes is over DynamoDB's 2048-byte partition key limit");
    expect(run.stderr).toContain('customs: advisories: HOSTILE-fanout.json: refused: names 2500 packages, over the 2000-package cap');
    expect(run.stderr).toMatch(/customs: advisories: HOSTILE-not-osv.json: not an OSV record: modified/);
    expect(run.stdout).toMatch(/11 records into .*: 9 written, 0 unchanged, 2 refused/);
    const [lodash] = await new DynamoDbAdvisoryLookup(client, table).lookup([{ ecosystem: 'npm', name: 'lodash' }]);
    expect(lodash).toHaveLength(4);
  });

  it('says what is wrong with its arguments', async () => {
    expect((await loadWithCli('', [sharedFixtures('osv')])).stderr).toMatch(/needs --table/);
    const bucket = await loadWithCli('t', ['https://osv-vulnerabilities.storage.googleapis.com']);
    expect(bucket.code).toBe(2);
    expect(bucket.stderr).toMatch(/is a bucket: name what to load from it with --ecosystem/);
  });
});

describe('loadAdvisoryTable', () => {
  it('loads everything through throttling and partial batches', async () => {
    const table = await createLocalTable(client, ADVISORY_TABLE, 'advisories');
    const throttled = interceptWrites((call) => (call <= 3 ? 'throttle' : call <= 6 ? 'half' : 'pass'));
    const report = await loadAdvisoryTable(throttled, table, fixtures, { source: 'fixtures', ...fast });
    expect(report.written).toBe(26);
    expect(report.writeCalls).toBeGreaterThan(6);
    const reference = await createLocalTable(client, ADVISORY_TABLE, 'advisories');
    await loadAdvisoryTable(client, reference, fixtures, { source: 'fixtures' });
    expect(await tableState(client, table)).toEqual(await tableState(client, reference));
  });

  it('after a crash at any write, a rerun ends in the state of a clean load, with freshness only at the end', async () => {
    const reference = await createLocalTable(client, ADVISORY_TABLE, 'advisories');
    const { writeCalls } = await loadAdvisoryTable(client, reference, fixtures, { source: 'fixtures', groupSize: 10 });
    const expected = await tableState(client, reference);
    // Groups of 10 records: their items, then their heads; freshness last. Crash at each of those calls.
    expect(writeCalls).toBeGreaterThanOrEqual(7);
    for (let crashAt = 1; crashAt <= writeCalls; crashAt++) {
      const table = await createLocalTable(client, ADVISORY_TABLE, 'advisories');
      const crashing = interceptWrites((call) => (call === crashAt ? 'crash' : 'pass'));
      await expect(loadAdvisoryTable(crashing, table, fixtures, { source: 'fixtures', groupSize: 10 })).rejects.toThrow(/died here/);
      const partial = await tableState(client, table);
      expect([...partial.keys()].some((key) => key.endsWith(' FRESHNESS')), `crash at call ${crashAt}`).toBe(false);
      await loadAdvisoryTable(client, table, fixtures, { source: 'fixtures', groupSize: 10 });
      expect(await tableState(client, table), `crash at call ${crashAt}`).toEqual(expected);
    }
  });

  it('a new version naming fewer packages removes the old items; an older version changes nothing', async () => {
    const table = await createLocalTable(client, ADVISORY_TABLE, 'advisories');
    await loadAdvisoryTable(client, table, fixtures, { source: 'fixtures' });
    const original = fixtures.find(({ record }) => record.id === 'GHSA-29mw-wpgm-hmr9')!;
    const narrowed: OsvRecord = { ...original.record, modified: '2030-01-01T00:00:00Z', affected: original.record.affected!.filter((entry) => entry.package?.name === 'lodash') };
    const update = await loadAdvisoryTable(client, table, [{ record: narrowed, source: original.source }], { source: 'update' });
    expect(update).toMatchObject({ written: 1, deleted: 3 });
    const lookup = new DynamoDbAdvisoryLookup(client, table);
    const ids = async (name: string) => (await lookup.lookup([{ ecosystem: 'npm', name }]))[0]!.map((match) => match.record.id).sort();
    expect(await ids('lodash.trim')).toEqual([]);
    expect(await ids('lodash')).toContain('GHSA-29mw-wpgm-hmr9');
    const stale = await loadAdvisoryTable(client, table, [original], { source: 'stale mirror' });
    expect(stale).toMatchObject({ written: 0, unchanged: 1 });
    expect(await ids('lodash.trim')).toEqual([]);
  });

  it('chunks a record too large for one item and reads it back whole (synthetic record)', async () => {
    const table = await createLocalTable(client, ADVISORY_TABLE, 'advisories');
    // Synthetic, for size only: incompressible details make ~1.2 MB of gzip, three items.
    const big: OsvRecord = { id: 'SYNTHETIC-BIG-1', modified: '2024-01-01T00:00:00Z', details: randomBytes(900_000).toString('base64'), affected: [{ package: { ecosystem: 'Debian:12', name: 'linux' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '6.1.1-1' }] }] }] };
    const report = await loadAdvisoryTable(client, table, [{ record: big, source: 'synthetic' }], { source: 'synthetic' });
    expect(report.written).toBe(1);
    const state = await tableState(client, table);
    const chunks = [...state.keys()].filter((key) => key.startsWith('PKG#Debian:12#linux '));
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    expect(chunks).toEqual(chunks.map((_, part) => `PKG#Debian:12#linux REC#SYNTHETIC-BIG-1#${String(part).padStart(3, '0')}`));
    for (const key of chunks) expect(state.get(key)!.data!.B!.byteLength).toBeLessThanOrEqual(380_000);
    const [matches] = await new DynamoDbAdvisoryLookup(client, table).lookup([{ ecosystem: 'Debian:12', name: 'linux' }]);
    expect(matches?.map((match) => match.record)).toEqual([big]);
  });
});
