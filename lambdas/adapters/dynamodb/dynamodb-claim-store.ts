import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ClaimLostError } from '../../core/pipeline/scan-errors.ts';
import type { ClaimOutcome, ScanClaimKey, ScanClaimStore } from '../../core/ports.ts';
import { claimSk, scanPk } from './findings-keys.ts';

const claimItemSchema = z.object({
  state: z.enum(['LEASED', 'DONE']),
  token: z.string(),
  leaseExpiresAt: z.number(),
});

/** Expired leases linger a day for inspection, then TTL deletes them (a deleted lease is a free claim). */
const LEASE_RETENTION_S = 86_400;

export interface DynamoDbTableOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

/**
 * Scan claims as one item per (digest, scanner version). Taking one is a single conditional put
 * (absent, or leased with an expired lease), so of any number of concurrent claimers exactly one
 * wins; a loser reads the item (consistently) to learn whether it is done or busy.
 */
export class DynamoDbClaimStore implements ScanClaimStore {
  constructor(private readonly options: DynamoDbTableOptions) {}

  async claim(key: ScanClaimKey, options: { readonly now: Date; readonly leaseMs: number }): Promise<ClaimOutcome> {
    const token = randomUUID();
    const leaseExpiresAt = options.now.getTime() + options.leaseMs;
    try {
      await this.options.client.send(
        new PutCommand({
          TableName: this.options.tableName,
          Item: {
            ...claimKey(key),
            type: 'claim',
            state: 'LEASED',
            token,
            leaseExpiresAt,
            claimedAt: options.now.toISOString(),
            expiresAt: Math.ceil(leaseExpiresAt / 1000) + LEASE_RETENTION_S,
          },
          ConditionExpression: 'attribute_not_exists(pk) OR (#state = :leased AND leaseExpiresAt < :now)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':leased': 'LEASED', ':now': options.now.getTime() },
        }),
      );
      return { outcome: 'claimed', token, leaseExpiresAt: new Date(leaseExpiresAt) };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const held = await this.read(key);
      if (!held) return this.claim(key, options); // deleted between the write and the read: try again
      return held.state === 'DONE' ? { outcome: 'done' } : { outcome: 'busy', leaseExpiresAt: new Date(held.leaseExpiresAt) };
    }
  }

  async complete(key: ScanClaimKey, token: string, now: Date): Promise<void> {
    try {
      await this.options.client.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: claimKey(key),
          UpdateExpression: 'SET #state = :done, completedAt = :now REMOVE expiresAt',
          ConditionExpression: '#token = :token',
          ExpressionAttributeNames: { '#state': 'state', '#token': 'token' },
          ExpressionAttributeValues: { ':done': 'DONE', ':now': now.toISOString(), ':token': token },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new ClaimLostError(`the claim on ${key.digest} (${key.scannerVersion}) was taken over before this scan completed`);
      throw error;
    }
  }

  async release(key: ScanClaimKey, token: string): Promise<void> {
    try {
      await this.options.client.send(
        new DeleteCommand({
          TableName: this.options.tableName,
          Key: claimKey(key),
          ConditionExpression: '#token = :token AND #state = :leased',
          ExpressionAttributeNames: { '#state': 'state', '#token': 'token' },
          ExpressionAttributeValues: { ':leased': 'LEASED', ':token': token },
        }),
      );
    } catch (error) {
      // Someone else's lease now, or already done: nothing of ours to give back.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  private async read(key: ScanClaimKey): Promise<z.infer<typeof claimItemSchema> | undefined> {
    const { Item } = await this.options.client.send(new GetCommand({ TableName: this.options.tableName, Key: claimKey(key), ConsistentRead: true }));
    return Item ? claimItemSchema.parse(Item) : undefined;
  }
}

function claimKey(key: ScanClaimKey): { pk: string; sk: string } {
  return { pk: scanPk(key.digest), sk: claimSk(key.scannerVersion) };
}
