import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { join } from 'node:path';
import { DynamoDbAdvisoryFreshness } from '../../adapters/dynamodb/advisory-freshness.ts';
import { DynamoDbAdvisoryLookup } from '../../adapters/dynamodb/advisory-lookup.ts';
import { findingsDocumentClient } from '../../adapters/dynamodb/document-client.ts';
import { DynamoDbAdvisoryLoadRequests } from '../../adapters/dynamodb/dynamodb-advisory-load-requests.ts';
import { DynamoDbClaimStore } from '../../adapters/dynamodb/dynamodb-claim-store.ts';
import { DynamoDbExceptionStore } from '../../adapters/dynamodb/dynamodb-exception-store.ts';
import { DynamoDbImageStateStore } from '../../adapters/dynamodb/dynamodb-image-state-store.ts';
import { DynamoDbQuarantineStore } from '../../adapters/dynamodb/dynamodb-quarantine-store.ts';
import { DynamoDbScanResultStore } from '../../adapters/dynamodb/dynamodb-scan-result-store.ts';
import { DynamoDbVerdictStore } from '../../adapters/dynamodb/dynamodb-verdict-store.ts';
import { FileAdvisoryChangeSets } from '../../adapters/filesystem/file-advisory-change-sets.ts';
import { FileLargeAnswers } from '../../adapters/filesystem/file-large-answers.ts';
import { FileLayerAnalysisCache } from '../../adapters/filesystem/file-layer-analysis-cache.ts';
import { FilePolicySource } from '../../adapters/filesystem/file-policy-source.ts';
import { FileSbomStore } from '../../adapters/filesystem/file-sbom-store.ts';
import { DistributionRegistryCatalog } from '../../adapters/oci-registry/distribution-catalog.ts';
import { DistributionQuarantineRegistry } from '../../adapters/oci-registry/registry-quarantine.ts';
import { createRegistrySource } from '../../adapters/oci-registry/registry-source.ts';
import { ConsoleAlertPublisher } from '../../adapters/webhook/console-alert-publisher.ts';
import { fanOutAlerts } from '../../adapters/webhook/fan-out-alert-publisher.ts';
import { WebhookAlertPublisher } from '../../adapters/webhook/webhook-alert-publisher.ts';
import { BoundedMemoryLayerCache } from '../../core/image/bounded-memory-layer-cache.ts';
import { TieredLayerCache } from '../../core/image/tiered-layer-cache.ts';
import { scannerVersion } from '../../core/pipeline/scanner-version.ts';
import { ExceptionPolicySource } from '../../core/policy/exception-policy-source.ts';
import type { AlertPublisher, Clock } from '../../core/ports.ts';
import { type ScanImageDeps } from '../../core/use-cases/scan-image.ts';
import { rescanImages, type RescanImagesDeps } from '../../core/use-cases/rescan-images.ts';
import { createFindingsApiHandler, type FindingsApiHandler } from '../../handlers/findings-api-handler.ts';
import { apiDepsOn } from '../../handlers/findings-api/api-deps.ts';
import { bindJudging, type BoundJudging } from '../../handlers/shared/bind-judging.ts';
import { MATCH_OS_OWNED } from '../../handlers/shared/judging-deps.ts';
import type { RunningLocalRegistry } from '../registry-service.ts';
import type { FileQueue } from '../queue/file-queue.ts';
import { LocalRescanQueue, LocalScanRequestQueue, type LocalWork } from '../queue/local-queues.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION, localRepositoryId } from './local-identity.ts';
import { LOCAL_DEFAULTS } from './local-defaults.ts';
import { createLocalSync, type LocalSync } from './local-sync.ts';
import { createLocalReconcile, type LocalReconcile } from './local-reconcile.ts';

/** What the stack started for the pipeline to run on. */
export interface LocalPipelineParts {
  readonly dynamodb: DynamoDBClient;
  readonly tables: { readonly findings: string; readonly advisories: string };
  readonly dataDir: string;
  readonly registry: RunningLocalRegistry;
  readonly queue: FileQueue<LocalWork>;
  /** An OSV directory or zip, or an http(s) base URL laid out like osv.dev's export. */
  readonly advisories: string;
  readonly alertWebhooks: readonly string[];
  /** One line per alert on the console. */
  readonly console: { readonly write: (line: string) => void; readonly colour: boolean };
  /** Where the findings API is served: large answers are fetched from `<apiUrl>/_large/<id>`. */
  readonly apiUrl: string;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly clock?: Clock;
  /** Told when the policy file could not be re-read (the earlier policy is kept). */
  readonly onPolicyProblem?: (error: unknown) => void;
}

/** The Lambdas' use cases bound on the local stack's adapters. */
export interface LocalPipeline {
  readonly judging: BoundJudging;
  readonly scanDeps: ScanImageDeps;
  readonly rescan: (message: Parameters<typeof rescanImages>[0]) => ReturnType<typeof rescanImages>;
  readonly catalog: DistributionRegistryCatalog;
  readonly sync: LocalSync;
  readonly reconcile: LocalReconcile;
  readonly api: FindingsApiHandler;
  readonly largeAnswers: FileLargeAnswers;
  readonly policyPath: string;
}

