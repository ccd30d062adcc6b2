import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';
import { findingsDocumentClient } from '../../../lambdas/adapters/dynamodb/document-client.ts';
import { DynamoDbAdvisoryLoadRequests } from '../../../lambdas/adapters/dynamodb/dynamodb-advisory-load-requests.ts';
import { DynamoDbClaimStore } from '../../../lambdas/adapters/dynamodb/dynamodb-claim-store.ts';
import { DynamoDbImageStateStore } from '../../../lambdas/adapters/dynamodb/dynamodb-image-state-store.ts';
import { DynamoDbRepositoryCatalogue } from '../../../lambdas/adapters/dynamodb/dynamodb-repository-catalogue.ts';
import { DynamoDbScanResultStore } from '../../../lambdas/adapters/dynamodb/dynamodb-scan-result-store.ts';
import { ADVISORY_TABLE, FINDINGS_TABLE } from '../../../lambdas/adapters/dynamodb/table-schema.ts';
import { openImageSource } from '../../../lambdas/adapters/open-image-source.ts';
import { loadAdvisories } from '../../../lambdas/adapters/osv/load-advisories.ts';
import { S3SbomStore } from '../../../lambdas/adapters/s3/s3-sbom-store.ts';
import { AdvisoryStore } from '../../../lambdas/core/advisories/advisory-store.ts';
import { StoreLookup } from '../../../lambdas/core/advisories/store-lookup.ts';
import { parseDigest, type Digest } from '../../../lambdas/core/digest.ts';
import { parseReference } from '../../../lambdas/core/image/reference.ts';
import { withLimits } from '../../../lambdas/core/limits.ts';
import type { ScanRequest } from '../../../lambdas/core/pipeline/model.ts';
import type { AdvisoryFreshness, ImageSourceFactory } from '../../../lambdas/core/ports.ts';
import type { ScanImageDeps } from '../../../lambdas/core/use-cases/scan-image.ts';
import type { TarInput } from '../../../tools/image-builder/tar-writer.ts';
import { createLocalTable, localDynamoDbClient } from '../../support/dynamodb-tables.ts';
import { layoutOf } from '../../support/layout.ts';
import { sharedFixtures } from '../../support/paths.ts';
import { skopeoCopy } from '../../support/skopeo.ts';

/**
 * The scan-image use case wired to real stores: DynamoDB Local (a table per test file), moto's S3,
 * the suite's registry, and the OSV fixtures in memory as the advisory lookup. Load requests go to
 * an advisory table of their own; advisory freshness is a plain object (`loadedAt`), so a test says
 * which ecosystems count as loaded without loading the advisory table.
 */
export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';
export const NPM_ADVISORIES = sharedFixtures('osv', 'npm');

export class TestClock {
  constructor(public current = new Date('2026-12-01T10:00:00Z')) {}
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export interface Harness {
  readonly base: DynamoDBClient;
  readonly tableName: string;
  readonly clock: TestClock;
  readonly advisories: AdvisoryStore;
  readonly loadedAt: Map<string, Date>;
  readonly results: DynamoDbScanResultStore;
  readonly images: DynamoDbImageStateStore;
  readonly claims: DynamoDbClaimStore;
  readonly catalogue: DynamoDbRepositoryCatalogue;
  readonly sboms: S3SbomStore;
  readonly loadRequests: DynamoDbAdvisoryLoadRequests;
  /**
   * Deps for scanImage; `base` swaps in another DynamoDB client (one with throttling middleware),
   * `scannerVersion` another claim key (a new scanner version scans a digest again).
   */
  deps(overrides?: { sources?: ImageSourceFactory; base?: DynamoDBClient; scannerVersion?: string }): ScanImageDeps;
}

export async function createHarness(prefix: string): Promise<Harness> {
  const base = localDynamoDbClient();
  const [tableName, advisoryTable] = await Promise.all([createLocalTable(base, FINDINGS_TABLE, prefix), createLocalTable(base, ADVISORY_TABLE, `${prefix}-advisories`)]);
  const s3 = new S3Client({ endpoint: inject('motoEndpoint'), region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'moto', secretAccessKey: 'moto' } });
  const bucket = `${prefix}-${randomUUID()}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const advisories = new AdvisoryStore({ ecosystems: ['npm'] });
  await loadAdvisories(NPM_ADVISORIES, advisories, { ecosystems: ['npm'] });
  const clock = new TestClock();
  const loadedAt = new Map<string, Date>([['npm', clock.now()]]);
  const freshness: AdvisoryFreshness = { freshness: async (ecosystems) => ecosystems.map((ecosystem) => ({ ecosystem, ...(loadedAt.has(ecosystem) ? { loadedAt: loadedAt.get(ecosystem)! } : {}) })) };
  const stores = (client: DynamoDBClient) => {
    const options = { client: findingsDocumentClient(client), tableName };
    return { results: new DynamoDbScanResultStore(options), images: new DynamoDbImageStateStore(options), claims: new DynamoDbClaimStore(options), catalogue: new DynamoDbRepositoryCatalogue(options) };
  };
  const sboms = new S3SbomStore({ client: s3, bucket });
  const loadRequests = new DynamoDbAdvisoryLoadRequests(base, advisoryTable);
  const own = stores(base);
  return {
    base,
    tableName,
    clock,
    advisories,
    loadedAt,
    ...own,
    sboms,
    loadRequests,
    deps(overrides = {}) {
      const chosen = overrides.base ? stores(overrides.base) : own;
      return {
        sources: overrides.sources ?? registrySources(),
        claims: chosen.claims,
        results: chosen.results,
        images: chosen.images,
        sboms,
        advisories: new StoreLookup(advisories),
        freshness,
        loadRequests: overrides.base ? new DynamoDbAdvisoryLoadRequests(overrides.base, advisoryTable) : loadRequests,
        clock,
        scannerVersion: overrides.scannerVersion ?? 'test-1',
      };
    },
  };
}

/** Opens the request's digest in the suite's registry, as the ECR source opens it in ECR. */
export function registrySources(): ImageSourceFactory {
  return { open: (request) => openImageSource(parseReference(`${inject('registryHost')}/${request.repository}@${request.digest}`), { limits: withLimits() }) };
}

/** An image with a Debian 12 release file, npm packages and a marker that makes its digest unique. */
export function appLayout(npm: Record<string, string>, marker = randomBytes(8).toString('hex')): string {
  const entries: TarInput[] = [
    { type: 'file', path: 'etc/os-release', content: 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n' },
    ...Object.entries(npm).map(([name, version]): TarInput => ({ type: 'file', path: `app/node_modules/${name}/package.json`, content: JSON.stringify({ name, version }) })),
    { type: 'file', path: 'app/marker', content: marker },
  ];
  return layoutOf([{ entries }]);
}

/** Pushes a layout to `repository:tag` in the suite's registry, digest preserved. */
export async function pushLayout(layout: string, repository: string, tag: string): Promise<Digest> {
  const digestFile = join(layout, `pushed-${randomUUID()}`);
  await skopeoCopy(`oci:${layout}:latest`, `docker://${inject('registryHost')}/${repository}:${tag}`, ['--preserve-digests', '--digestfile', digestFile]);
  return parseDigest(readFileSync(digestFile, 'utf8').trim());
}

export function request(repository: string, digest: Digest, tag: string | undefined, pushedAt: Date): ScanRequest {
  return { account: ACCOUNT, region: REGION, repository, digest, ...(tag !== undefined ? { tag } : {}), pushedAt, kind: 'push' };
}
