import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { sqsBatchHandler } from '../shared/sqs-batch-handler.ts';
import { processScanRecord, type ScanRecordDeps } from './process-record.ts';

/**
 * The scanner's SQS handler over its dependencies: each record on its own, failures reported per
 * record (ReportBatchItemFailures), metrics flushed per batch (shared/sqs-batch-handler.ts). A
 * failed record's visibility is already set for its retry when the batch's response is returned.
 */
export type ScanHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

export function createScanHandler(deps: ScanRecordDeps): ScanHandler {
  return sqsBatchHandler(deps, (context) => {
    const call = { deadline: scanDeadline(context) };
    return (record) => processScanRecord(record, deps, call);
  });
}

/**
 * When scans of this invocation must stop reading: the function's end less a margin for storing
 * the result (a fifth of the time left, between 5 s and 60 s), so a scan too big for the timeout is
 * recorded FAILED with why rather than killed and retried into the DLQ.
 */
export function scanDeadline(context: Pick<Context, 'getRemainingTimeInMillis'>, now = Date.now()): number | undefined {
  if (typeof context.getRemainingTimeInMillis !== 'function') return undefined;
  const remaining = context.getRemainingTimeInMillis();
  const margin = Math.min(60_000, Math.max(5_000, remaining / 5));
  return now + remaining - margin;
}
