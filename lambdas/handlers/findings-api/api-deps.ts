import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDbAdvisoryIdIndex } from '../../adapters/dynamodb/advisory-id-index.ts';
import { findingsDocumentClient } from '../../adapters/dynamodb/document-client.ts';
import { DynamoDbActionLog } from '../../adapters/dynamodb/dynamodb-action-log.ts';
import { DynamoDbBackfillMarks } from '../../adapters/dynamodb/dynamodb-backfill-marks.ts';
import { DynamoDbCountsHistory } from '../../adapters/dynamodb/dynamodb-counts-history.ts';
import { DynamoDbExceptionStore } from '../../adapters/dynamodb/dynamodb-exception-store.ts';
import { DynamoDbImageListing } from '../../adapters/dynamodb/dynamodb-image-listing.ts';
import { DynamoDbPageTokenKeys } from '../../adapters/dynamodb/dynamodb-page-token-keys.ts';
import { DynamoDbRepositoryCatalogue } from '../../adapters/dynamodb/dynamodb-repository-catalogue.ts';
import { DynamoDbScanCompletions } from '../../adapters/dynamodb/dynamodb-scan-completions.ts';
import { DynamoDbSyncCursors } from '../../adapters/dynamodb/dynamodb-sync-cursors.ts';
import { DynamoDbAdvisoryLoadRequests } from '../../adapters/dynamodb/dynamodb-advisory-load-requests.ts';
import { DynamoDbVerdictListing } from '../../adapters/dynamodb/dynamodb-verdict-listing.ts';
import { DynamoDbVerdictStore } from '../../adapters/dynamodb/dynamodb-verdict-store.ts';
import { EcrRegistryCatalog } from '../../adapters/ecr/ecr-registry-catalog.ts';
import { RegionalEcrImageReader } from '../../adapters/ecr/regional-image-reader.ts';
import { S3LargeAnswers } from '../../adapters/s3/s3-large-answers.ts';
import { SqsRescanQueue } from '../../adapters/sqs/sqs-rescan-queue.ts';
import { SqsScanRequestQueue } from '../../adapters/sqs/sqs-scan-request-queue.ts';
import { actionRoutes } from '../../core/api/action-routes/action-routes.ts';
import type { RouteImplementations } from '../../core/api/api-context.ts';
import type { LargeAnswers, PageTokenKeySource } from '../../core/api/api-ports.ts';
import { readRoutes } from '../../core/api/read-routes/read-routes.ts';
import type { ImageState } from '../../core/pipeline/model.ts';
import { scannerVersion } from '../../core/pipeline/scanner-version.ts';
import type { Clock, RegistryCatalog, RegistryImageReader, RescanQueue, ScanRequestQueue } from '../../core/ports.ts';
import { findAffectedImages } from '../../core/use-cases/find-affected-images.ts';
import { createJudgingClients, type JudgingClients } from '../shared/judging-clients.ts';
import type { BoundJudging } from '../shared/bind-judging.ts';
import { createJudgingDeps } from '../shared/judging-deps.ts';
import type { ApiEnvironment } from './api-environment.ts';

/** The judging clients and SQS (the rescan and scan queues the actions feed). */
export interface ApiClients extends JudgingClients {
  readonly sqs: SQSClient;
}

export function createApiClients(region: string): ApiClients {
  return { ...createJudgingClients(region), sqs: new SQSClient({ region }) };
}

export interface ApiWiring {
  readonly env: ApiEnvironment;
  readonly clients: ApiClients;
  readonly clock?: Clock;
  /** For tests: the scanner version whose scans a backfill counts as done (default this bundle's). */
  readonly scannerVersion?: string;
}

export interface ApiDeps {
  readonly implementations: RouteImplementations;
  readonly pageTokenKeys: PageTokenKeySource;
  readonly clock: Clock;
}

/**
 * Every route's implementation on the findings table, the advisory table, the SBOM bucket and the
 * queues: the read routes over the pipeline's stores, the action routes through its use cases
 * (judged, enforced and released as the scanner does: shared/judging-deps.ts).
 */
