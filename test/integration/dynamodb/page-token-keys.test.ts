import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { findingsDocumentClient } from '../../../lambdas/adapters/dynamodb/document-client.ts';
import { DynamoDbPageTokenKeys, PAGE_TOKEN_KEYS_KEY, rotatePageTokenKeys } from '../../../lambdas/adapters/dynamodb/dynamodb-page-token-keys.ts';
import { FINDINGS_TABLE } from '../../../lambdas/adapters/dynamodb/table-schema.ts';
import { decodePageToken, encodePageToken } from '../../../lambdas/core/api/page-token.ts';
import { createLocalTable, localDynamoDbClient } from '../../support/dynamodb-tables.ts';

const scope = { route: 'GET /images', query: { repository: 'team/app', limit: 10 } };
const now = new Date('2026-12-01T10:00:00Z');
const hex = (keys: { keys: readonly Uint8Array[] }) => keys.keys.map((key) => Buffer.from(key).toString('hex'));

/** Page-token signing keys in the findings table on DynamoDB Local: created once however many instances race, cached, rotated. */
describe('DynamoDB page token keys', () => {
  const base = localDynamoDbClient();
  const documents = findingsDocumentClient(base);
  let table: { client: typeof documents; tableName: string };

  beforeAll(async () => {
    table = { client: documents, tableName: await createLocalTable(base, FINDINGS_TABLE, 'page-token-keys') };
  });

  it('creates one key on first use, the same for instances racing to create it', async () => {
    const instances = Array.from({ length: 6 }, () => new DynamoDbPageTokenKeys(table));
    const keys = await Promise.all(instances.map((instance) => instance.keys()));
    expect(keys[0]!.keys).toHaveLength(1);
    expect(keys[0]!.keys[0]!.byteLength).toBe(32);
    for (const other of keys) expect(hex(other)).toEqual(hex(keys[0]!));
    // A token one instance signs, another verifies.
    const token = encodePageToken({ pk: 'x' }, scope, keys[1]!, now);
    expect(decodePageToken(token, scope, keys[4]!, now)).toEqual({ pk: 'x' });
  });

  it('keeps keys read for the cache time, then reads a rotation; tokens signed before still verify', async () => {
    let at = now;
    const source = new DynamoDbPageTokenKeys({ ...table, cacheMs: 60_000, clock: { now: () => at } });
    const before = await source.keys();
    const token = encodePageToken({ sk: 'y' }, scope, before, now);
    const rotated = await rotatePageTokenKeys(table);
    expect(rotated.keys).toHaveLength(before.keys.length + 1);
    expect(hex(rotated).slice(1)).toEqual(hex(before));
    at = new Date(now.getTime() + 59_000);
    expect(hex(await source.keys())).toEqual(hex(before));
    at = new Date(now.getTime() + 61_000);
    const after = await source.keys();
    expect(hex(after)).toEqual(hex(rotated));
    expect(decodePageToken(token, scope, after, now)).toEqual({ sk: 'y' });
    // New tokens are signed with the new key: the old keys alone no longer verify them.
    const fresh = encodePageToken({ sk: 'z' }, scope, after, now);
    expect(() => decodePageToken(fresh, scope, before, now)).toThrow(/altered/);
  });

  it('keeps the three newest keys through rotations, racing ones included', async () => {
    await Promise.all([rotatePageTokenKeys(table), rotatePageTokenKeys(table)]);
    const { Item } = await documents.send(new GetCommand({ TableName: table.tableName, Key: PAGE_TOKEN_KEYS_KEY }));
    expect(Item?.['keys']).toHaveLength(3);
    expect(Item?.['revision']).toBe(4);
    expect(new Set(Item?.['keys'] as string[]).size).toBe(3);
  });

  it('refuses a stored key that is too short rather than signing with it', async () => {
    const other = { client: documents, tableName: await createLocalTable(base, FINDINGS_TABLE, 'page-token-keys-bad') };
    await documents.send(new PutCommand({ TableName: other.tableName, Item: { ...PAGE_TOKEN_KEYS_KEY, keys: [Buffer.alloc(8).toString('base64')], revision: 1 } }));
    await expect(new DynamoDbPageTokenKeys(other).keys()).rejects.toThrow(/malformed/);
  });
});
