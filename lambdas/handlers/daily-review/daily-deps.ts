import { SQSClient } from '@aws-sdk/client-sqs';
import { findingsDocumentClient } from '../../adapters/dynamodb/document-client.ts';
import { DynamoDbCountsHistory } from '../../adapters/dynamodb/dynamodb-counts-history.ts';
import { DynamoDbBackfillMarks } from '../../adapters/dynamodb/dynamodb-backfill-marks.ts';
import type { DynamoDbImageStateStore } from '../../adapters/dynamodb/dynamodb-image-state-store.ts';
import { DynamoDbRepositoryCatalogue } from '../../adapters/dynamodb/dynamodb-repository-catalogue.ts';
import { DynamoDbScanCompletions } from '../../adapters/dynamodb/dynamodb-scan-completions.ts';
import { DynamoDbVerdictListing } from '../../adapters/dynamodb/dynamodb-verdict-listing.ts';
import { DynamoDbScanVersionIndex } from '../../adapters/dynamodb/scan-version-index.ts';
import { EcrRegistryCatalog } from '../../adapters/ecr/ecr-registry-catalog.ts';
import { RegionalEcrImageReader } from '../../adapters/ecr/regional-image-reader.ts';
import { SqsScanRequestQueue } from '../../adapters/sqs/sqs-scan-request-queue.ts';
import { scannerVersion } from '../../core/pipeline/scanner-version.ts';
import type { Clock } from '../../core/ports.ts';
import { createJudgingClients, type JudgingClients } from '../shared/judging-clients.ts';
import { createJudgingDeps } from '../shared/judging-deps.ts';
import type { DailyEnvironment } from './daily-environment.ts';
import { backfillStep, countsStep, reindexStep, retentionStep, reviewStep } from './daily-steps.ts';
import type { DailyStep } from './run-steps.ts';

/** The judging clients and SQS (the scan requests the enumeration and the re-index queue). */
export interface DailyClients extends JudgingClients {
  readonly sqs: SQSClient;
}

export function createDailyClients(region: string): DailyClients {
  return { ...createJudgingClients(region), sqs: new SQSClient({ region }) };
}

export interface DailyWiring {
  readonly env: DailyEnvironment;
  readonly clients: DailyClients;
  /** For tests: the time every step judges against. */
  readonly clock?: Clock;
  /** For tests: the scanner version whose scans count as current (default: this bundle's, the deployed scanner's). */
  readonly scannerVersion?: string;
}

/** The five steps of the daily pass on DynamoDB, ECR, SQS, SNS and SSM, in the order they run. */
export function createDailySteps(wiring: DailyWiring): DailyStep<unknown>[] {
  const { env, clients } = wiring;
  const version = wiring.scannerVersion ?? scannerVersion();
  // Judged and enforced as the scanner and the rescan judge (shared/judging-deps.ts): a verdict
  // turned FAIL is quarantined where the policy says so. Stored images may live in other Regions (a
  // hub's events name theirs): the ECR clients ask each where it lives.
  const judging = createJudgingDeps({ env, clients, ...(wiring.clock ? { clock: wiring.clock } : {}) });
  const { clock, images, results } = judging;
  const table = { client: findingsDocumentClient(clients.dynamodb), tableName: env.findingsTable };
  const catalogue = new DynamoDbRepositoryCatalogue(table);
  const reader = new RegionalEcrImageReader(judging.ecr);
  const registry = { describe: reader.describe.bind(reader) };
  const queue = new SqsScanRequestQueue({ sqs: clients.sqs, queueUrl: env.scanQueueUrl });
  const verdicts = new DynamoDbVerdictListing(table);
  const states = { imagesOf: (repository: Parameters<DynamoDbImageStateStore['imagesOfRepository']>[0]) => images.imagesOfRepository(repository, Infinity) };

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
        verdicts,
        images,
        results,
        policies: judging.policies,
        registry,
        evaluate: (keys) => judging.judge(keys),
        enforce: judging.enforce,
        clock,
      },
    ),
    reindexStep({ limit: env.reindexPerRun, clock }, { versions: new DynamoDbScanVersionIndex(table), images, queue, scannerVersion: version }),
    retentionStep({ ...(env.deletedRetentionDays !== undefined ? { retentionDays: env.deletedRetentionDays } : {}) }, { catalogue, states, images, clock }),
    countsStep({ catalogue, verdicts, states, history: new DynamoDbCountsHistory(table), clock }),
  ];
}
