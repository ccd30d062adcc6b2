import { BatchGetItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CustomsError } from '../../core/errors.ts';
import { resendUnprocessed, type RetryOptions } from './batch-retry.ts';

export type Item = Record<string, AttributeValue>;
export interface ItemKey {
  readonly pk: string;
  readonly sk: string;
}

/** BatchGetItem's cap per request. */
const BATCH = 100;

/**
 * Reads items by key, 100 per BatchGetItem, resending UnprocessedKeys and throttled batches with
 * growing delays. Returns a map by `pk \0 sk`; missing items are simply absent.
 */
export async function batchGet(client: DynamoDBClient, table: string, keys: readonly ItemKey[], options: RetryOptions = {}): Promise<Map<string, Item>> {
  const maxAttempts = options.maxAttempts ?? 12;
  const found = new Map<string, Item>();
  const distinct = [...new Map(keys.map((key) => [itemKeyOf(key.pk, key.sk), key])).values()];
  const exhausted = (left: number) => new CustomsError('network', `advisory table ${table}: ${left} reads still unprocessed after ${maxAttempts} attempts`);
  for (let start = 0; start < distinct.length; start += BATCH) {
    const keysOfBatch: Item[] = distinct.slice(start, start + BATCH).map((key) => ({ pk: { S: key.pk }, sk: { S: key.sk } }));
    await resendUnprocessed(
      keysOfBatch,
      async (pending) => {
        const output = await client.send(new BatchGetItemCommand({ RequestItems: { [table]: { Keys: pending, ConsistentRead: true } } }));
        for (const item of output.Responses?.[table] ?? []) found.set(itemKeyOf(item.pk?.S ?? '', item.sk?.S ?? ''), item);
        return output.UnprocessedKeys?.[table]?.Keys ?? [];
      },
      { ...options, maxAttempts, exhausted },
    );
  }
  return found;
}

export function itemKeyOf(pk: string, sk: string): string {
  return `${pk}\0${sk}`;
}
