import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { parseEcrEvent } from '../../adapters/ecr/parse-ecr-event.ts';
import { messageOf } from '../../core/errors.ts';
import type { ImageEvent } from '../../core/pipeline/image-event.ts';
import { handleImageEvent, type HandleImageEventDeps, type ImageEventOutcome } from '../../core/use-cases/handle-image-event.ts';
import type { ScanRequest } from '../../core/pipeline/model.ts';
import type { ScanCall, ScanImageResult } from '../../core/use-cases/scan-image.ts';
import type { RetrySchedule } from './retry-schedule.ts';
import type { EvaluationRun } from '../../core/use-cases/evaluate-images.ts';
import type { EnforcementOutcome } from '../../core/use-cases/enforce-verdicts.ts';
import { recordAlerts, recordEnforcement, recordRejection, recordRetry, recordScanMetrics, recordTagChange } from './scan-metrics.ts';
import { receiveCount, sqsRecordSchema } from './sqs-record.ts';

/**
 * One SQS record: parse → handleImageEvent (which asks ECR what it holds now and scans, removes a
 * tag, marks deleted or skips) → logs and metrics. Returns normally when the record is done with
 * (scanned, recorded FAILED by the use case, rejected, nothing to do), so it is acknowledged; throws
 * after scheduling a delayed retry when the failure is transient, so the batch reports this record
 * alone as failed.
 */
export interface ScanRecordDeps extends Omit<HandleImageEventDeps, 'scan'> {
  /** scanImage bound to its dependencies; the call carries the invocation's deadline. */
  readonly scan: (request: ScanRequest, call?: ScanCall) => Promise<ScanImageResult>;
  readonly retries: RetrySchedule;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

export interface RecordCall {
  /** Epoch milliseconds by which the scan must stop reading so that its result can still be stored. */
  readonly deadline?: number;
}

export async function processScanRecord(raw: unknown, deps: ScanRecordDeps, call: RecordCall = {}): Promise<void> {
  const record = sqsRecordSchema.safeParse(raw);
  if (!record.success) {
    // Not an SQS record at all: nothing to retry it with.
    deps.logger.createChild({ persistentKeys: { repository: 'unknown', digest: 'unknown' } }).error('record is not an SQS record; acknowledged');
    recordRejection(deps.metrics, 'malformed');
    return;
  }
  const parsed = parseEcrEvent(record.data.body);
  if (!parsed.ok) {
    const { reason, message, repository = 'unknown', digest = 'unknown' } = parsed.rejection;
    const log = deps.logger.createChild({ persistentKeys: { repository, digest, messageId: record.data.messageId } });
    // A rejection is final: retrying the same body gives the same answer.
    (reason === 'malformed' ? log.warn.bind(log) : log.info.bind(log))('record rejected; acknowledged', { reason, detail: message });
    recordRejection(deps.metrics, reason);
    return;
  }
  const event = parsed.event;
  const log = deps.logger.createChild({
    persistentKeys: { repository: event.repository, digest: event.digest, account: event.account, region: event.region, messageId: record.data.messageId, eventId: event.eventId },
  });
  try {
    // An ECR event is the core's image event plus media types the use case does not need.
    const scan = (request: ScanRequest) => deps.scan(request, call.deadline !== undefined ? { deadline: { at: call.deadline } } : {});
    logOutcome(log, deps.metrics, event, await handleImageEvent(event, { ...deps, scan }));
  } catch (error) {
    // The use case stores the image's own failures as FAILED; what reaches here is the world's.
    const delaySeconds = await deps.retries.defer(record.data).catch((deferError: unknown) => {
      log.warn('could not delay the retry; SQS retries after the visibility timeout', { error: messageOf(deferError) });
      return undefined;
    });
    log.error('transient failure; retried through the queue', { error: errorSummary(error), receiveCount: receiveCount(record.data), delaySeconds });
    recordRetry(deps.metrics);
    throw error;
  }
}

function logOutcome(log: Logger, metrics: Metrics, event: ImageEvent, outcome: ImageEventOutcome): void {
  const { kind } = event;
  switch (outcome.action) {
    case 'skipped':
      log.info('nothing to do; acknowledged', { kind, why: outcome.why });
      recordTagChange(metrics, outcome.action);
      return;
    case 'tag-removed':
      log.info('tag removed', { tag: outcome.tag });
      recordTagChange(metrics, outcome.action);
      return;
    case 'deleted':
      log.info('image deleted', { tag: event.tag });
      recordTagChange(metrics, outcome.action);
      return;
    case 'scanned':
      recordScanMetrics(metrics, outcome.result, outcome.durationMs);
      if (outcome.evaluation) recordAlerts(metrics, outcome.evaluation);
      if (outcome.enforcement) recordEnforcement(metrics, outcome.enforcement);
      log.info('scan done', {
        kind,
        tag: outcome.request.tag,
        imageKind: outcome.result.kind,
        manifests: outcome.result.manifests.map(summary),
        ...(outcome.evaluation ? { verdicts: outcome.evaluation.images.map(verdictSummary), published: outcome.evaluation.published } : {}),
        ...(outcome.enforcement && outcome.enforcement.length > 0 ? { enforcement: outcome.enforcement.map(enforcementSummary) } : {}),
      });
      return;
  }
}

function summary(manifest: ScanImageResult['manifests'][number]): Record<string, unknown> {
  if (manifest.outcome !== 'scanned') return { digest: manifest.digest, outcome: manifest.outcome };
  return { digest: manifest.digest, outcome: manifest.outcome, status: manifest.status, ...(manifest.reason ? { reason: manifest.reason } : {}), findings: manifest.severityCounts };
}

function verdictSummary(image: EvaluationRun['images'][number]): Record<string, unknown> {
  if (image.outcome !== 'judged') return { digest: image.key.digest, outcome: image.outcome };
  return {
    digest: image.key.digest,
    verdict: image.verdict,
    ...(image.previous ? { previous: image.previous } : {}),
    policyVersion: image.policyVersion,
    decision: image.decision,
    ...(image.announced ? { alertId: image.announced.alertId } : {}),
  };
}

function enforcementSummary(outcome: EnforcementOutcome): Record<string, unknown> {
  const { key, ...rest } = outcome;
  return { digest: key.digest, ...rest };
}

/** Name and message only: SDK errors carry request metadata, never anything secret, but keep lines short. */
function errorSummary(error: unknown): { name: string; message: string } {
  return { name: error instanceof Error ? error.name : 'Error', message: messageOf(error).slice(0, 500) };
}
