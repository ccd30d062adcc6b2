import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECRClient } from '@aws-sdk/client-ecr';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDbAdvisoryFreshness } from '../../adapters/dynamodb/advisory-freshness.ts';
import { DynamoDbAdvisoryLoadRequests } from '../../adapters/dynamodb/dynamodb-advisory-load-requests.ts';
import { DynamoDbAdvisoryLookup } from '../../adapters/dynamodb/advisory-lookup.ts';
import { findingsDocumentClient } from '../../adapters/dynamodb/document-client.ts';
import { DynamoDbClaimStore } from '../../adapters/dynamodb/dynamodb-claim-store.ts';
import { DynamoDbImageStateStore } from '../../adapters/dynamodb/dynamodb-image-state-store.ts';
import { DynamoDbScanResultStore } from '../../adapters/dynamodb/dynamodb-scan-result-store.ts';
import { EcrAuthorizationCache } from '../../adapters/ecr/ecr-authorization.ts';
import { EcrImageReader } from '../../adapters/ecr/ecr-image-reader.ts';
import { ecrImageSources, type EcrImageSourceOptions } from '../../adapters/ecr/ecr-image-source.ts';
import { S3SbomStore } from '../../adapters/s3/s3-sbom-store.ts';
import { scannerVersion } from '../../core/pipeline/scanner-version.ts';
import { scanImage, type ScanImageDeps } from '../../core/use-cases/scan-image.ts';
import type { ScanRecordDeps } from './process-record.ts';
import { SqsRetrySchedule } from './retry-schedule.ts';
import type { ScannerEnvironment } from './scanner-environment.ts';

/** AWS clients, built once per cold start; tests point them at DynamoDB Local and moto. */
export interface ScannerClients {
  readonly dynamodb: DynamoDBClient;
  readonly ecr: ECRClient;
  readonly s3: S3Client;
  readonly sqs: SQSClient;
}

export function createScannerClients(region: string): ScannerClients {
  return { dynamodb: new DynamoDBClient({ region }), ecr: new ECRClient({ region }), s3: new S3Client({ region }), sqs: new SQSClient({ region }) };
}

export interface ScannerWiring {
  readonly env: ScannerEnvironment;
  readonly clients: ScannerClients;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** For loopback tests: fetch and retry delays of the registry client. */
  readonly sourceOptions?: EcrImageSourceOptions;
}

/** The use cases' ports on DynamoDB, S3 and ECR, and the record layer around them. */
export function createScannerDeps(wiring: ScannerWiring): ScanRecordDeps {
  const { env, clients } = wiring;
  const documents = findingsDocumentClient(clients.dynamodb);
  const table = { client: documents, tableName: env.findingsTable };
  const images = new DynamoDbImageStateStore(table);
  const clock = { now: () => new Date() };
  const deps: ScanImageDeps = {
    sources: ecrImageSources(new EcrAuthorizationCache(clients.ecr), wiring.sourceOptions),
    claims: new DynamoDbClaimStore(table),
    results: new DynamoDbScanResultStore(table),
    images,
    sboms: new S3SbomStore({ client: clients.s3, bucket: env.sbomBucket }),
    advisories: new DynamoDbAdvisoryLookup(clients.dynamodb, env.advisoryTable),
    freshness: new DynamoDbAdvisoryFreshness(clients.dynamodb, env.advisoryTable),
    loadRequests: new DynamoDbAdvisoryLoadRequests(clients.dynamodb, env.advisoryTable),
    clock,
    scannerVersion: scannerVersion(),
    options: { maxAdvisoryAgeMs: env.advisoryMaxAgeMs },
  };
  return {
    scan: (request) => scanImage(request, deps),
    registry: new EcrImageReader(clients.ecr),
    images,
    clock,
    retries: new SqsRetrySchedule(clients.sqs),
    logger: wiring.logger,
    metrics: wiring.metrics,
  };
}
