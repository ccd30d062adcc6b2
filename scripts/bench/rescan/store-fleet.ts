import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CachedLookup } from '../../../lambdas/core/advisories/cached-lookup.ts';
import { DynamoDbAdvisoryLookup } from '../../../lambdas/adapters/dynamodb/advisory-lookup.ts';
import type { DynamoDbImageStateStore } from '../../../lambdas/adapters/dynamodb/dynamodb-image-state-store.ts';
import type { DynamoDbScanResultStore } from '../../../lambdas/adapters/dynamodb/dynamodb-scan-result-store.ts';
import type { S3SbomStore } from '../../../lambdas/adapters/s3/s3-sbom-store.ts';
import type { Severity } from '../../../lambdas/core/findings/model.ts';
import type { ScanRecord } from '../../../lambdas/core/pipeline/model.ts';
import { packageRefs } from '../../../lambdas/core/pipeline/package-refs.ts';
import { toRawFinding } from '../../../lambdas/core/pipeline/raw-findings.ts';
import { assessVulnerabilities } from '../../../lambdas/core/use-cases/assess-vulnerabilities.ts';
import { mapLimit } from '../../../lambdas/core/util/map-limit.ts';
import { REGION } from '../pipeline/local-services.ts';
import type { FleetImage } from './rescan-fleet.ts';

export const ACCOUNT = '123456789012';
const SCANNER_VERSION = 'rescan-bench';

export interface FleetStores {
  readonly dynamodb: DynamoDBClient;
  readonly advisoryTable: string;
  readonly images: DynamoDbImageStateStore;
  readonly results: DynamoDbScanResultStore;
  readonly sboms: S3SbomStore;
}

export interface StoredFleet {
  readonly images: number;
  readonly findings: number;
  readonly seconds: number;
}

/**
 * Stores images as a push leaves them, through the real save path: the image state (recordPush),
 * the SBOM in S3, the scan matched against the advisory table as it is before the sync (the
 * scanner's matching; lookups shared between images, so the store is not slowed by repeated reads)
 * and saved with its findings and package index entries. Images `concurrency` at a time.
 */
export async function storeFleet(fleet: readonly FleetImage[], stores: FleetStores, concurrency: number): Promise<StoredFleet> {
  const started = performance.now();
  // The table does not change while the fleet is stored: one answer per package for the whole store.
  const lookup = new CachedLookup(new DynamoDbAdvisoryLookup(stores.dynamodb, stores.advisoryTable));
  const counts = await mapLimit(fleet, concurrency, async (image) => {
    const now = new Date();
    const key = { account: ACCOUNT, region: REGION, repository: image.repository, digest: image.digest };
    await stores.images.recordPush({ ...key, tag: '1', pushedAt: now, kind: 'push' }, now);
    const ref = await stores.sboms.put(image.digest, image.sbom);
    const report = await assessVulnerabilities({ reference: image.sbom.reference, images: [image.sbom] }, lookup, {
      policy: { now },
      advisories: { sources: ['advisory table'], loaded: 0, withdrawn: 0, malformed: 0 },
    });
    const findings = report.images[0]!.findings.map(toRawFinding);
    const severityCounts: Partial<Record<Severity, number>> = {};
    for (const finding of findings) severityCounts[finding.severity.severity] = (severityCounts[finding.severity.severity] ?? 0) + 1;
    const record: ScanRecord = {
      digest: image.digest,
      scannerVersion: SCANNER_VERSION,
      status: 'SCANNED',
      platform: image.sbom.platform,
      ...(image.sbom.distro ? { distro: image.sbom.distro } : {}),
      layers: [],
      sbom: ref,
      packageCount: image.sbom.packages.length,
      findingCount: findings.length,
      severityCounts,
      advisories: [
        { ecosystem: 'Debian', loadedAt: now },
        { ecosystem: 'npm', loadedAt: now },
      ],
      startedAt: now,
      finishedAt: now,
    };
    await stores.results.save(record, findings, packageRefs(image.sbom));
    return findings.length;
  });
  return { images: fleet.length, findings: counts.reduce((sum, count) => sum + count, 0), seconds: (performance.now() - started) / 1000 };
}
