import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoDbPendingFanOuts, PENDING_FAN_OUT_PK } from '../../../lambdas/adapters/dynamodb/dynamodb-pending-fan-outs.ts';
import { ADVISORY_TABLE } from '../../../lambdas/adapters/dynamodb/table-schema.ts';
import { createLocalTable, localDynamoDbClient } from '../../support/dynamodb-tables.ts';

const client = localDynamoDbClient();
const DAY = 86_400_000;

describe('DynamoDbPendingFanOuts on DynamoDB Local', () => {
  it('lists open marks oldest first, keeps the first openedAt when opened again, and closes idempotently', async () => {
    const table = await createLocalTable(client, ADVISORY_TABLE, 'pending-fan-outs');
    const marks = new DynamoDbPendingFanOuts(client, table);
    const t0 = new Date('2026-03-01T10:00:00.000Z');
    expect(await marks.list()).toEqual([]);
    await marks.open('sync-b', new Date(t0.getTime() + 2_000));
    await marks.open('sync-a', t0);
    await marks.open('sync-c', new Date(t0.getTime() + 1_000));
    // Opened again later (a continuation): still the oldest.
    await marks.open('sync-a', new Date(t0.getTime() + 60_000));
    expect(await marks.list()).toEqual(['sync-a', 'sync-c', 'sync-b']);

    const item = (await client.send(new GetItemCommand({ TableName: table, Key: { pk: { S: PENDING_FAN_OUT_PK }, sk: { S: 'SYNC#sync-a' } } }))).Item!;
    expect(item.openedAt).toEqual({ S: t0.toISOString() });
    // TTL 15 days after it was first opened (the change sets' lifetime).
    expect(Number(item.expiresAt!.N)).toBe(Math.ceil((t0.getTime() + 15 * DAY) / 1000));

    await marks.close('sync-c');
    await marks.close('sync-c');
    await marks.close('never-opened');
    expect(await marks.list()).toEqual(['sync-a', 'sync-b']);
  });

  it('reads every page of a large partition, ties broken by syncId, and honours a configured retention', async () => {
    const table = await createLocalTable(client, ADVISORY_TABLE, 'pending-fan-outs');
    const marks = new DynamoDbPendingFanOuts(client, table, { retentionMs: DAY });
    const at = new Date('2026-03-01T10:00:00.000Z');
    // Padded IDs ~ 1 KB each, past a 1 MB Query page.
    const ids = Array.from({ length: 1_200 }, (_, index) => `sync-${String(index).padStart(5, '0')}-${'x'.repeat(1_000)}`);
    for (let start = 0; start < ids.length; start += 50) await Promise.all(ids.slice(start, start + 50).map((id) => marks.open(id, at)));
    expect(await marks.list()).toEqual(ids);
    const item = (await client.send(new GetItemCommand({ TableName: table, Key: { pk: { S: PENDING_FAN_OUT_PK }, sk: { S: `SYNC#${ids[0]}` } } }))).Item!;
    expect(Number(item.expiresAt!.N)).toBe(Math.ceil((at.getTime() + DAY) / 1000));
  }, 60_000);

  it('refuses a malformed mark, naming it, rather than skipping its sync', async () => {
    const table = await createLocalTable(client, ADVISORY_TABLE, 'pending-fan-outs');
    const marks = new DynamoDbPendingFanOuts(client, table);
    await marks.open('sync-ok', new Date());
    await client.send(new PutItemCommand({ TableName: table, Item: { pk: { S: PENDING_FAN_OUT_PK }, sk: { S: 'SYNC#sync-bad' }, syncId: { S: 'sync-bad' }, openedAt: { S: 'yesterday' } } }));
    await expect(marks.list()).rejects.toThrow(/pending fan-out "SYNC#sync-bad".*openedAt/);
    await client.send(new PutItemCommand({ TableName: table, Item: { pk: { S: PENDING_FAN_OUT_PK }, sk: { S: 'SYNC#sync-bad' }, syncId: { S: 'sync-other' }, openedAt: { S: new Date().toISOString() } } }));
    await expect(marks.list()).rejects.toThrow(/names sync "sync-other"/);
  });
});
