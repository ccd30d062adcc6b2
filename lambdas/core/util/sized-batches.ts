/**
 * Consecutive batches of at most `maxCount` items and `maxBytes` bytes (by each item's `bytes`), in
 * order, as batch APIs accept them (SNS PublishBatch, EventBridge PutEvents: 10 entries, 256 KiB).
 * An item bigger than `maxBytes` goes alone; callers refuse those first.
 */
export function* sizedBatches<T extends { readonly bytes: number }>(items: readonly T[], limits: { readonly maxCount: number; readonly maxBytes: number }): Generator<T[]> {
  let batch: T[] = [];
  let bytes = 0;
  for (const item of items) {
    if (batch.length === limits.maxCount || (batch.length > 0 && bytes + item.bytes > limits.maxBytes)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(item);
    bytes += item.bytes;
  }
  if (batch.length > 0) yield batch;
}

/** Waits `ms` milliseconds (retry backoff). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
