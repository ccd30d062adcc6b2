import { SendMessageBatchCommand, type SendMessageBatchRequestEntry, type SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { digestSchema } from '../../core/pipeline/sbom-schema.ts';
import type { RescanMessage, RescanQueue } from '../../core/ports.ts';
import { mapLimit } from '../../core/util/map-limit.ts';

export const RESCAN_MESSAGE_SCHEMA = 'customs.rescan/v1';

/** SQS takes up to 10 entries per SendMessageBatch. */
const BATCH_SIZE = 10;
/** Digests per message: 1,000 sha512 digests stay well under SQS's 256 KiB (and a batch's total). */
const MAX_DIGESTS = 1_000;

const bodySchema = z
  .object({
    schema: z.literal(RESCAN_MESSAGE_SCHEMA),
    syncId: z.string().min(1).max(256),
    digests: z.array(digestSchema).min(1).max(MAX_DIGESTS),
    /** An on-demand rescan (the findings API): every package re-matched, no change set read. */
    all: z.literal(true).optional(),
  })
  .strict();

/** The message body: `{"schema":"customs.rescan/v1","syncId":…,"digests":[…]}`, with `"all":true` for an on-demand rescan. */
export function rescanMessageBody(message: RescanMessage): string {
  const body = { schema: RESCAN_MESSAGE_SCHEMA, syncId: message.syncId, digests: [...message.digests], ...(message.all === true ? { all: true as const } : {}) };
  bodySchema.parse(body);
  return JSON.stringify(body);
}

/** Reads a body back (the re-evaluation Lambda): anything but a valid `customs.rescan/v1` is refused. */
export function parseRescanMessage(body: string): RescanMessage {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new RescanMessageError(`rescan message is not JSON: ${(error as Error).message}`);
  }
  const parsed = bodySchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RescanMessageError(`rescan message is not ${RESCAN_MESSAGE_SCHEMA}: ${issue?.message ?? 'invalid'} at ${issue?.path.join('.') ?? ''}`);
  }
  return { syncId: parsed.data.syncId, digests: parsed.data.digests, ...(parsed.data.all ? { all: true } : {}) };
}

export class RescanMessageError extends Error {
  override readonly name = 'RescanMessageError';
}

/** SQS kept refusing some entries: thrown so the fan-out is retried (its marks let it resend them). */
export class RescanSendError extends Error {
  override readonly name = 'RescanSendError';
}

export interface SqsRescanQueueOptions {
  /** Attempts per batch for entries SQS failed on its side (the first included). Default 5. */
  readonly maxAttempts?: number;
  readonly baseDelayMs?: number;
  /** SendMessageBatch calls in flight at once. Default 4. */
  readonly concurrency?: number;
}

/**
 * The rescan queue on SQS: SendMessageBatch, 10 messages per call. Entries SQS failed on its side
 * (SenderFault false: throttling, an internal error) are resent with backoff; an entry it refused as
 * the sender's fault, or one still failing after the last attempt, is thrown.
 */
export class SqsRescanQueue implements RescanQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
    private readonly options: SqsRescanQueueOptions = {},
  ) {}

  async send(messages: readonly RescanMessage[]): Promise<void> {
    const entries = messages.map((message, index): SendMessageBatchRequestEntry => ({ Id: String(index), MessageBody: rescanMessageBody(message) }));
    const batches: SendMessageBatchRequestEntry[][] = [];
    for (let start = 0; start < entries.length; start += BATCH_SIZE) batches.push(entries.slice(start, start + BATCH_SIZE));
    await mapLimit(batches, this.options.concurrency ?? 4, (batch) => this.sendBatch(batch));
  }

  private async sendBatch(batch: readonly SendMessageBatchRequestEntry[]): Promise<void> {
    const maxAttempts = this.options.maxAttempts ?? 5;
    let pending = [...batch];
    for (let attempt = 1; ; attempt++) {
      const output = await this.client.send(new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: pending }));
      const failed = output.Failed ?? [];
      if (failed.length === 0) return;
      const refused = failed.filter((entry) => entry.SenderFault);
      if (refused.length > 0 || attempt >= maxAttempts) {
        const named = (refused.length > 0 ? refused : failed).map((entry) => `${entry.Id}: ${entry.Code}${entry.Message ? ` (${entry.Message})` : ''}`);
        throw new RescanSendError(`SQS ${refused.length > 0 ? 'refused' : `kept failing after ${attempt} attempts`} ${named.length} rescan message(s): ${named.join('; ')}`);
      }
      const ids = new Set(failed.map((entry) => entry.Id));
      pending = pending.filter((entry) => ids.has(entry.Id));
      const base = this.options.baseDelayMs ?? 100;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * base * 2 ** attempt));
    }
  }
}