/**
 * The composition root of the local stack: the same stores (DynamoDB Local for the two tables),
 * policy compilation, verdicts, enforcement, alert bodies, scan, rescan, sync and backfill code as
 * the deployed Lambdas, with files where AWS has S3 and SSM, the local registry where it has ECR,
 * the file queue where it has SQS and console and webhook alerts where it has SNS.
 */
export function createLocalPipeline(parts: LocalPipelineParts): LocalPipeline {
  const clock = parts.clock ?? { now: () => new Date() };
  const table = { client: findingsDocumentClient(parts.dynamodb), tableName: parts.tables.findings };
  const files = join(parts.dataDir, 'files');
  const endpoint = { baseUrl: parts.registry.url };
  const catalog = new DistributionRegistryCatalog({ registry: endpoint, account: LOCAL_ACCOUNT, region: LOCAL_REGION });
  const policyPath = join(parts.dataDir, 'policy.yaml');
  const policies = new ExceptionPolicySource({
    base: new FilePolicySource({ path: policyPath, clock, ...(parts.onPolicyProblem ? { onProblem: parts.onPolicyProblem } : {}) }),
    exceptions: new DynamoDbExceptionStore(table),
    clock,
  });
  const alerts: AlertPublisher[] = [new ConsoleAlertPublisher(parts.console)];
  if (parts.alertWebhooks.length > 0) alerts.push(new WebhookAlertPublisher({ urls: parts.alertWebhooks }));
  const judging = bindJudging({
    clock,
    images: new DynamoDbImageStateStore(table),
    results: new DynamoDbScanResultStore(table),
    sboms: new FileSbomStore({ root: files }),
    verdicts: new DynamoDbVerdictStore(table),
    quarantines: new DynamoDbQuarantineStore(table),
    policies,
    alerts: fanOutAlerts(alerts),
    registry: new DistributionQuarantineRegistry({ registry: endpoint, storageRoot: parts.registry.storageRoot }),
    repositoryId: localRepositoryId(parts.registry.host),
    emailImageCap: LOCAL_DEFAULTS.emailImageCap,
  });
  const advisories = new DynamoDbAdvisoryLookup(parts.dynamodb, parts.tables.advisories);
  const freshness = new DynamoDbAdvisoryFreshness(parts.dynamodb, parts.tables.advisories);
  const version = scannerVersion();
  const scanDeps: ScanImageDeps = {
    // Every image lives in the stack's own registry: the request's repository and digest name it there.
    sources: { open: async (request) => createRegistrySource({ transport: 'registry', registry: parts.registry.host, repository: request.repository, digest: request.digest }) },
    claims: new DynamoDbClaimStore(table),
    results: judging.results,
    images: judging.images,
    sboms: judging.sboms,
    advisories,
    freshness,
    loadRequests: new DynamoDbAdvisoryLoadRequests(parts.dynamodb, parts.tables.advisories),
    clock,
    scannerVersion: version,
    options: {
      maxAdvisoryAgeMs: LOCAL_DEFAULTS.advisoryMaxAgeMs,
      layerCache: new TieredLayerCache(new BoundedMemoryLayerCache(), new FileLayerAnalysisCache({ root: files })),
      matchOsOwned: MATCH_OS_OWNED,
    },
  };
  const changeSets = new FileAdvisoryChangeSets({ root: files });
  const rescanDeps: RescanImagesDeps = {
    results: judging.results,
    sboms: judging.sboms,
    changeSets,
    advisories,
    holders: judging.images,
    judge: judging.judge,
    enforce: judging.enforce,
    release: { quarantines: judging.quarantines, release: judging.release },
    gate: { freshness, maxAdvisoryAgeMs: LOCAL_DEFAULTS.advisoryMaxAgeMs },
    clock,
    options: { matchOsOwned: MATCH_OS_OWNED },
  };
  const rescans = new LocalRescanQueue(parts.queue);
  const scanQueue = new LocalScanRequestQueue(parts.queue);
  const largeAnswers = new FileLargeAnswers({ root: files, urlFor: (id) => `${parts.apiUrl}/_large/${id}`, clock });
  const apiDeps = apiDepsOn({
    judging,
    dynamodb: parts.dynamodb,
    findingsTable: parts.tables.findings,
    advisoryTable: parts.tables.advisories,
    rescans,
    scanQueue,
    catalog,
    registry: { describe: catalog.describe.bind(catalog) },
    largeAnswers,
    staleAfterHours: LOCAL_DEFAULTS.advisoryStaleAfterHours,
    scannerVersion: version,
  });
  const api = createFindingsApiHandler({
    ...apiDeps,
    // One local user, the holder of DATA_DIR/api-token, may read and act on every repository.
    rules: [{ principal: 'local', read: [''], act: [''] }],
    region: LOCAL_REGION,
    account: LOCAL_ACCOUNT,
    logger: parts.logger,
  });
  const sync = createLocalSync({ ...parts, clock, changeSets, rescans, results: judging.results });
  const reconcile = createLocalReconcile({ table, catalog, images: judging.images, results: judging.results, queue: scanQueue, clock, scannerVersion: version });
  return { judging, scanDeps, rescan: (message) => rescanImages(message, rescanDeps), catalog, sync, reconcile, api, largeAnswers, policyPath };
}
