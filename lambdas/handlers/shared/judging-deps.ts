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
import { ExceptionPolicySource } from '../../core/policy/exception-policy-source.ts';
import type { Clock } from '../../core/ports.ts';
import { bindJudging, type BoundJudging } from './bind-judging.ts';
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

/** The stores and bound use cases a handler judges, enforces and releases with, and ECR by Region. */
export interface JudgingDeps extends BoundJudging {
  readonly ecr: RegionalEcrClients;
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
  // Exceptions added through the findings API apply wherever verdicts are judged: scanner, rescan, daily pass, API.
  const policies = new ExceptionPolicySource({
    base: new SsmPolicySource({ ssm: clients.ssm, s3: clients.s3, parameterName: env.policyParameterName, clock }),
    exceptions: new DynamoDbExceptionStore(table),
    clock,
  });
  const bound = bindJudging({
    clock,
    images,
    results,
    sboms,
    verdicts: new DynamoDbVerdictStore(table),
    quarantines: new DynamoDbQuarantineStore(table),
    policies,
    alerts: countingFailures(new SnsAlertPublisher({ client: clients.sns, topicArn: env.alertsTopicArn }), wiring.metrics),
    ...(env.eventBusName !== undefined ? { events: countingFailures(new EventBridgeEventPublisher({ client: clients.eventBridge, eventBusName: env.eventBusName }), wiring.metrics) } : {}),
    registry: new EcrQuarantineRegistry({ clients: ecr }),
    repositoryId: ecrRepositoryArn,
    emailImageCap: env.emailImageCap,
  });
  return { ...bound, ecr };
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
