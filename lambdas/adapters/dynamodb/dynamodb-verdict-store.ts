import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { CustomsError } from '../../core/errors.ts';
import type { ImageKey } from '../../core/pipeline/model.ts';
import type { StoredVerdict, VerdictStore, VerdictWrite } from '../../core/ports.ts';
import { backoffDelay, resendUnprocessed, sleep, type RetryOptions } from './batch-retry.ts';
import type { DynamoDbTableOptions } from './dynamodb-claim-store.ts';
import { imagePk } from './findings-keys.ts';
import { describeKey, packVerdict, unpackVerdict, verdictSk } from './verdict-items.ts';

export interface VerdictStoreOptions extends DynamoDbTableOptions {
  /** Backoff for getMany's unprocessed keys and throttled batches. */
  readonly batchRetry?: RetryOptions;
}

/** BatchGetItem's cap per request. */
const BATCH = 100;
/** Confirm's read-and-write rounds when other writers keep changing the item in between. */
const CONFIRM_ATTEMPTS = 5;

type DocumentKey = { pk: string; sk: string };

/**
 * Verdicts per image state in the image's partition (`sk = VERDICT#<digest>`, verdict-items.ts),
 * with the outbox of their alerts in the same item. Every write is a whole-item PutItem conditional
 * on the revision it was decided from, so two writers never both win, and a confirm that races a
 * new verdict either lands first (the writer's put fails and it decides again from the confirmed
 * state) or finds the pending gone or replaced (and does nothing): no change is lost either way.
 */
export class DynamoDbVerdictStore implements VerdictStore {
  constructor(private readonly options: VerdictStoreOptions) {}

  async get(key: ImageKey): Promise<StoredVerdict | undefined> {
    const { Item } = await this.options.client.send(new GetCommand({ TableName: this.options.tableName, Key: keyOf(key), ConsistentRead: true }));
    return Item ? unpackVerdict(key, Item) : undefined;
  }

  /**
   * Consistent reads, 100 keys a request, unprocessed keys resent with backoff (a batch of large
   * verdicts can also pass BatchGetItem's 16 MB answer and come back partly unprocessed). An
   * evaluation run reads then writes conditionally, so a stale read would only cost a failed write.
   */
  async getMany(keys: readonly ImageKey[]): Promise<readonly (StoredVerdict | undefined)[]> {
    const { client, tableName } = this.options;
    const found = new Map<string, Record<string, unknown>>();
    const distinct = [...new Map(keys.map((key) => [idOf(keyOf(key)), keyOf(key)])).values()];
    const maxAttempts = this.options.batchRetry?.maxAttempts ?? 12;
    const exhausted = (left: number) => new CustomsError('network', `findings table ${tableName}: ${left} verdict reads still unprocessed after ${maxAttempts} attempts`);
    for (let start = 0; start < distinct.length; start += BATCH) {
      await resendUnprocessed(
        distinct.slice(start, start + BATCH),
        async (pending) => {
          const output = await client.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } } }));
          for (const item of output.Responses?.[tableName] ?? []) found.set(idOf({ pk: String(item.pk), sk: String(item.sk) }), item);
          return (output.UnprocessedKeys?.[tableName]?.Keys ?? []) as DocumentKey[];
        },
        { ...this.options.batchRetry, maxAttempts, exhausted },
      );
    }
    return keys.map((key) => {
      const item = found.get(idOf(keyOf(key)));
      return item ? unpackVerdict(key, item) : undefined;
    });
  }

  async put(key: ImageKey, write: VerdictWrite, expectedRevision: number | undefined): Promise<boolean> {
    const { item } = packVerdict(key, write, (expectedRevision ?? 0) + 1);
    try {
      await this.options.client.send(
        new PutCommand({
          TableName: this.options.tableName,
          Item: item,
          ...(expectedRevision === undefined
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : { ConditionExpression: 'revision = :expected', ExpressionAttributeValues: { ':expected': expectedRevision } }),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /**
   * Moves the pending announcement's `announced` into place when `alertId` is still the pending
   * one, as a put over the revision read: a writer that got in between makes the put fail, and the
   * item is read again, so the confirm applies to what that writer left (its pending may be the
   * same alert) or, when the alert is no longer pending, does nothing. Idempotent.
   */
  async confirm(key: ImageKey, alertId: string): Promise<void> {
    for (let attempt = 0; attempt < CONFIRM_ATTEMPTS; attempt++) {
      if (attempt > 0) await sleep(backoffDelay(attempt, this.options.batchRetry ?? {}));
      const stored = await this.get(key);
      if (!stored?.pending || stored.pending.alert.alertId !== alertId) return;
      if (await this.put(key, { verdict: stored.verdict, announced: stored.pending.announced }, stored.revision)) return;
    }
    throw new Error(`${describeKey(key)}: alert ${alertId} could not be confirmed, the item kept changing (${CONFIRM_ATTEMPTS} attempts)`);
  }
}

function keyOf(key: ImageKey): DocumentKey {
  return { pk: imagePk(key), sk: verdictSk(key.digest) };
}

function idOf(key: DocumentKey): string {
  return `${key.pk}\0${key.sk}`;
}
