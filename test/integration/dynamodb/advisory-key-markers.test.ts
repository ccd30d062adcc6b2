import { DeleteItemCommand, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { keyMarkerPk, KEY_PRESENT_SK, recordPartitions } from '../../../lambdas/adapters/dynamodb/advisory-keys.ts';
import { loadAdvisoryTable } from '../../../lambdas/adapters/dynamodb/advisory-loader.ts';
import { DynamoDbAdvisoryLookup } from '../../../lambdas/adapters/dynamodb/advisory-lookup.ts';
import type { SourcedRecord } from '../../../lambdas/adapters/dynamodb/advisory-collecting-store.ts';
import { ADVISORY_TABLE } from '../../../lambdas/adapters/dynamodb/table-schema.ts';
import { createLocalTable, localDynamoDbClient } from '../../support/dynamodb-tables.ts';
import { sharedFixtures } from '../../support/paths.ts';
import { collect } from './advisory-support.ts';

/**
 * Ecosystem-key markers: the loader marks each key its records live under before writing any of
 * them, and the lookup reads only partitions of marked keys, so a release-level ecosystem
 * (`Debian:12`) does not also cost a Query of every source's empty base partition (`Debian`).
 */
const client = localDynamoDbClient();
let npm: SourcedRecord[];

beforeAll(async () => {
  npm = (await collect(sharedFixtures('osv', 'npm'))).records.filter(({ record }) => record.withdrawn === undefined);
  expect(npm.length).toBeGreaterThan(3);
});

const someName = (records: readonly SourcedRecord[]): string => records[0]!.record.affected!.find((entry) => entry.package?.ecosystem === 'npm')!.package!.name;

describe('ecosystem key markers', () => {
  it('are written before any record, so a load that dies after them never hides its records', async () => {
    const table = await createLocalTable(client, ADVISORY_TABLE, 'key-markers-crash');
    const dying = localDynamoDbClient();
    let writes = 0;
    dying.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'BatchWriteItemCommand' && ++writes > 1) throw new Error('the loader died');
        return next(args);
      },
      { step: 'build', name: 'customsTestDieAfterFirstWrite' },
    );
    await expect(loadAdvisoryTable(dying, table, npm, { source: 'fixtures' })).rejects.toThrow('the loader died');
    expect(await hasMarker(table, 'PKG#npm#x')).toBe(true);
  });

  it('let a lookup skip keys no record uses, with the same answer', async () => {
    const table = await createLocalTable(client, ADVISORY_TABLE, 'key-markers');
    await loadAdvisoryTable(client, table, npm, { source: 'fixtures' });
    const queried: string[] = [];
    const lookup = new DynamoDbAdvisoryLookup(client, table, { onQuery: ({ partition }) => queried.push(partition) });
    const name = someName(npm);
    const [debian, javascript] = await lookup.lookup([
      { ecosystem: 'Debian:12', name: 'openssl' },
      { ecosystem: 'npm', name },
    ]);
    expect(debian).toEqual([]);
    expect(javascript!.length).toBeGreaterThan(0);
    expect(queried).toEqual([recordPartitions(javascript![0]!.record).find((partition) => partition.endsWith(`#${name}`))]);
  });

  it('are added by a rerun to a table loaded before them, whose records are unchanged', async () => {
    const table = await createLocalTable(client, ADVISORY_TABLE, 'key-markers-legacy');
    const first = await loadAdvisoryTable(client, table, npm, { source: 'fixtures' });
    expect(first.written).toBe(npm.length);
    await client.send(new DeleteItemCommand({ TableName: table, Key: { pk: { S: keyMarkerPk('PKG#npm#x') }, sk: { S: KEY_PRESENT_SK } } }));
    const name = someName(npm);
    expect((await new DynamoDbAdvisoryLookup(client, table).lookup([{ ecosystem: 'npm', name }]))[0]).toEqual([]);
    const rerun = await loadAdvisoryTable(client, table, npm, { source: 'fixtures' });
    expect(rerun).toMatchObject({ written: 0, unchanged: npm.length });
    expect((await new DynamoDbAdvisoryLookup(client, table).lookup([{ ecosystem: 'npm', name }]))[0]!.length).toBeGreaterThan(0);
  });
});

async function hasMarker(table: string, partition: string): Promise<boolean> {
  const { Item } = await client.send(new GetItemCommand({ TableName: table, Key: { pk: { S: keyMarkerPk(partition) }, sk: { S: KEY_PRESENT_SK } }, ConsistentRead: true }));
  return Item !== undefined;
}
