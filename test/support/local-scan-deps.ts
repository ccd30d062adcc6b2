import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { findingsDocumentClient } from '../../lambdas/adapters/dynamodb/document-client.ts';
import { DynamoDbClaimStore } from '../../lambdas/adapters/dynamodb/dynamodb-claim-store.ts';
import { DynamoDbImageStateStore } from '../../lambdas/adapters/dynamodb/dynamodb-image-state-store.ts';
import { DynamoDbScanResultStore } from '../../lambdas/adapters/dynamodb/dynamodb-scan-result-store.ts';
import { S3SbomStore } from '../../lambdas/adapters/s3/s3-sbom-store.ts';
import type { AdvisoryFreshness, AdvisoryLoadRequests, AdvisoryLookup, Clock, ImageSourceFactory } from '../../lambdas/core/ports.ts';
import type { ScanImageDeps } from '../../lambdas/core/use-cases/scan-image.ts';

/**
 * scan-image's stores on DynamoDB Local and moto's S3 from their endpoints alone, without vitest's
 * inject, so a child process can be wired exactly as the test process that checks on it.
 */
export interface LocalStores {
  readonly dynamodbEndpoint: string;
  readonly motoEndpoint: string;
  readonly tableName: string;
  readonly bucket: string;
}

export interface ScanParts {
  readonly sources: ImageSourceFactory;
  readonly advisories: AdvisoryLookup;
  readonly freshness: AdvisoryFreshness;
  readonly scannerVersion: string;
  readonly leaseMs: number;
  readonly clock?: Clock;
}

export function localStores(stores: LocalStores) {
  const dynamodb = new DynamoDBClient({ endpoint: stores.dynamodbEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const s3 = new S3Client({ endpoint: stores.motoEndpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'moto', secretAccessKey: 'moto' } });
  const table = { client: findingsDocumentClient(dynamodb), tableName: stores.tableName };
  return {
    dynamodb,
    s3,
    table,
    claims: new DynamoDbClaimStore(table),
    results: new DynamoDbScanResultStore(table),
    images: new DynamoDbImageStateStore(table),
    sboms: new S3SbomStore({ client: s3, bucket: stores.bucket }),
  };
}

/** Callers say advisories are fresh (or never get that far), so asking for a load is a test failure. */
const noLoadExpected: AdvisoryLoadRequests = {
  request: (ecosystems) => Promise.reject(new Error(`no advisory load expected here, asked for ${ecosystems.join(', ')}`)),
  list: () => Promise.resolve([]),
};

export function localScanDeps(stores: LocalStores, parts: ScanParts): ScanImageDeps {
  const { claims, results, images, sboms } = localStores(stores);
  return {
    sources: parts.sources,
    claims,
    results,
    images,
    sboms,
    advisories: parts.advisories,
    freshness: parts.freshness,
    loadRequests: noLoadExpected,
    clock: parts.clock ?? { now: () => new Date() },
    scannerVersion: parts.scannerVersion,
    options: { leaseMs: parts.leaseMs },
  };
}
