import type { ImageEvent } from '../pipeline/image-event.ts';
import type { ImageKey, RegistryImage, ScanRequest } from '../pipeline/model.ts';
import { isQuarantineMarker, type QuarantineTrigger } from '../pipeline/quarantine-model.ts';
import type { Clock, ImageStateStore, RegistryImageReader } from '../ports.ts';
import type { EnforcementOutcome, EnforceRequest } from './enforce-verdicts.ts';
import type { EvaluationRun } from './evaluate-images.ts';
import type { ScanImageResult } from './scan-image.ts';

/** What handleImageEvent talks to; the Lambda handler, the webhook receiver and the local stack build these. */
export interface HandleImageEventDeps {
  readonly registry: RegistryImageReader;
  readonly images: Pick<ImageStateStore, 'removeTag' | 'markDeleted' | 'get'>;
  /** scanImage bound to its dependencies. */
  readonly scan: (request: ScanRequest) => Promise<ScanImageResult>;
  /** evaluateImages bound to its dependencies: judges the images a scan touched and announces changes. */
  readonly judge?: (keys: readonly ImageKey[]) => Promise<EvaluationRun>;
  /** enforceVerdicts bound to its dependencies: quarantines what failed in enforce mode (needs a judge). */
  readonly enforce?: (requests: readonly EnforceRequest[]) => Promise<readonly EnforcementOutcome[]>;
  readonly clock: Clock;
}

/**
 * The image's verdict could not be settled now (a platform manifest another invocation is still
 * scanning, or another evaluation publishing a different change): retry the event later.
 */
export class VerdictPendingError extends Error {
  override readonly name = 'VerdictPendingError';
}

/**
 * What one event comes to once the registry has been asked what it holds now. Events are hints, at
 * least once and unordered: a push whose tag has since moved on records no tag, a push of a digest
 * the registry no longer has scans nothing, and a DELETE removes a tag only when the registry no
 * longer shows it on the digest (an image counts as deleted only when the digest itself is gone).
 */
export type EventPlan =
  | { readonly action: 'scan'; readonly request: ScanRequest }
  | { readonly action: 'remove-tag'; readonly key: ImageKey; readonly tag: string; readonly at: Date }
  | { readonly action: 'mark-deleted'; readonly key: ImageKey; readonly at: Date }
  | { readonly action: 'skip'; readonly why: string };

/** What was done; `action` is also the outcome's low-cardinality name for metrics. */
export type ImageEventOutcome =
  | { readonly action: 'skipped'; readonly why: string }
  | { readonly action: 'tag-removed'; readonly key: ImageKey; readonly tag: string; readonly at: Date }
  | { readonly action: 'deleted'; readonly key: ImageKey; readonly at: Date }
  | {
      readonly action: 'scanned';
      readonly request: ScanRequest;
      readonly result: ScanImageResult;
      readonly durationMs: number;
      /** The verdicts of the images the scan touched, when a judge is wired. */
      readonly evaluation?: EvaluationRun;
      /** What enforce mode did to the failing ones, when enforcement is wired. */
      readonly enforcement?: readonly EnforcementOutcome[];
    };

/**
 * One registry event, any registry: ask the registry what it holds now, decide, and apply the
 * decision (record the tag's removal, the image's deletion, or scan). Errors are the ports' own
 * (throttling, network) and are thrown for the caller's queue to retry; the image's own failures
 * are stored by scanImage and come back as a scanned outcome.
 */
export async function handleImageEvent(event: ImageEvent, deps: HandleImageEventDeps): Promise<ImageEventOutcome> {
  const now = await deps.registry.describe({ account: event.account, region: event.region, repository: event.repository }, event.digest);
  const plan = planImageEvent(event, now, deps.clock.now());
  switch (plan.action) {
    case 'skip':
      return { action: 'skipped', why: plan.why };
    case 'remove-tag':
      await deps.images.removeTag(plan.key, plan.tag, plan.at);
      return { action: 'tag-removed', key: plan.key, tag: plan.tag, at: plan.at };
    case 'mark-deleted':
      await deps.images.markDeleted(plan.key, plan.at);
      return { action: 'deleted', key: plan.key, at: plan.at };
    case 'scan': {
      const started = deps.clock.now().getTime();
      const result = await deps.scan(plan.request);
      const durationMs = deps.clock.now().getTime() - started;
      if (!deps.judge) return { action: 'scanned', request: plan.request, result, durationMs };
      const evaluation = await judgeScanned(plan.request, result, deps);
      if (!deps.enforce) return { action: 'scanned', request: plan.request, result, durationMs, evaluation };
      const enforcement = await enforceJudged(plan.request, evaluation, deps.enforce);
      return { action: 'scanned', request: plan.request, result, durationMs, evaluation, enforcement };
    }
  }
}

