import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mapLimit } from '../../core/util/map-limit.ts';
import { resendUnprocessed, type RetryOptions } from './batch-retry.ts';

export type DocumentWrite = { readonly PutRequest: { readonly Item: Record<string, unknown> } } | { readonly DeleteRequest: { readonly Key: Record<string, unknown> } };

/** DynamoDB kept refusing part of a batch: transient, so the scan's message is retried. */
export class UnprocessedWritesError extends Error {
  override readonly name = 'UnprocessedWritesError';
}

/**
 * BatchWriteItem through the document client, 25 per call (a few calls at once), resending UnprocessedItems and throttled
 * batches with the shared batch backoff (batch-retry.ts). Puts and deletes are idempotent, so resending is safe.
 */
export async function batchWriteDocuments(client: DynamoDBDocumentClient, table: string, writes: readonly DocumentWrite[], options: RetryOptions & { concurrency?: number } = {}): Promise<void> {
  const maxAttempts = options.maxAttempts ?? 8;
  const chunks: DocumentWrite[][] = [];
  for (let start = 0; start < writes.length; start += 25) chunks.push(writes.slice(start, start + 25));
  await mapLimit(chunks, options.concurrency ?? 4, (chunk) =>
    resendUnprocessed(
      chunk,
      async (pending) => {
        const output = await client.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
        return (output.UnprocessedItems?.[table] ?? []) as DocumentWrite[];
      },
      { ...options, maxAttempts, rethrowLastThrottle: true, exhausted: (left) => new UnprocessedWritesError(`${left} write(s) to ${table} still unprocessed after ${maxAttempts} attempts`) },
    ),
  );
}
