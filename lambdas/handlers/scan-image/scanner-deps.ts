import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDbAdvisoryFreshness } from '../../adapters/dynamodb/advisory-freshness.ts';
import { DynamoDbAdvisoryLoadRequests } from '../../adapters/dynamodb/dynamodb-advisory-load-requests.ts';
import { DynamoDbAdvisoryLookup } from '../../adapters/dynamodb/advisory-lookup.ts';
import { findingsDocumentClient } from '../../adapters/dynamodb/document-client.ts';
import { DynamoDbClaimStore } from '../../adapters/dynamodb/dynamodb-claim-store.ts';
import { EcrAuthorizationCache, type EcrAuthorizationOptions } from '../../adapters/ecr/ecr-authorization.ts';
import { ecrImageSources, type EcrImageSourceOptions } from '../../adapters/ecr/ecr-image-source.ts';
import { RegionalEcrImageReader } from '../../adapters/ecr/regional-image-reader.ts';
import { S3LayerAnalysisCache } from '../../adapters/s3/s3-layer-analysis-cache.ts';
import { BoundedMemoryLayerCache } from '../../core/image/bounded-memory-layer-cache.ts';
import { TieredLayerCache } from '../../core/image/tiered-layer-cache.ts';
import { scannerVersion } from '../../core/pipeline/scanner-version.ts';
import type { Clock } from '../../core/ports.ts';
import { scanImage, type ScanImageDeps } from '../../core/use-cases/scan-image.ts';
import type { ScanRecordDeps } from './process-record.ts';
import { SqsRetrySchedule } from './retry-schedule.ts';
import { recordLayerCache } from './scan-metrics.ts';
import { createJudgingClients, type JudgingClients } from '../shared/judging-clients.ts';
import { createJudgingDeps, MATCH_OS_OWNED, regionalEcrClients } from '../shared/judging-deps.ts';
import type { ScannerEnvironment } from './scanner-environment.ts';

/** The judging clients and SQS (a failed scan's retry is its message's visibility). */
export interface ScannerClients extends JudgingClients {
  readonly sqs: SQSClient;
}

export function createScannerClients(region: string): ScannerClients {
  return { ...createJudgingClients(region), sqs: new SQSClient({ region }) };
}

export interface ScannerWiring {
  readonly env: ScannerEnvironment;
  readonly clients: ScannerClients;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** For loopback tests: fetch and retry delays of the registry client. */
  readonly sourceOptions?: EcrImageSourceOptions;
  /** For loopback tests: the endpoint a stand-in registry's token names instead of ECR's own. */
  readonly authorizationOptions?: EcrAuthorizationOptions;
  /** For tests: the time ignore entries' expiry is judged against (and every other timestamp). */
  readonly clock?: Clock;
}

/** The use cases' ports on DynamoDB, S3 and ECR, and the record layer around them. */
export function createScannerDeps(wiring: ScannerWiring): ScanRecordDeps {
  const { env, clients } = wiring;
  const documents = findingsDocumentClient(clients.dynamodb);
  const table = { client: documents, tableName: env.findingsTable };
  // Layer analyses by verified digest: memory for this warm process, S3 across cold starts and
  // invocations, so a new tag on a shared base reads only its new layers.
  const layerAnalyses = new S3LayerAnalysisCache({ client: clients.s3, bucket: env.sbomBucket });
  const layerCache = new TieredLayerCache(new BoundedMemoryLayerCache(), layerAnalyses);
  // Each event names its registry (account and Region): log in to it and ask its Region's API, so a
  // hub receiving events from several accounts and Regions reads each image where it lives.
  const ecr = regionalEcrClients(env.region, clients.ecr);
  // Verdicts, enforce mode's quarantine and the stores they share, wired as the rescan wires them.
  const judging = createJudgingDeps({ env, clients, metrics: wiring.metrics, ecr, ...(wiring.clock ? { clock: wiring.clock } : {}) });
  const { images, clock } = judging;
  const deps: ScanImageDeps = {
    sources: ecrImageSources(new EcrAuthorizationCache(ecr, wiring.authorizationOptions), wiring.sourceOptions),
    claims: new DynamoDbClaimStore(table),
    results: judging.results,
    images,
    sboms: judging.sboms,
    advisories: new DynamoDbAdvisoryLookup(clients.dynamodb, env.advisoryTable),
    freshness: new DynamoDbAdvisoryFreshness(clients.dynamodb, env.advisoryTable),
    loadRequests: new DynamoDbAdvisoryLoadRequests(clients.dynamodb, env.advisoryTable),
    clock,
    scannerVersion: scannerVersion(),
    options: { maxAdvisoryAgeMs: env.advisoryMaxAgeMs, layerCache, matchOsOwned: MATCH_OS_OWNED },
  };
  return {
    judge: (keys) => judging.judge(keys),
    enforce: judging.enforce,
    scan: async (request, call) => {
      try {
        return await scanImage(request, deps, call);
      } finally {
        recordLayerCache(wiring.metrics, layerAnalyses.takeCounters());
      }
    },
    registry: new RegionalEcrImageReader(ecr),
    images,
    clock,
    retries: new SqsRetrySchedule(clients.sqs),
    logger: wiring.logger,
    metrics: wiring.metrics,
  };
}
