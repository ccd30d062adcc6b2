import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { findingsDocumentClient } from '../../../lambdas/adapters/dynamodb/document-client.ts';
import { DynamoDbScanResultStore } from '../../../lambdas/adapters/dynamodb/dynamodb-scan-result-store.ts';
import { FINDINGS_TABLE } from '../../../lambdas/adapters/dynamodb/table-schema.ts';
import { parseDigest, type Digest } from '../../../lambdas/core/digest.ts';
import type { ScanRecord } from '../../../lambdas/core/pipeline/model.ts';
import { createLocalTable, localDynamoDbClient } from '../../support/dynamodb-tables.ts';

const randomDigest = (): Digest => parseDigest(`sha256:${randomBytes(32).toString('hex')}`);

/** A result waiting for `ecosystems` (ADVISORIES_UNAVAILABLE), or SCANNED when there are none. */
function record(digest: Digest, ecosystems: readonly string[], at: Date): ScanRecord {
  const waiting = ecosystems.length > 0;
  return {
    digest,
    scannerVersion: 'v',
    status: waiting ? 'ADVISORIES_UNAVAILABLE' : 'SCANNED',
    layers: [],
    packageCount: 0,
    findingCount: 0,
    severityCounts: {},
    advisories: ecosystems.map((ecosystem) => ({ ecosystem })),
    ...(waiting ? { unavailableEcosystems: ecosystems } : {}),
    startedAt: at,
    finishedAt: at,
  };
}

/** The index of images waiting for an ecosystem's advisories, on DynamoDB Local: kept with each save, crash at any step. */
describe('waiting index of the scan result store', () => {
  const base = localDynamoDbClient();
  let tableName: string;
  let store: DynamoDbScanResultStore;
  const at = (day: number): Date => new Date(Date.UTC(2026, 11, day, 10));

  beforeAll(async () => {
    tableName = await createLocalTable(base, FINDINGS_TABLE, 'waiting-index');
    store = new DynamoDbScanResultStore({ client: findingsDocumentClient(base), tableName });
  });

  const waitingSet = async (digest: Digest) => (await base.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: `SCAN#${digest}` }, sk: { S: 'WAITSET' } }, ConsistentRead: true }))).Item;

  it('finds a digest under each ecosystem it waits for, and drops each as a later save stops waiting for it', async () => {
    const digest = randomDigest();
    const other = randomDigest();
    await store.save(record(digest, ['PyPI', 'npm'], at(1)), [], []);
    await store.save(record(other, ['npm'], at(1)), [], []);
    expect([...(await store.digestsWaitingFor('npm'))].sort()).toEqual([digest, other].sort());
    expect(await store.digestsWaitingFor('PyPI')).toEqual([digest]);

    await store.save(record(digest, ['npm'], at(2)), [], []);
    expect(await store.digestsWaitingFor('PyPI')).toEqual([]);
    expect([...(await store.digestsWaitingFor('npm'))].sort()).toEqual([digest, other].sort());

    await store.save(record(digest, [], at(3)), [], []);
    expect(await store.digestsWaitingFor('npm')).toEqual([other]);
    // Nothing of the waiting index is left in the digest's partition either.
    expect(await waitingSet(digest)).toBeUndefined();
    expect(await waitingSet(other)).toBeDefined();
  });

  it('writes nothing of the index for a scan that never waited', async () => {
    const digest = randomDigest();
    await store.save(record(digest, [], at(1)), [], []);
    expect(await waitingSet(digest)).toBeUndefined();
  });

  it('removes the entry a crashed save wrote before its commit once the rerun no longer waits', async () => {
    const digest = randomDigest();
    await store.save(record(digest, [], at(1)), [], []);
    // A rescan that waits for Go crashes at its commit: its index entry is already written.
    const crashing = new DynamoDbScanResultStore({ client: findingsDocumentClient(failingResultPut()), tableName });
    await expect(crashing.save(record(digest, ['Go'], at(2)), [], [])).rejects.toThrow('crash');
    expect(await store.digestsWaitingFor('Go')).toEqual([digest]);
    expect((await store.get(digest))?.status).toBe('SCANNED');
    // Go's advisories were loaded before the retry: it commits SCANNED, and the entry goes.
    await store.save(record(digest, [], at(3)), [], []);
    expect(await store.digestsWaitingFor('Go')).toEqual([]);
    expect(await waitingSet(digest)).toBeUndefined();
  });

  it('still removes the committed scan’s entries when the waiting set item is unreadable', async () => {
    const digest = randomDigest();
    await store.save(record(digest, ['Maven'], at(1)), [], []);
    await base.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: `SCAN#${digest}` }, sk: { S: 'WAITSET' }, ecosystems: { S: 'not a list' } } }));
    await store.save(record(digest, ['NuGet'], at(2)), [], []);
    expect(await store.digestsWaitingFor('Maven')).toEqual([]);
    expect(await store.digestsWaitingFor('NuGet')).toEqual([digest]);
    expect((await waitingSet(digest))?.ecosystems?.L?.map((entry) => entry.S)).toEqual(['NuGet']);
  });

  function failingResultPut(): DynamoDBClient {
    const client = localDynamoDbClient();
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { Item?: { sk?: { S?: string } } };
        if (context.commandName === 'PutItemCommand' && input.Item?.sk?.S === 'RESULT') throw new Error('crash before the commit');
        return next(args);
      },
      { step: 'build', name: 'customsTestCrash' },
    );
    return client;
  }
});
