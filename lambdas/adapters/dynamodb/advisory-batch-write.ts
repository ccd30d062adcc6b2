import { BatchWriteItemCommand, type DynamoDBClient, type WriteRequest } from '@aws-sdk/client-dynamodb';
import { CustomsError } from '../../core/errors.ts';
import { resendUnprocessed, type RetryOptions } from './batch-retry.ts';

/** BatchWriteItem's cap per request. */
const BATCH = 25;

/**
 * Writes every request, 25 per BatchWriteItem, resending UnprocessedItems and throttled batches with
 * growing delays. Resolves only when DynamoDB has accepted all of them, so the caller may then record
 * what depends on them (record heads, freshness). Puts and deletes are idempotent, so a resend is safe.
 */
export async function batchWrite(client: DynamoDBClient, table: string, requests: readonly WriteRequest[], options: RetryOptions = {}): Promise<{ calls: number }> {
  const maxAttempts = options.maxAttempts ?? 12;
  const exhausted = (left: number) => new CustomsError('network', `advisory table ${table}: ${left} writes still unprocessed after ${maxAttempts} attempts`);
  let calls = 0;
  for (let start = 0; start < requests.length; start += BATCH) {
    calls += await resendUnprocessed(
      requests.slice(start, start + BATCH),
      async (pending) => (await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: pending } }))).UnprocessedItems?.[table] ?? [],
      { ...options, maxAttempts, exhausted },
    );
  }
  return { calls };
}
