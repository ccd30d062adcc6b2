import { BatchWriteItemCommand, type DynamoDBClient, type WriteRequest } from '@aws-sdk/client-dynamodb';
import { CustomsError } from '../../core/errors.ts';
import { backoffDelay, isThrottling, sleep, type RetryOptions } from './advisory-retry.ts';

/** BatchWriteItem's cap per request. */
const BATCH = 25;

/**
 * Writes every request, 25 per BatchWriteItem, resending UnprocessedItems and throttled batches with
 * growing delays. Resolves only when DynamoDB has accepted all of them, so the caller may then record
 * what depends on them (record heads, freshness). Puts and deletes are idempotent, so a resend is safe.
 */
export async function batchWrite(client: DynamoDBClient, table: string, requests: readonly WriteRequest[], options: RetryOptions = {}): Promise<{ calls: number }> {
  const maxAttempts = options.maxAttempts ?? 12;
  let calls = 0;
  for (let start = 0; start < requests.length; start += BATCH) {
    let pending: WriteRequest[] = requests.slice(start, start + BATCH);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= maxAttempts) throw new CustomsError('network', `advisory table ${table}: ${pending.length} writes still unprocessed after ${maxAttempts} attempts`);
      if (attempt > 0) await sleep(backoffDelay(attempt, options));
      calls++;
      try {
        const output = await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: pending } }));
        pending = output.UnprocessedItems?.[table] ?? [];
      } catch (error) {
        if (!isThrottling(error)) throw error;
      }
    }
  }
  return { calls };
}
