import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { processScanRecord, type ScanRecordDeps } from './process-record.ts';

/**
 * The scanner's SQS handler over its dependencies: each record on its own (Powertools' batch
 * processor), failures reported per record (ReportBatchItemFailures), metrics flushed per batch.
 */
export type ScanHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

export function createScanHandler(deps: ScanRecordDeps): ScanHandler {
  const processor = new BatchProcessor(EventType.SQS);
  return async (event, context) => {
    deps.logger.addContext(context);
    try {
      // A batch whose every record failed is still a response, not an invocation error: the records'
      // visibility was already set for their retry, and an error would only add Lambda error noise.
      return await processPartialResponse(event, (record: SQSRecord) => processScanRecord(record, deps), processor, { context, throwOnFullBatchFailure: false });
    } finally {
      deps.metrics.publishStoredMetrics();
    }
  };
}
