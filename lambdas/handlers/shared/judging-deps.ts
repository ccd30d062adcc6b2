import type { Metrics } from '@aws-lambda-powertools/metrics';
import { ECRClient } from '@aws-sdk/client-ecr';
import { findingsDocumentClient } from '../../adapters/dynamodb/document-client.ts';
import { DynamoDbExceptionStore } from '../../adapters/dynamodb/dynamodb-exception-store.ts';
import { DynamoDbImageStateStore } from '../../adapters/dynamodb/dynamodb-image-state-store.ts';
import { DynamoDbQuarantineStore } from '../../adapters/dynamodb/dynamodb-quarantine-store.ts';
import { DynamoDbScanResultStore } from '../../adapters/dynamodb/dynamodb-scan-result-store.ts';
import { DynamoDbVerdictStore } from '../../adapters/dynamodb/dynamodb-verdict-store.ts';
import { RegionalEcrClients } from '../../adapters/ecr/ecr-clients.ts';
import { EcrQuarantineRegistry } from '../../adapters/ecr/ecr-quarantine-registry.ts';
import { ecrRepositoryArn } from '../../adapters/ecr/ecr-repository-arn.ts';
import { EventBridgeEventPublisher } from '../../adapters/eventbridge/eventbridge-event-publisher.ts';
import { S3SbomStore } from '../../adapters/s3/s3-sbom-store.ts';
import { SnsAlertPublisher } from '../../adapters/sns/sns-alert-publisher.ts';
import { SsmPolicySource } from '../../adapters/ssm/ssm-policy-source.ts';
import type { ImageKey } from '../../core/pipeline/model.ts';
import { ExceptionPolicySource } from '../../core/policy/exception-policy-source.ts';
import type { Clock } from '../../core/ports.ts';
import { enforceVerdicts, type EnforcementOutcome, type EnforceRequest, type EnforceVerdictsDeps } from '../../core/use-cases/enforce-verdicts.ts';
import { evaluateImages, type EvaluateCall, type EvaluateImagesDeps, type EvaluationRun } from '../../core/use-cases/evaluate-images.ts';
import { releaseImage, type ReleaseOutcome, type ReleaseRequest } from '../../core/use-cases/release-image.ts';
import { recordPublishFailure } from '../scan-image/scan-metrics.ts';
import type { JudgingClients } from './judging-clients.ts';
import type { JudgingEnvironment } from './judging-environment.ts';

/**
 * Whether OS-owned language packages are matched (`customs scan --match-os-owned`). One setting for
 * the scanner and the rescan: a rescan matching other packages than the scan did would report
 * findings appearing and vanishing that no advisory changed.
 */
export const MATCH_OS_OWNED = false;

export interface JudgingWiring {
  readonly env: JudgingEnvironment;
  readonly clients: JudgingClients;
  /** Counts alert and event publish failures (AlertPublishFailures); absent: not counted. */
  readonly metrics?: Metrics;
  /** ECR by Region (the caller's, when it also reads images through it). */
  readonly ecr?: RegionalEcrClients;
  readonly clock?: Clock;
}

/** The stores and bound use cases a handler judges, enforces and releases with. */
export interface JudgingDeps {
  readonly clock: Clock;
  readonly ecr: RegionalEcrClients;
  readonly images: DynamoDbImageStateStore;
  readonly results: DynamoDbScanResultStore;
  readonly sboms: S3SbomStore;
  readonly quarantines: DynamoDbQuarantineStore;
  /**
   * The repository policies verdicts are judged and enforced by: the deployed policy with the
   * findings API's exceptions (forceRefresh: re-read them now, after the API changed one).
   */
  readonly policies: ExceptionPolicySource;
  /** evaluateImages over the findings table, the policy parameter, the alerts topic and the bus. */
  readonly judge: (keys: readonly ImageKey[], call?: EvaluateCall) => Promise<EvaluationRun>;
  /** enforceVerdicts on the same policy, alerts and events as the verdicts it enforces. */
  readonly enforce: (requests: readonly EnforceRequest[]) => Promise<readonly EnforcementOutcome[]>;
  /** releaseImage by `customs` through the same registry, alerts and events. */
  readonly release: (request: ReleaseRequest) => Promise<ReleaseOutcome>;
}

/** ECR clients by Region: the given client for the function's own Region, a new one for any other. */
export function regionalEcrClients(region: string, ecr: ECRClient): RegionalEcrClients {
  return new RegionalEcrClients({ create: (wanted) => (wanted === region ? ecr : new ECRClient({ region: wanted })) });
}

export function createJudgingDeps(wiring: JudgingWiring): JudgingDeps {
  const { env, clients } = wiring;
  const table = { client: findingsDocumentClient(clients.dynamodb), tableName: env.findingsTable };
  const clock = wiring.clock ?? { now: () => new Date() };
  const ecr = wiring.ecr ?? regionalEcrClients(env.region, clients.ecr);
  const images = new DynamoDbImageStateStore({ ...table, ...(env.historyRetentionDays !== undefined ? { historyRetentionDays: env.historyRetentionDays } : {}) });
  const results = new DynamoDbScanResultStore(table);
  const sboms = new S3SbomStore({ client: clients.s3, bucket: env.sbomBucket });
  const options = { emailImageCap: env.emailImageCap, repositoryId: ecrRepositoryArn };
  // Exceptions added through the findings API apply wherever verdicts are judged: scanner, rescan, daily pass, API.
  const policies = new ExceptionPolicySource({
    base: new SsmPolicySource({ ssm: clients.ssm, s3: clients.s3, parameterName: env.policyParameterName, clock }),
    exceptions: new DynamoDbExceptionStore(table),
    clock,
  });
  const judging: EvaluateImagesDeps = {
    images,
    results,
    sboms,
    verdicts: new DynamoDbVerdictStore(table),
    policies,
    alerts: countingFailures(new SnsAlertPublisher({ client: clients.sns, topicArn: env.alertsTopicArn }), wiring.metrics),
    ...(env.eventBusName !== undefined ? { events: countingFailures(new EventBridgeEventPublisher({ client: clients.eventBridge, eventBusName: env.eventBusName }), wiring.metrics) } : {}),
    clock,
    options,
  };
  const quarantines = new DynamoDbQuarantineStore(table);
  const registry = new EcrQuarantineRegistry({ clients: ecr });
  const enforcing: EnforceVerdictsDeps = {
    verdicts: judging.verdicts,
    quarantines,
    registry,
    policies: judging.policies,
    alerts: judging.alerts,
    ...(judging.events ? { events: judging.events } : {}),
    clock,
    options,
  };
  return {
    clock,
    ecr,
    images,
    results,
    sboms,
    quarantines,
    policies,
    judge: (keys, call) => evaluateImages(keys, judging, call),
    enforce: (requests) => enforceVerdicts(requests, enforcing),
    release: (request) =>
      releaseImage(request, {
        quarantines,
        registry,
        tags: images,
        verdicts: judging.verdicts,
        alerts: judging.alerts,
        ...(judging.events ? { events: judging.events } : {}),
        clock,
        options: { repositoryId: ecrRepositoryArn },
      }),
  };
}

/** A publisher whose failures are counted (AlertPublishFailures, alarmed) before they are thrown for the queue to retry. */
function countingFailures<T>(publisher: { publish(items: readonly T[]): Promise<void> }, metrics: Metrics | undefined): { publish(items: readonly T[]): Promise<void> } {
  if (!metrics) return publisher;
  return {
    publish: async (items) => {
      try {
        await publisher.publish(items);
      } catch (error) {
        recordPublishFailure(metrics);
        throw error;
      }
    },
  };
}
