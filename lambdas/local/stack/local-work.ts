import type { ImageEvent } from '../../core/pipeline/image-event.ts';
import type { ScanRequest } from '../../core/pipeline/model.ts';
import { handleImageEvent, type ImageEventOutcome } from '../../core/use-cases/handle-image-event.ts';
import type { RescanRun } from '../../core/use-cases/rescan-images.ts';
import { scanImage } from '../../core/use-cases/scan-image.ts';
import type { LocalWork } from '../queue/local-queues.ts';
import type { LocalPipeline } from './local-pipeline.ts';

export type WorkOutcome =
  | { readonly kind: 'image'; readonly event: ImageEvent; readonly outcome: ImageEventOutcome }
  | { readonly kind: 'rescan'; readonly run: RescanRun };

/**
 * One message of the local queue, as the scanner and rescan Lambdas handle theirs: registry
 * notifications and backfill requests through handleImageEvent (which asks the registry what it
 * holds now, then scans, records a tag's removal or a deletion), sync fan-outs through
 * rescanImages. A throw leaves the message to the queue's retry, as SQS would.
 */
export async function handleLocalWork(work: LocalWork, pipeline: LocalPipeline): Promise<WorkOutcome> {
  if (work.kind === 'rescan') return { kind: 'rescan', run: await pipeline.rescan(work.message) };
  const event = work.kind === 'image-event' ? work.event : backfillEvent(work.runId, work.request);
  const { judging, catalog, scanDeps } = pipeline;
  const outcome = await handleImageEvent(event, {
    registry: catalog,
    images: judging.images,
    scan: (request) => scanImage(request, scanDeps),
    judge: (keys) => judging.judge(keys),
    enforce: judging.enforce,
    clock: judging.clock,
  });
  return { kind: 'image', event, outcome };
}

/** A backfill request is a push of what the registry lists, as the SQS scan-request queue sends it. */
function backfillEvent(runId: string, request: ScanRequest): ImageEvent {
  return {
    kind: request.kind === 'rescan' ? 'push' : request.kind,
    eventId: `customs-backfill:${runId}:${request.repository}@${request.digest}`,
    account: request.account,
    region: request.region,
    repository: request.repository,
    digest: request.digest,
    ...(request.tag !== undefined ? { tag: request.tag } : {}),
    time: request.pushedAt.toISOString(),
  };
}
