import { ConditionalCheckFailedException, DeleteItemCommand, PutItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SyncLease } from '../../core/ports.ts';

const LEASE_KEY = { pk: { S: 'SYNC#LEASE' }, sk: { S: 'LEASE' } };

/**
 * The sync lease as one item on the advisory table. Taking it is a conditional put (absent,
 * expired, or already ours), so of overlapping runs exactly one holds it; renew and release are
 * conditional on the holder, so a run whose lease expired and was taken cannot extend or drop the
 * new holder's. A run that dies leaves the lease to expire; TTL removes it a day later.
 */
export class DynamoDbSyncLease implements SyncLease {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
  ) {}

  async acquire(holder: string, now: Date, leaseMs: number): Promise<boolean> {
    return conditional(() =>
      this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: { ...LEASE_KEY, holder: { S: holder }, ...expiry(now, leaseMs) },
          ConditionExpression: 'attribute_not_exists(pk) OR leaseExpiresAt < :now OR holder = :holder',
          ExpressionAttributeValues: { ':now': { N: String(now.getTime()) }, ':holder': { S: holder } },
        }),
      ),
    );
  }

  async renew(holder: string, now: Date, leaseMs: number): Promise<boolean> {
    const { leaseExpiresAt, expiresAt } = expiry(now, leaseMs);
    return conditional(() =>
      this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: LEASE_KEY,
          UpdateExpression: 'SET leaseExpiresAt = :until, expiresAt = :ttl',
          ConditionExpression: 'holder = :holder',
          ExpressionAttributeValues: { ':until': leaseExpiresAt, ':ttl': expiresAt, ':holder': { S: holder } },
        }),
      ),
    );
  }

  async release(holder: string): Promise<void> {
    await conditional(() => this.client.send(new DeleteItemCommand({ TableName: this.table, Key: LEASE_KEY, ConditionExpression: 'holder = :holder', ExpressionAttributeValues: { ':holder': { S: holder } } })));
  }
}

function expiry(now: Date, leaseMs: number): { leaseExpiresAt: { N: string }; expiresAt: { N: string } } {
  const until = now.getTime() + leaseMs;
  return { leaseExpiresAt: { N: String(until) }, expiresAt: { N: String(Math.ceil(until / 1000) + 86_400) } };
}

async function conditional(send: () => Promise<unknown>): Promise<boolean> {
  try {
    await send();
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
