import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECRClient } from '@aws-sdk/client-ecr';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { findingsDocumentClient } from '../../adapters/dynamodb/document-client.ts';
import { DynamoDbBackfillMarks } from '../../adapters/dynamodb/dynamodb-backfill-marks.ts';
import { DynamoDbImageStateStore } from '../../adapters/dynamodb/dynamodb-image-state-store.ts';
import { DynamoDbQuarantineStore } from '../../adapters/dynamodb/dynamodb-quarantine-store.ts';
import { DynamoDbRepositoryCatalogue } from '../../adapters/dynamodb/dynamodb-repository-catalogue.ts';
import { DynamoDbScanCompletions } from '../../adapters/dynamodb/dynamodb-scan-completions.ts';
import { DynamoDbScanResultStore } from '../../adapters/dynamodb/dynamodb-scan-result-store.ts';
import { DynamoDbVerdictListing } from '../../adapters/dynamodb/dynamodb-verdict-listing.ts';
import { DynamoDbVerdictStore } from '../../adapters/dynamodb/dynamodb-verdict-store.ts';
import { DynamoDbScanVersionIndex } from '../../adapters/dynamodb/scan-version-index.ts';
import { RegionalEcrClients } from '../../adapters/ecr/ecr-clients.ts';
import { EcrQuarantineRegistry } from '../../adapters/ecr/ecr-quarantine-registry.ts';
import { EcrRegistryCatalog } from '../../adapters/ecr/ecr-registry-catalog.ts';
import { ecrRepositoryArn } from '../../adapters/ecr/ecr-repository-arn.ts';
import { RegionalEcrImageReader } from '../../adapters/ecr/regional-image-reader.ts';
import { EventBridgeEventPublisher } from '../../adapters/eventbridge/eventbridge-event-publisher.ts';
import { S3SbomStore } from '../../adapters/s3/s3-sbom-store.ts';
import { SnsAlertPublisher } from '../../adapters/sns/sns-alert-publisher.ts';
import { SqsScanRequestQueue } from '../../adapters/sqs/sqs-scan-request-queue.ts';
import { SsmPolicySource } from '../../adapters/ssm/ssm-policy-source.ts';
import { scannerVersion } from '../../core/pipeline/scanner-version.ts';
import type { Clock } from '../../core/ports.ts';
import { enforceVerdicts, type EnforceVerdictsDeps } from '../../core/use-cases/enforce-verdicts.ts';
import { evaluateImages, type EvaluateImagesDeps } from '../../core/use-cases/evaluate-images.ts';
import type { DailyEnvironment } from './daily-environment.ts';
import { backfillStep, reindexStep, retentionStep, reviewStep } from './daily-steps.ts';
import type { DailyStep } from './run-steps.ts';

/** AWS clients, built once per cold start; tests point them at DynamoDB Local and moto. */
export interface DailyClients {
  readonly dynamodb: DynamoDBClient;
  readonly ecr: ECRClient;
  readonly sqs: SQSClient;
  readonly sns: SNSClient;
  readonly ssm: SSMClient;
  readonly s3: S3Client;
  readonly eventBridge: EventBridgeClient;
}

export function createDailyClients(region: string): DailyClients {
  return {
    dynamodb: new DynamoDBClient({ region }),
    ecr: new ECRClient({ region }),
    sqs: new SQSClient({ region }),
    sns: new SNSClient({ region }),
    ssm: new SSMClient({ region }),
    s3: new S3Client({ region }),
    eventBridge: new EventBridgeClient({ region }),
  };
}

export interface DailyWiring {
  readonly env: DailyEnvironment;
  readonly clients: DailyClients;
  /** For tests: the time every step judges against. */
  readonly clock?: Clock;
  /** For tests: the scanner version whose scans count as current (default: this bundle's, the deployed scanner's). */
  readonly scannerVersion?: string;
}