export function createApiDeps(wiring: ApiWiring): ApiDeps {
  const { env, clients } = wiring;
  const judging = createJudgingDeps({ env, clients, ...(wiring.clock ? { clock: wiring.clock } : {}) });
  const reader = new RegionalEcrImageReader(judging.ecr);
  return apiDepsOn({
    judging,
    dynamodb: clients.dynamodb,
    findingsTable: env.findingsTable,
    advisoryTable: env.advisoryTable,
    rescans: new SqsRescanQueue(clients.sqs, env.rescanQueueUrl),
    scanQueue: new SqsScanRequestQueue({ sqs: clients.sqs, queueUrl: env.scanQueueUrl }),
    catalog: new EcrRegistryCatalog({ ecr: clients.ecr, region: env.region, selection: env.watched }),
    registry: { describe: reader.describe.bind(reader) },
    largeAnswers: new S3LargeAnswers({ client: clients.s3, bucket: env.sbomBucket }),
    staleAfterHours: env.advisoryStaleAfterHours,
    scannerVersion: wiring.scannerVersion ?? scannerVersion(),
  });
}

/** What the routes run on besides the two tables: the parts that differ between AWS and the local stack. */
export interface ApiParts {
  readonly judging: BoundJudging;
  readonly dynamodb: DynamoDBClient;
  readonly findingsTable: string;
  readonly advisoryTable: string;
  readonly rescans: RescanQueue;
  readonly scanQueue: ScanRequestQueue;
  readonly catalog: RegistryCatalog;
  readonly registry: RegistryImageReader;
  readonly largeAnswers: LargeAnswers;
  readonly staleAfterHours: number;
  /** The scanner version whose scans a backfill counts as done. */
  readonly scannerVersion: string;
}

/** Every route's implementation over the findings and advisory tables and the given parts. */
export function apiDepsOn(parts: ApiParts): ApiDeps {
  const { judging, dynamodb } = parts;
  const { clock, images, results } = judging;
  const table = { client: findingsDocumentClient(dynamodb), tableName: parts.findingsTable };
  const advisoryIds = new DynamoDbAdvisoryIdIndex(dynamodb, parts.advisoryTable);
  const affected = (vulnerability: string) => findAffectedImages(vulnerability, { advisories: advisoryIds, results });
  const holders = { imagesWithDigest: (digest: ImageState['digest']) => images.imagesWithDigest(digest) };
  const actions = new DynamoDbActionLog(table);
  const exceptions = new DynamoDbExceptionStore(table);

  const reads = readRoutes({
    catalogue: new DynamoDbRepositoryCatalogue(table),
    images,
    listing: new DynamoDbImageListing(table),
    verdicts: new DynamoDbVerdictStore(table),
    verdictListing: new DynamoDbVerdictListing(table),
    quarantines: judging.quarantines,
    results,
    sboms: judging.sboms,
    policies: judging.policies,
    affected,
    holders,
    cursors: new DynamoDbSyncCursors(dynamodb, parts.advisoryTable),
    loadRequests: new DynamoDbAdvisoryLoadRequests(dynamodb, parts.advisoryTable),
    actions,
    history: new DynamoDbCountsHistory(table),
    exceptions,
    largeAnswers: parts.largeAnswers,
    options: { staleAfterHours: parts.staleAfterHours },
  });
  const acts = actionRoutes({
    actions,
    images,
    rescans: parts.rescans,
    backfill: {
      catalog: parts.catalog,
      states: { imagesOf: (repository) => images.imagesOfRepository(repository, Infinity) },
      images,
      results,
      completions: new DynamoDbScanCompletions(table),
      registry: parts.registry,
      marks: new DynamoDbBackfillMarks(table),
      queue: parts.scanQueue,
      clock,
      scannerVersion: parts.scannerVersion,
    },
    release: judging.release,
    exceptions,
    affected,
    holders,
    judge: judging.judge,
    // The re-judging right after an exception change must see it, not the minute-old revision.
    policies: judging.policies,
  });
  return { implementations: { ...reads, ...acts }, pageTokenKeys: new DynamoDbPageTokenKeys({ ...table, clock }), clock };
}
