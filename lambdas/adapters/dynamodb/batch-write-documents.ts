import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mapLimit } from '../../core/util/map-limit.ts';
import { backoffDelay, isThrottling, sleep, type RetryOptions } from './advisory-retry.ts';

export type DocumentWrite = { readonly PutRequest: { readonly Item: Record<string, unknown> } } | { readonly DeleteRequest: { readonly Key: Record<string, unknown> } };

/** DynamoDB kept refusing part of a batch: transient, so the scan's message is retried. */
export class UnprocessedWritesError extends Error {
  override readonly name = 'UnprocessedWritesError';
}

/**
 * BatchWriteItem through the document client, 25 per call (a few calls at once), resending UnprocessedItems and throttled
 * batches with the advisory adapter's backoff. Puts and deletes are idempotent, so resending is safe.
 */
export async function batchWriteDocuments(client: DynamoDBDocumentClient, table: string, writes: readonly DocumentWrite[], options: RetryOptions & { concurrency?: number } = {}): Promise<void> {
  const maxAttempts = options.maxAttempts ?? 8;
  const chunks: DocumentWrite[][] = [];
  for (let start = 0; start < writes.length; start += 25) chunks.push(writes.slice(start, start + 25));
  await mapLimit(chunks, options.concurrency ?? 4, async (chunk) => {
    let pending = chunk;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= maxAttempts) throw new UnprocessedWritesError(`${pending.length} write(s) to ${table} still unprocessed after ${maxAttempts} attempts`);
      if (attempt > 0) await sleep(backoffDelay(attempt, options));
      try {
        const output = await client.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
        pending = (output.UnprocessedItems?.[table] ?? []) as DocumentWrite[];
      } catch (error) {
        if (!isThrottling(error) || attempt + 1 >= maxAttempts) throw error;
      }
    }
  });
}
