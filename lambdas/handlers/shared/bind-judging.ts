import type { DynamoDbImageStateStore } from '../../adapters/dynamodb/dynamodb-image-state-store.ts';
import type { DynamoDbQuarantineStore } from '../../adapters/dynamodb/dynamodb-quarantine-store.ts';
import type { DynamoDbScanResultStore } from '../../adapters/dynamodb/dynamodb-scan-result-store.ts';
import type { ImageKey } from '../../core/pipeline/model.ts';
import type { ExceptionPolicySource } from '../../core/policy/exception-policy-source.ts';
import type { AlertPublisher, Clock, EventPublisher, QuarantineRegistry, SbomStore, VerdictStore } from '../../core/ports.ts';
import { enforceVerdicts, type EnforcementOutcome, type EnforceRequest, type EnforceVerdictsDeps } from '../../core/use-cases/enforce-verdicts.ts';
import { evaluateImages, type EvaluateCall, type EvaluateImagesDeps, type EvaluationRun } from '../../core/use-cases/evaluate-images.ts';
import { releaseImage, type ReleaseOutcome, type ReleaseRequest } from '../../core/use-cases/release-image.ts';

/**
 * What verdicts are judged, enforced and released with, whatever runs them: the Lambdas wire these
 * on DynamoDB, S3, SSM, SNS and ECR (judging-deps.ts); the local stack on DynamoDB Local, files,
 * console and webhook alerts and its registry. Either way the same use cases run.
 */
export interface JudgingParts {
  readonly clock: Clock;
  readonly images: DynamoDbImageStateStore;
  readonly results: DynamoDbScanResultStore;
  readonly sboms: SbomStore;
  readonly verdicts: VerdictStore;
  readonly quarantines: DynamoDbQuarantineStore;
  readonly policies: ExceptionPolicySource;
  readonly alerts: AlertPublisher;
  readonly events?: EventPublisher;
  readonly registry: QuarantineRegistry;
  /** The repository's identifier in alerts and events (an ECR repository ARN on AWS). */
  readonly repositoryId: (key: ImageKey) => string;
  readonly emailImageCap: number;
}

/** The stores and bound use cases a handler judges, enforces and releases with. */
export interface BoundJudging {
  readonly clock: Clock;
  readonly images: DynamoDbImageStateStore;
  readonly results: DynamoDbScanResultStore;
  readonly sboms: SbomStore;
  readonly quarantines: DynamoDbQuarantineStore;
  /**
   * The repository policies verdicts are judged and enforced by: the deployed policy with the
   * findings API's exceptions (forceRefresh: re-read them now, after the API changed one).
   */
  readonly policies: ExceptionPolicySource;
  /** evaluateImages over the stores, the policy and the alerts. */
  readonly judge: (keys: readonly ImageKey[], call?: EvaluateCall) => Promise<EvaluationRun>;
  /** enforceVerdicts on the same policy, alerts and events as the verdicts it enforces. */
  readonly enforce: (requests: readonly EnforceRequest[]) => Promise<readonly EnforcementOutcome[]>;
  /** releaseImage by `customs` through the same registry, alerts and events. */
  readonly release: (request: ReleaseRequest) => Promise<ReleaseOutcome>;
}

export function bindJudging(parts: JudgingParts): BoundJudging {
  const { clock, images, results, sboms, quarantines, policies, registry, alerts, events } = parts;
  const options = { emailImageCap: parts.emailImageCap, repositoryId: parts.repositoryId };
  const withEvents = events ? { events } : {};
  const judging: EvaluateImagesDeps = { images, results, sboms, verdicts: parts.verdicts, policies, alerts, ...withEvents, clock, options };
  const enforcing: EnforceVerdictsDeps = { verdicts: parts.verdicts, quarantines, registry, policies, alerts, ...withEvents, clock, options };
  return {
    clock,
    images,
    results,
    sboms,
    quarantines,
    policies,
    judge: (keys, call) => evaluateImages(keys, judging, call),
    enforce: (requests) => enforceVerdicts(requests, enforcing),
    release: (request) =>
      releaseImage(request, { quarantines, registry, tags: images, verdicts: parts.verdicts, alerts, ...withEvents, clock, options: { repositoryId: parts.repositoryId } }),
  };
}
