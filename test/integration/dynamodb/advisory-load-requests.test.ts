import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbAdvisoryLoadRequests } from '../../../lambdas/adapters/dynamodb/dynamodb-advisory-load-requests.ts';
import { ADVISORY_TABLE } from '../../../lambdas/adapters/dynamodb/table-schema.ts';
import { createLocalTable, localDynamoDbClient } from '../../support/dynamodb-tables.ts';

/** Load requests on a real advisory table (DynamoDB Local): one item per ecosystem, listed by one Query. */
describe('DynamoDB advisory load requests', () => {
  const t1 = new Date('2026-12-01T10:00:00Z');
  const t2 = new Date('2026-12-01T11:30:00Z');
  const t3 = new Date('2026-12-02T08:00:00Z');
  let client: DynamoDBClient;
  let commands: string[];
  let table: string;
  let requests: DynamoDbAdvisoryLoadRequests;

  beforeEach(async () => {
    client = localDynamoDbClient();
    commands = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        commands.push(String(context.commandName));
        return next(args);
      },
      { step: 'initialize', name: 'customsTestCommands' },
    );
    table = await createLocalTable(client, ADVISORY_TABLE, 'load-requests');
    requests = new DynamoDbAdvisoryLoadRequests(client, table);
    commands.length = 0;
  });

  it('keeps one entry per ecosystem: first asked, last asked and how often', async () => {
    await requests.request(['npm', 'PyPI'], t1);
    await requests.request(['npm'], t2);
    await requests.request(['Debian', 'npm', 'npm'], t3);
    expect(await requests.list()).toEqual([
      { ecosystem: 'Debian', firstRequestedAt: t3, lastRequestedAt: t3, count: 1 },
      { ecosystem: 'PyPI', firstRequestedAt: t1, lastRequestedAt: t1, count: 1 },
      // A name asked twice in one request counts once.
      { ecosystem: 'npm', firstRequestedAt: t1, lastRequestedAt: t3, count: 3 },
    ]);
  });

  it('converges on one item under concurrent requests', async () => {
    await Promise.all(Array.from({ length: 12 }, () => requests.request(['Alpine'], t1)));
    expect(await requests.list()).toEqual([{ ecosystem: 'Alpine', firstRequestedAt: t1, lastRequestedAt: t1, count: 12 }]);
  });

  it('lists with Query alone, reading nothing but the load-request partition', async () => {
    // What else the table holds: a freshness item and a record chunk, as the loader writes them.
    await client.send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'ECO#npm' }, sk: { S: 'FRESHNESS' }, ecosystem: { S: 'npm' }, loadedAt: { S: t1.toISOString() } } }));
    await client.send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'PKG#npm#lodash' }, sk: { S: 'REC#GHSA-x#000' } } }));
    await requests.request(['Go'], t1);
    commands.length = 0;
    expect((await requests.list()).map((request) => request.ecosystem)).toEqual(['Go']);
    expect(new Set(commands)).toEqual(new Set(['QueryCommand']));
  });

  it('cannot confuse ecosystems through the key separator, and skips an item that does not match its schema', async () => {
    await requests.request(['a#b', 'a%23b'], t1);
    const stored = await client.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'LOAD_REQUEST' }, sk: { S: 'ECOSYSTEM#a%2523b' } } }));
    expect(stored.Item?.ecosystem?.S).toBe('a%23b');
    await client.send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'LOAD_REQUEST' }, sk: { S: 'ECOSYSTEM#broken' }, ecosystem: { S: 'broken' }, count: { S: 'many' } } }));
    expect((await requests.list()).map((request) => request.ecosystem)).toEqual(['a#b', 'a%23b']);
  });
});
