import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { findingsDocumentClient } from '../../adapters/dynamodb/document-client.ts';
import { DynamoDbAdvisoryLoadRequests } from '../../adapters/dynamodb/dynamodb-advisory-load-requests.ts';
import { DynamoDbAdvisoryWriter } from '../../adapters/dynamodb/dynamodb-advisory-writer.ts';
import { DynamoDbPendingFanOuts } from '../../adapters/dynamodb/dynamodb-pending-fan-outs.ts';
import { DynamoDbRescanMarks } from '../../adapters/dynamodb/dynamodb-rescan-marks.ts';
import { DynamoDbScanResultStore } from '../../adapters/dynamodb/dynamodb-scan-result-store.ts';
import { DynamoDbSyncCursors } from '../../adapters/dynamodb/dynamodb-sync-cursors.ts';
import { DynamoDbSyncLease } from '../../adapters/dynamodb/dynamodb-sync-lease.ts';
import { HttpOsvExport, type HttpOsvExportOptions } from '../../adapters/osv/http-osv-export.ts';
import { S3AdvisoryChangeSets } from '../../adapters/s3/s3-advisory-change-sets.ts';
import { SqsRescanQueue } from '../../adapters/sqs/sqs-rescan-queue.ts';
import type { Clock } from '../../core/ports.ts';
import { SqsContinuationQueue } from './continuation-queue.ts';
import type { SyncRunDeps, SyncRunOptions } from './run-sync.ts';
import type { SyncEnvironment } from './sync-environment.ts';

/** AWS clients, built once per cold start; tests point them at DynamoDB Local and moto. */
export interface SyncClients {
  readonly dynamodb: DynamoDBClient;
  readonly s3: S3Client;
  readonly sqs: SQSClient;
}

export function createSyncClients(region: string): SyncClients {
  return { dynamodb: new DynamoDBClient({ region }), s3: new S3Client({ region }), sqs: new SQSClient({ region }) };
}

export interface SyncWiring {
  readonly env: SyncEnvironment;
  readonly clients: SyncClients;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly clock?: Clock;
  /** For tests: the export client's scratch directory, fetch or limits. */
  readonly exportOptions?: Omit<HttpOsvExportOptions, 'baseUrl'>;
  /** For tests: smaller groups, a shorter lease. */
  readonly runOptions?: Pick<SyncRunOptions, 'groupSize' | 'leaseMs' | 'fetchConcurrency'>;
}

/** The sync's ports: the export over HTTP, the advisory table (pending fan-outs too), the findings table's package and waiting indexes and rescan marks, S3 change sets, SQS. */
export function createSyncDeps(wiring: SyncWiring): SyncRunDeps {
  const { env, clients } = wiring;
  const findings = { client: findingsDocumentClient(clients.dynamodb), tableName: env.findingsTable };
  const clock = wiring.clock ?? { now: () => new Date() };
  return {
    source: new HttpOsvExport({ ...wiring.exportOptions, baseUrl: env.sourceUrl }),
    writer: new DynamoDbAdvisoryWriter(clients.dynamodb, env.advisoryTable),
    cursors: new DynamoDbSyncCursors(clients.dynamodb, env.advisoryTable),
    lease: new DynamoDbSyncLease(clients.dynamodb, env.advisoryTable),
    changeSets: new S3AdvisoryChangeSets({ client: clients.s3, bucket: env.sbomBucket }),
    loadRequests: new DynamoDbAdvisoryLoadRequests(clients.dynamodb, env.advisoryTable),
    results: new DynamoDbScanResultStore(findings),
    pending: new DynamoDbPendingFanOuts(clients.dynamodb, env.advisoryTable),
    // Only the sync lease's holder fans out: a mark claimed but never confirmed is a dead run's, so
    // it is taken again at once (its digests sent again) rather than skipped until a lease expires.
    marks: new DynamoDbRescanMarks({ ...findings, claimLeaseMs: 0 }),
    rescanQueue: new SqsRescanQueue(clients.sqs, env.rescanQueueUrl),
    continuation: new SqsContinuationQueue(clients.sqs, env.continuationQueueUrl),
    clock,
    logger: wiring.logger,
    metrics: wiring.metrics,
    options: {
      ecosystems: env.ecosystems,
      overlapMs: env.overlapMs,
      fullCompareEveryMs: env.fullCompareEveryMs,
      sourceName: env.sourceUrl.replace(/\/+$/, ''),
      digestsPerMessage: env.digestsPerMessage,
      ...wiring.runOptions,
    },
  };
}
