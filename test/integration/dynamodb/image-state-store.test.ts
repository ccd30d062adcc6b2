import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { findingsDocumentClient } from '../../../lambdas/adapters/dynamodb/document-client.ts';
import { DynamoDbImageStateStore } from '../../../lambdas/adapters/dynamodb/dynamodb-image-state-store.ts';
import { DynamoDbRepositoryCatalogue } from '../../../lambdas/adapters/dynamodb/dynamodb-repository-catalogue.ts';
import { FINDINGS_TABLE } from '../../../lambdas/adapters/dynamodb/table-schema.ts';
import { parseDigest, type Digest } from '../../../lambdas/core/digest.ts';
import type { ScanRequest } from '../../../lambdas/core/pipeline/model.ts';
import { createLocalTable, localDynamoDbClient } from '../../support/dynamodb-tables.ts';

const randomDigest = (): Digest => parseDigest(`sha256:${randomBytes(32).toString('hex')}`);
const t = (minutes: number) => new Date(Date.UTC(2026, 11, 1, 10, minutes));

/** Image state, tags and the catalogue on DynamoDB Local: every change atomic, every rerun harmless. */
describe('DynamoDB image state store', () => {
  const base = localDynamoDbClient();
  let images: DynamoDbImageStateStore;
  let catalogue: DynamoDbRepositoryCatalogue;

  let options: { client: ReturnType<typeof findingsDocumentClient>; tableName: string };

  beforeAll(async () => {
    options = { client: findingsDocumentClient(base), tableName: await createLocalTable(base, FINDINGS_TABLE, 'image-state') };
    images = new DynamoDbImageStateStore(options);
    catalogue = new DynamoDbRepositoryCatalogue(options);
  });

  const push = (repository: string, digest: Digest, tag: string | undefined, minutes: number): ScanRequest => ({ account: '111122223333', region: 'us-east-1', repository, digest, ...(tag ? { tag } : {}), pushedAt: t(minutes), kind: 'push' });
  const entry = async (repository: string) => (await catalogue.list()).find((one) => one.repository === repository);

  it('counts each image once however often its events repeat, in parallel or not', async () => {
    const digest = randomDigest();
    await Promise.all(Array.from({ length: 6 }, () => images.recordPush(push('team/count', digest, 'v1', 1), t(2))));
    await images.recordPush(push('team/count', digest, 'v1', 1), t(3));
    expect(await entry('team/count')).toMatchObject({ images: 1, deleted: 0, lastPushAt: t(1) });
    expect(await images.get({ account: '111122223333', region: 'us-east-1', repository: 'team/count', digest })).toMatchObject({ tags: ['v1'], pushedAt: t(1), firstSeenAt: t(2), children: [], parents: [] });
  });

  it('removes a tag only from the image it names, and records the history', async () => {
    const [a, b] = [randomDigest(), randomDigest()];
    const key = (digest: Digest) => ({ account: '111122223333', region: 'us-east-1', repository: 'team/tags', digest });
    await images.recordPush(push('team/tags', a, 'latest', 1), t(1));
    await images.recordPush(push('team/tags', b, 'latest', 2), t(2));
    await images.removeTag(key(a), 'latest', t(3)); // a stale DELETE: latest is on b now
    expect((await images.get(key(b)))?.tags).toEqual(['latest']);
    await images.removeTag(key(b), 'latest', t(4));
    await images.removeTag(key(b), 'latest', t(4)); // at least once
    expect((await images.get(key(b)))?.tags).toEqual([]);
    const history = await images.repositoryTagHistory({ account: '111122223333', region: 'us-east-1', repository: 'team/tags' });
    expect(history[0]).toEqual({ tag: 'latest', digest: b, at: t(4), action: 'untagged' });
    expect(history.map((event) => `${event.action} ${event.digest === a ? 'a' : 'b'}`)).toEqual(['untagged b', 'untagged a', 'untagged a', 'tagged b', 'tagged a']);
  });

  it('lets tag history expire the configured days after each change, and only the history', async () => {
    const digest = randomDigest();
    const retained = new DynamoDbImageStateStore({ ...options, historyRetentionDays: 30 });
    await retained.recordPush(push('team/ttl', digest, 'v1', 1), t(1));
    const { Items = [] } = await options.client.send(
      new QueryCommand({ TableName: options.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'IMAGE#111122223333#us-east-1#team/ttl' } }),
    );
    const expiring = Items.filter((item) => item.expiresAt !== undefined);
    expect(expiring.map((item) => String(item.sk).split('#')[0])).toEqual(['TAGLOG']);
    expect(expiring[0]!.expiresAt).toBe(t(1).getTime() / 1000 + 30 * 86_400);
    expect(Items.length).toBeGreaterThan(expiring.length);
  });

  it('retries a transaction cancelled by a conflict with another, and throws one that keeps conflicting', async () => {
    const conflicting = (times: number) => {
      const client = localDynamoDbClient();
      let left = times;
      client.middlewareStack.add(
        (next, context) => async (args) => {
          if (context.commandName === 'TransactWriteItemsCommand' && left > 0) {
            left -= 1;
            throw new TransactionCanceledException({ message: 'Transaction cancelled', $metadata: {}, CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict' }] });
          }
          return next(args);
        },
        { step: 'build', name: 'customsTestTransactionConflict' },
      );
      return new DynamoDbImageStateStore({ ...options, client: findingsDocumentClient(client) });
    };
    const digest = randomDigest();
    await conflicting(2).recordPush(push('team/conflict', digest, 'v1', 1), t(1));
    expect(await entry('team/conflict')).toMatchObject({ images: 1 });
    expect((await images.get({ account: '111122223333', region: 'us-east-1', repository: 'team/conflict', digest }))?.tags).toEqual(['v1']);
    const stuck = await conflicting(100).recordPush(push('team/conflict', randomDigest(), 'v2', 2), t(2)).catch((error: unknown) => error);
    expect(stuck).toBeInstanceOf(TransactionCanceledException);
  });

  it('counts a deletion once, and restores an image pushed again', async () => {
    const digest = randomDigest();
    const key = { account: '111122223333', region: 'us-east-1', repository: 'team/deleted', digest };
    await images.recordPush(push('team/deleted', digest, 'v1', 1), t(1));
    await images.markDeleted(key, t(5));
    await images.markDeleted(key, t(6));
    expect(await entry('team/deleted')).toMatchObject({ images: 1, deleted: 1 });
    expect((await images.get(key))?.deletedAt).toEqual(t(5));
    await images.recordPush(push('team/deleted', digest, 'v1', 1), t(7));
    expect((await images.get(key))?.deletedAt).toBeUndefined();
    expect(await entry('team/deleted')).toMatchObject({ images: 1, deleted: 0 });
  });

  it('links an index and children that arrived first, creating states for children not seen yet', async () => {
    const [index, seen, unseen] = [randomDigest(), randomDigest(), randomDigest()];
    const key = (digest: Digest) => ({ account: '111122223333', region: 'us-east-1', repository: 'team/multi', digest });
    await images.recordPush(push('team/multi', seen, undefined, 1), t(1));
    await images.recordPush(push('team/multi', index, 'v1', 2), t(2));
    await images.linkChildren(key(index), [seen, unseen]);
    await images.linkChildren(key(index), [seen, unseen]);
    expect((await images.get(key(index)))?.children).toEqual([seen, unseen].sort());
    expect((await images.get(key(unseen)))?.parents).toEqual([index]);
    expect(await entry('team/multi')).toMatchObject({ images: 3 });
    const newest = await images.imagesOfRepository({ account: '111122223333', region: 'us-east-1', repository: 'team/multi' });
    expect(newest.map((image) => image.digest)[0]).not.toBe(seen);
  });
});
