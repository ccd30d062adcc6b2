import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Digest } from '../../core/digest.ts';
import type { RepositoryKey } from '../../core/pipeline/model.ts';
import type { BackfillMarks } from '../../core/ports.ts';
import { mapLimit } from '../../core/util/map-limit.ts';
import type { DynamoDbTableOptions } from './dynamodb-claim-store.ts';

export interface BackfillMarksOptions extends DynamoDbTableOptions {
  /** How long a mark taken but not yet confirmed sent keeps other callers off (a crash in between). @default 10 minutes */
  readonly leaseMs?: number;
  /** Marks expire (DynamoDB TTL) this many days after they were taken: a run is not resumed later than that. @default 7 */
  readonly retentionDays?: number;
  /** Conditional writes in flight at once. @default 16 */
  readonly concurrency?: number;
}

/** One partition per run and repository, so a large run spreads its writes; keys as the findings table's use `#`. */
export const backfillMarkPk = (runId: string, repository: RepositoryKey): string => `BACKFILL#${runId}#${repository.account}#${repository.region}#${repository.repository}`;
export const backfillMarkSk = (digest: Digest): string => `DIGEST#${digest}`;

/**
 * Backfill marks in the findings table, one item per (run, repository, digest). Taking one is a
 * conditional put (absent, or QUEUING with an expired lease), so of any number of callers with the
 * same run exactly one sends the request; `sent` turns it SENT, which nothing takes again. A crash
 * between the put and the send leaves it QUEUING until the lease runs out; the rerun then sends it
 * (a crash after the send but before `sent` may send a request twice: the scan claim absorbs that).
 */
export class DynamoDbBackfillMarks implements BackfillMarks {
  constructor(private readonly options: BackfillMarksOptions) {}

  async claim(runId: string, repository: RepositoryKey, digests: readonly Digest[], now: Date): Promise<readonly Digest[]> {
    const leaseUntil = now.getTime() + (this.options.leaseMs ?? 600_000);
    const expiresAt = Math.ceil(now.getTime() / 1000) + (this.options.retentionDays ?? 7) * 86_400;
    const taken = await mapLimit([...new Set(digests)], this.options.concurrency ?? 16, async (digest) => {
      try {
        await this.options.client.send(
          new PutCommand({
            TableName: this.options.tableName,
            Item: { pk: backfillMarkPk(runId, repository), sk: backfillMarkSk(digest), type: 'backfill-mark', state: 'QUEUING', leaseUntil, takenAt: now.toISOString(), expiresAt },
            ConditionExpression: 'attribute_not_exists(pk) OR (#state = :queuing AND leaseUntil < :now)',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: { ':queuing': 'QUEUING', ':now': now.getTime() },
          }),
        );
        return digest;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return undefined;
        throw error;
      }
    });
    return taken.filter((digest): digest is Digest => digest !== undefined);
  }

  async sent(runId: string, repository: RepositoryKey, digests: readonly Digest[]): Promise<void> {
    await mapLimit([...new Set(digests)], this.options.concurrency ?? 16, async (digest) => {
      await this.options.client.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: { pk: backfillMarkPk(runId, repository), sk: backfillMarkSk(digest) },
          UpdateExpression: 'SET #state = :sent REMOVE leaseUntil',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':sent': 'SENT' },
        }),
      );
    });
  }
}
