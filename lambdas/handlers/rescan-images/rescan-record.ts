import { z } from 'zod';
import { parseRescanMessage } from '../../adapters/sqs/sqs-rescan-queue.ts';
import { messageOf } from '../../core/errors.ts';
import type { RescanMessage } from '../../core/ports.ts';

/** The parts of an SQS record (as Lambda's event source mapping delivers it) the rescan reads. */
const recordSchema = z.object({
  messageId: z.string().min(1),
  body: z.string(),
});

/** A record this handler cannot read; it fails alone (retried, then the queue's DLQ keeps it). */
export class RescanRecordError extends Error {
  override readonly name = 'RescanRecordError';
}

export interface RescanRecord {
  readonly messageId: string;
  readonly message: RescanMessage;
}

/**
 * An SQS record → its `customs.rescan/v1` message. Throws RescanRecordError naming the message ID
 * and what was wrong: not an SQS record, a body that is not JSON, or not a rescan message.
 */
export function parseRescanRecord(raw: unknown): RescanRecord {
  const record = recordSchema.safeParse(raw);
  if (!record.success) {
    const issue = record.error.issues[0];
    throw new RescanRecordError(`record is not an SQS record: ${issue?.path.join('.') || 'record'}: ${issue?.message ?? 'invalid'}`);
  }
  const { messageId, body } = record.data;
  try {
    return { messageId, message: parseRescanMessage(body) };
  } catch (error) {
    throw new RescanRecordError(`SQS message ${messageId}: ${messageOf(error)}`, { cause: error });
  }
}

/** The message ID of a record that may not parse, for its log line. */
export function messageIdOf(raw: unknown): string {
  const record = recordSchema.pick({ messageId: true }).safeParse(raw);
  return record.success ? record.data.messageId : 'unknown';
}
