import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Digest } from '../../core/digest.ts';
import type { ConfirmableRescanMarks } from '../../core/use-cases/queue-rescans.ts';
import { mapLimit } from '../../core/util/map-limit.ts';
import { retryThrottled, type RetryOptions } from './batch-retry.ts';
import { batchWriteDocuments } from './batch-write-documents.ts';
import type { DynamoDbTableOptions } from './dynamodb-claim-store.ts';
import { scanPk } from './findings-keys.ts';

export interface RescanMarksOptions extends DynamoDbTableOptions {
  /** Marks expire (DynamoDB TTL) this long after they were claimed. Default 3 days, past any sync's fan-out and its retries. */
  readonly retentionMs?: number;
  /**
   * A mark claimed but not confirmed (its fan-out died before or while enqueueing) may be claimed
   * again after this. Default 5 minutes: longer than a fan-out takes from claim to send.
   */
  readonly claimLeaseMs?: number;
  /** Conditional puts in flight at once. Default 25. */
  readonly concurrency?: number;
  readonly retry?: RetryOptions;
  readonly now?: () => Date;
}

/** `RESCAN#<syncId>`: one partition per sync, one item per digest (`SCAN#<digest>`, as the scan's partition is named). */
export const rescanMarkPk = (syncId: string): string => `RESCAN#${syncId}`;

const DEFAULT_RETENTION_MS = 3 * 86_400_000;
const DEFAULT_CLAIM_LEASE_MS = 5 * 60_000;

/**
 * Rescan marks in the findings table: a conditional PutItem per (syncId, digest), in parallel. Not a
 * transaction: TransactWriteItems costs two write units per item against PutItem's one, and one
 * failed condition (an overlapping fan-out's mark) cancels the whole transaction, so it would be
 * resent without the marked items, paying again; BatchWriteItem takes no conditions. A failed
 * condition costs one write unit, as the put would.
 *
 * A mark is `claimed` until its fan-out confirms it `queued` after the send (one BatchWriteItem per
 * 25); a claimed mark older than the lease can be claimed again, so a fan-out that died between the
 * mark and the send is redone by its retry instead of losing those rescans.
 */
export class DynamoDbRescanMarks implements ConfirmableRescanMarks {
  constructor(private readonly options: RescanMarksOptions) {}

  async claim(syncId: string, digests: readonly Digest[]): Promise<readonly Digest[]> {
    const now = this.now();
    const stale = new Date(now.getTime() - (this.options.claimLeaseMs ?? DEFAULT_CLAIM_LEASE_MS));
    const unique = [...new Set(digests)];
    const won = await mapLimit(unique, this.options.concurrency ?? 25, (digest) => this.claimOne(syncId, digest, now, stale));
    return unique.filter((_, index) => won[index]);
  }

  async confirm(syncId: string, digests: readonly Digest[]): Promise<void> {
    const now = this.now();
    const items = [...new Set(digests)].map((digest) => ({ PutRequest: { Item: this.item(syncId, digest, 'queued', now) } }));
    await batchWriteDocuments(this.options.client, this.options.tableName, items, this.options.retry ?? {});
  }

  private async claimOne(syncId: string, digest: Digest, now: Date, stale: Date): Promise<boolean> {
    try {
      await retryThrottled(
        () =>
          this.options.client.send(
            new PutCommand({
              TableName: this.options.tableName,
              Item: this.item(syncId, digest, 'claimed', now),
              ConditionExpression: 'attribute_not_exists(pk) OR (#state = :claimed AND claimedAt < :stale)',
              ExpressionAttributeNames: { '#state': 'state' },
              ExpressionAttributeValues: { ':claimed': 'claimed', ':stale': stale.toISOString() },
            }),
          ),
        this.options.retry,
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  private item(syncId: string, digest: Digest, state: 'claimed' | 'queued', now: Date): Record<string, unknown> {
    return {
      pk: rescanMarkPk(syncId),
      sk: scanPk(digest),
      type: 'rescan-mark',
      state,
      claimedAt: now.toISOString(),
      expiresAt: Math.ceil((now.getTime() + (this.options.retentionMs ?? DEFAULT_RETENTION_MS)) / 1000),
    };
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }
}