/**
 * Judges what the scan touched: the image itself, an index's platform manifests, and the indexes a
 * platform manifest belongs to (its scan may be the last one they waited for). The event's own
 * image must settle; an index still waiting for another platform's scan is judged by that scan.
 */
async function judgeScanned(request: ScanRequest, result: ScanImageResult, deps: HandleImageEventDeps): Promise<EvaluationRun> {
  const own: ImageKey = { account: request.account, region: request.region, repository: request.repository, digest: request.digest };
  const related =
    result.kind === 'index'
      ? result.manifests.slice(1).map((manifest) => ({ ...own, digest: manifest.digest }))
      : ((await deps.images.get(own))?.parents ?? []).map((digest) => ({ ...own, digest }));
  const evaluation = await deps.judge!([...related, own]);
  const mine = evaluation.images.find((image) => image.key.digest === own.digest);
  if (mine && (mine.outcome === 'busy' || mine.outcome === 'pending-scan')) {
    throw new VerdictPendingError(
      mine.outcome === 'busy' ? `another evaluation is announcing a change to ${own.repository}@${own.digest}` : `${own.repository}@${own.digest} waits for the scan of ${mine.missing.join(', ')}`,
    );
  }
  return evaluation;
}

/**
 * Quarantines what the judging found failing, on a push as a push (a new tag is being deployed) and
 * on a rescan as a rescan (enforced only where the policy opts in). A quarantined digest pushed again
 * under a new tag is judged from its stored verdict and loses that tag too. The event's own image
 * must settle: a release in progress makes the event retry.
 */
async function enforceJudged(request: ScanRequest, evaluation: EvaluationRun, enforce: NonNullable<HandleImageEventDeps['enforce']>): Promise<readonly EnforcementOutcome[]> {
  const trigger: QuarantineTrigger = request.kind === 'rescan' ? 'rescan' : 'push';
  const failing = evaluation.images.flatMap((image) => (image.outcome === 'judged' && image.verdict === 'FAIL' ? [{ key: image.key, trigger }] : []));
  if (failing.length === 0) return [];
  const outcomes = await enforce(failing);
  const mine = outcomes.find((outcome) => outcome.key.digest === request.digest);
  if (mine?.action === 'busy') throw new VerdictPendingError(`${request.repository}@${request.digest}: ${mine.why}`);
  return outcomes;
}

/** The decision alone. `received` stands in for an event time that is not a date (schemas check the format, not the calendar). */
export function planImageEvent(event: ImageEvent, now: RegistryImage, received: Date): EventPlan {
  const key: ImageKey = { account: event.account, region: event.region, repository: event.repository, digest: event.digest };
  const at = eventTime(event, received);
  // Quarantine's own marker tags come and go with quarantine and release: no scan, no tag state, no loop.
  if (event.tag !== undefined && isQuarantineMarker(event.tag)) return { action: 'skip', why: `tag ${event.tag} is a quarantine marker` };
  if (event.kind === 'delete') {
    if (!now.exists) return { action: 'mark-deleted', key, at };
    if (event.tag === undefined) return { action: 'skip', why: 'an untagged DELETE of a digest the registry still has' };
    if (now.tags.includes(event.tag)) return { action: 'skip', why: `tag ${event.tag} is back on the digest` };
    return { action: 'remove-tag', key, tag: event.tag, at };
  }
  if (!now.exists) return { action: 'skip', why: 'the registry no longer has the digest; its DELETE event records that' };
  // The tag the event named may have moved to another digest since: record only what the registry shows.
  const tag = event.tag !== undefined && now.tags.includes(event.tag) ? event.tag : undefined;
  return { action: 'scan', request: { ...key, ...(tag !== undefined ? { tag } : {}), pushedAt: now.pushedAt ?? at, kind: event.kind } };
}

function eventTime(event: ImageEvent, received: Date): Date {
  const time = new Date(event.time);
  return Number.isNaN(time.getTime()) ? received : time;
}