/** The four steps of the daily pass on DynamoDB, ECR, SQS, SNS and SSM, in the order they run. */
export function createDailySteps(wiring: DailyWiring): DailyStep<unknown>[] {
  const { env, clients } = wiring;
  const clock = wiring.clock ?? { now: () => new Date() };
  const version = wiring.scannerVersion ?? scannerVersion();
  const table = { client: findingsDocumentClient(clients.dynamodb), tableName: env.findingsTable };
  const images = new DynamoDbImageStateStore({ ...table, ...(env.historyRetentionDays !== undefined ? { historyRetentionDays: env.historyRetentionDays } : {}) });
  const results = new DynamoDbScanResultStore(table);
  const catalogue = new DynamoDbRepositoryCatalogue(table);
  // Stored images may live in other Regions (a hub's events name theirs): ask each where it lives.
  const ecr = new RegionalEcrClients({ create: (region) => (region === env.region ? clients.ecr : new ECRClient({ region })) });
  const reader = new RegionalEcrImageReader(ecr);
  const registry = { describe: reader.describe.bind(reader) };
  const queue = new SqsScanRequestQueue({ sqs: clients.sqs, queueUrl: env.scanQueueUrl });
  const states = { imagesOf: (repository: Parameters<DynamoDbImageStateStore['imagesOfRepository']>[0]) => images.imagesOfRepository(repository, Infinity) };

  const judging: EvaluateImagesDeps = {
    images,
    results,
    sboms: new S3SbomStore({ client: clients.s3, bucket: env.sbomBucket }),
    verdicts: new DynamoDbVerdictStore(table),
    policies: new SsmPolicySource({ ssm: clients.ssm, s3: clients.s3, parameterName: env.policyParameterName, clock }),
    alerts: new SnsAlertPublisher({ client: clients.sns, topicArn: env.alertsTopicArn }),
    ...(env.eventBusName !== undefined ? { events: new EventBridgeEventPublisher({ client: clients.eventBridge, eventBusName: env.eventBusName }) } : {}),
    clock,
    options: { emailImageCap: env.emailImageCap, repositoryId: ecrRepositoryArn },
  };
  // The review enforces as a rescan does: a verdict turned FAIL is quarantined where the policy says so.
  const enforcing: EnforceVerdictsDeps = {
    verdicts: judging.verdicts,
    quarantines: new DynamoDbQuarantineStore(table),
    registry: new EcrQuarantineRegistry({ clients: ecr }),
    policies: judging.policies,
    alerts: judging.alerts,
    ...(judging.events ? { events: judging.events } : {}),
    clock,
    options: { emailImageCap: env.emailImageCap, repositoryId: ecrRepositoryArn },
  };

  return [
    backfillStep(
      { ...(env.backfillMaxAgeDays !== undefined ? { maxAgeDays: env.backfillMaxAgeDays } : {}) },
      {
        catalog: new EcrRegistryCatalog({ ecr: clients.ecr, region: env.region, selection: env.watched }),
        states,
        images,
        results,
        completions: new DynamoDbScanCompletions(table),
        registry,
        marks: new DynamoDbBackfillMarks(table),
        queue,
        clock,
        scannerVersion: version,
      },
    ),
    reviewStep(
      { batchSize: env.reviewBatchSize, concurrency: env.reviewConcurrency },
      {
        catalogue,
        verdicts: new DynamoDbVerdictListing(table),
        images,
        results,
        policies: judging.policies,
        registry,
        evaluate: (keys) => evaluateImages(keys, judging),
        enforce: (requests) => enforceVerdicts(requests, enforcing),
        clock,
      },
    ),
    reindexStep({ limit: env.reindexPerRun, clock }, { versions: new DynamoDbScanVersionIndex(table), images, queue, scannerVersion: version }),
    retentionStep({ ...(env.deletedRetentionDays !== undefined ? { retentionDays: env.deletedRetentionDays } : {}) }, { catalogue, states, images, clock }),
  ];
}
