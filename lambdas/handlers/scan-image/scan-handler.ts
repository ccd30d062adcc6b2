import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { processScanRecord, type ScanRecordDeps } from './process-record.ts';

/**
 * The scanner's SQS handler over its dependencies: each record on its own (Powertools' batch
 * processor), failures reported per record (ReportBatchItemFailures), metrics flushed per batch.
 */
export type ScanHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

export function createScanHandler(deps: ScanRecordDeps): ScanHandler {
  return async (event, context) => {
    // Per invocation: the processor holds one batch's results, and a local stack or webhook
    // receiver may run invocations of one handler side by side, as Lambda never does.
    const processor = new BatchProcessor(EventType.SQS);
    deps.logger.addContext(context);
    try {
      // A batch whose every record failed is still a response, not an invocation error: the records'
      // visibility was already set for their retry, and an error would only add Lambda error noise.
      const call = { deadline: scanDeadline(context) };
      return await processPartialResponse(event, (record: SQSRecord) => processScanRecord(record, deps, call), processor, { context, throwOnFullBatchFailure: false });
    } finally {
      deps.metrics.publishStoredMetrics();
    }
  };
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
