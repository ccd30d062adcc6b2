import { z } from 'zod';

/**
 * What invokes the sync Lambda: EventBridge Scheduler's fixed input (lib/constructs/advisory-sync.ts,
 * SCHEDULED_SYNC_INPUT, repeated here so the bundle does not pull in aws-cdk-lib), or an SQS event of
 * continuation messages `{"syncId": …}` that a run out of time sent itself. Anything else is refused
 * naming what was wrong: a misrouted invoke must fail loudly (the errors alarm), not sync quietly.
 */
export const SCHEDULED_SOURCE = 'customs.schedule';
export const SCHEDULED_ACTION = 'advisory-sync';

/** What syncAdvisories makes (a sortable time and a random suffix), bounded and safe in an S3 key. */
const syncIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/, 'is not a sync id');

const scheduledSchema = z.strictObject({ source: z.literal(SCHEDULED_SOURCE), action: z.literal(SCHEDULED_ACTION) });
const continuationBodySchema = z.strictObject({ syncId: syncIdSchema });
const sqsEventSchema = z.object({
  Records: z
    .array(z.object({ messageId: z.string().min(1), body: z.string(), eventSource: z.literal('aws:sqs') }))
    .min(1, 'has no records'),
});

/** One continuation record: its syncId, or why its body is not a continuation. */
export type ContinuationRecord =
  | { readonly messageId: string; readonly ok: true; readonly syncId: string }
  | { readonly messageId: string; readonly ok: false; readonly reason: string };

export type SyncInvocation = { readonly kind: 'scheduled' } | { readonly kind: 'continuation'; readonly records: readonly ContinuationRecord[] };

export class SyncEventError extends Error {
  override readonly name = 'SyncEventError';
}

/**
 * The scheduled input or an SQS event; throws SyncEventError otherwise. A continuation record whose
 * body is not `{syncId}` is answered as not ok (so it alone is reported failed), not thrown: the
 * other records of the batch are still good.
 */
export function parseSyncEvent(event: unknown): SyncInvocation {
  if (typeof event === 'object' && event !== null && 'Records' in event) {
    const parsed = sqsEventSchema.safeParse(event);
    if (!parsed.success) throw new SyncEventError(`advisory sync invoked with an SQS-like event that is not one: ${problems(parsed.error)}`);
    return { kind: 'continuation', records: parsed.data.Records.map((record) => ({ messageId: record.messageId, ...parseContinuationBody(record.body) })) };
  }
  const parsed = scheduledSchema.safeParse(event);
  if (!parsed.success) {
    throw new SyncEventError(
      `advisory sync invoked with neither the scheduled input ${JSON.stringify({ source: SCHEDULED_SOURCE, action: SCHEDULED_ACTION })} nor an SQS event of continuations: ${problems(parsed.error)}`,
    );
  }
  return { kind: 'scheduled' };
}

export function parseContinuationBody(body: string): { readonly ok: true; readonly syncId: string } | { readonly ok: false; readonly reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, reason: `continuation body is not JSON: ${JSON.stringify(body.slice(0, 100))}` };
  }
  const parsed = continuationBodySchema.safeParse(json);
  return parsed.success ? { ok: true, syncId: parsed.data.syncId } : { ok: false, reason: `continuation body is not {"syncId": …}: ${problems(parsed.error)}` };
}

/** The message a run out of time sends, for the continuation to go on under the same syncId. */
export function continuationBody(syncId: string): string {
  return JSON.stringify(continuationBodySchema.parse({ syncId }));
}

function problems(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(event)'}: ${issue.message}`)
    .join('; ');
}
