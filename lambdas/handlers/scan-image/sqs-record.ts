import { z } from 'zod';

/**
 * The parts of an SQS record (as Lambda's event source mapping delivers it) the scanner reads.
 * Validated like any other input, so a surprise shape is one rejected record, not a crash.
 */
export const sqsRecordSchema = z.object({
  messageId: z.string().min(1),
  receiptHandle: z.string().min(1),
  body: z.string(),
  attributes: z.object({ ApproximateReceiveCount: z.string().regex(/^\d+$/) }),
  eventSourceARN: z.string().regex(/^arn:[^:]+:sqs:[^:]+:\d{12}:[^:]+$/, 'not an SQS queue ARN'),
});
export type ScanQueueRecord = z.infer<typeof sqsRecordSchema>;

/** How many times SQS has handed this message out, this time included. */
export function receiveCount(record: ScanQueueRecord): number {
  return Math.max(1, Number(record.attributes.ApproximateReceiveCount));
}

/** Queue name and owner from the record's eventSourceARN (`arn:aws:sqs:REGION:ACCOUNT:NAME`). */
export function queueOf(record: ScanQueueRecord): { readonly account: string; readonly name: string } {
  const [, , , , account = '', name = ''] = record.eventSourceARN.split(':');
  return { account, name };
}
