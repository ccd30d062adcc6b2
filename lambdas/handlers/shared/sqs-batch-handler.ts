import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { HandlerTools, LambdaHandler } from './lazy-handler.ts';

/** What handles one record of an invocation (made per invocation, so it may hold the invocation's deadline). */
export type RecordHandlerOf = (context: Context) => (record: SQSRecord) => Promise<unknown>;

/**
 * An SQS handler: each record on its own (Powertools' batch processor), failures reported per
 * record (ReportBatchItemFailures), the logger given the invocation's context, metrics flushed per
 * batch.
 */
export function sqsBatchHandler(tools: HandlerTools, recordHandlerOf: RecordHandlerOf): LambdaHandler<SQSEvent, SQSBatchResponse> {
  return async (event, context) => {
    // Per invocation: the processor holds one batch's results, and a local stack or webhook
    // receiver may run invocations of one handler side by side, as Lambda never does.
    const processor = new BatchProcessor(EventType.SQS);
    tools.logger.addContext(context);
    try {
      // A batch whose every record failed is still a response, not an invocation error: the queue
      // retries each record, then its DLQ keeps it; an error would only add Lambda error noise.
      return await processPartialResponse(event, recordHandlerOf(context), processor, { context, throwOnFullBatchFailure: false });
    } finally {
      tools.metrics.publishStoredMetrics();
    }
  };
}
