import { z } from 'zod';
import type { ImageEvent } from '../../core/pipeline/image-event.ts';
import type { ScanRequest } from '../../core/pipeline/model.ts';
import { digestSchema } from '../../core/pipeline/sbom-schema.ts';
import type { RescanMessage, RescanQueue, ScanRequestQueue } from '../../core/ports.ts';
import type { FileQueue } from './file-queue.ts';

/** The local stack's one work queue: what SQS queues carry on AWS, told apart by `kind`. */
export type LocalWork =
  | { readonly kind: 'image-event'; readonly event: ImageEvent }
  | { readonly kind: 'rescan'; readonly message: RescanMessage }
  | { readonly kind: 'scan-request'; readonly runId: string; readonly request: ScanRequest };

const name = z.string().min(1).max(1024);

const imageEventSchema = z.object({
  kind: z.enum(['push', 'delete', 'replication', 'pull-through-cache']),
  eventId: name,
  account: name,
  region: name,
  repository: name,
  digest: digestSchema,
  tag: name.optional(),
  time: name,
});

const rescanMessageSchema = z.object({
  syncId: name,
  digests: z.array(digestSchema).min(1),
  all: z.literal(true).optional(),
});

/** pushedAt travels as ISO 8601 (JSON has no dates) and is revived here. */
const scanRequestSchema = z.object({
  account: name,
  region: name,
  repository: name,
  digest: digestSchema,
  tag: name.optional(),
  pushedAt: z.iso.datetime({ offset: true }).transform((value) => new Date(value)),
  kind: z.enum(['push', 'replication', 'pull-through-cache', 'rescan']),
});

export const localWorkSchema: z.ZodType<LocalWork> = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('image-event'), event: imageEventSchema }),
  z.object({ kind: z.literal('rescan'), message: rescanMessageSchema }),
  z.object({ kind: z.literal('scan-request'), runId: name, request: scanRequestSchema }),
]);

/** Backfill's scan requests; one already waiting for the same image, tag and kind is not queued again. */
export class LocalScanRequestQueue implements ScanRequestQueue {
  constructor(private readonly queue: FileQueue<LocalWork>) {}

  async send(runId: string, requests: readonly ScanRequest[]): Promise<void> {
    await this.queue.send(
      requests.map((request) => ({ kind: 'scan-request', runId, request })),
      { dedupId: (work) => (work.kind === 'scan-request' ? scanRequestKey(work.request) : work.kind) },
    );
  }
}

/** The sync fan-out's rescans; the same message already waiting is not queued again. */
export class LocalRescanQueue implements RescanQueue {
  constructor(private readonly queue: FileQueue<LocalWork>) {}

  async send(messages: readonly RescanMessage[]): Promise<void> {
    await this.queue.send(
      messages.map((message) => ({ kind: 'rescan', message })),
      { dedupId: (work) => (work.kind === 'rescan' ? JSON.stringify(['rescan', work.message.syncId, work.message.all === true, [...work.message.digests].sort()]) : work.kind) },
    );
  }
}

function scanRequestKey(request: ScanRequest): string {
  return JSON.stringify(['scan-request', request.account, request.region, request.repository, request.digest, request.tag ?? null, request.kind]);
}
