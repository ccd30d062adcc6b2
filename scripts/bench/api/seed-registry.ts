import { loadAdvisoryTable } from '../../../lambdas/adapters/dynamodb/advisory-loader.ts';
import { findingsDocumentClient } from '../../../lambdas/adapters/dynamodb/document-client.ts';
import { DynamoDbActionLog } from '../../../lambdas/adapters/dynamodb/dynamodb-action-log.ts';
import { DynamoDbAdvisoryLoadRequests } from '../../../lambdas/adapters/dynamodb/dynamodb-advisory-load-requests.ts';
import { DynamoDbCountsHistory } from '../../../lambdas/adapters/dynamodb/dynamodb-counts-history.ts';
import { DynamoDbExceptionStore } from '../../../lambdas/adapters/dynamodb/dynamodb-exception-store.ts';
import { DynamoDbImageStateStore } from '../../../lambdas/adapters/dynamodb/dynamodb-image-state-store.ts';
import { DynamoDbQuarantineStore } from '../../../lambdas/adapters/dynamodb/dynamodb-quarantine-store.ts';
import { DynamoDbScanResultStore } from '../../../lambdas/adapters/dynamodb/dynamodb-scan-result-store.ts';
import { DynamoDbSyncCursors } from '../../../lambdas/adapters/dynamodb/dynamodb-sync-cursors.ts';
import { S3SbomStore } from '../../../lambdas/adapters/s3/s3-sbom-store.ts';
import { parseDigest } from '../../../lambdas/core/digest.ts';
import type { Severity } from '../../../lambdas/core/findings/model.ts';
import type { ImageKey, ScanRecord } from '../../../lambdas/core/pipeline/model.ts';
import type { QuarantineRecord } from '../../../lambdas/core/pipeline/quarantine-model.ts';
import { mapLimit } from '../../../lambdas/core/util/map-limit.ts';
import { createJudgingDeps } from '../../../lambdas/handlers/shared/judging-deps.ts';
import { sampleImageSbom } from '../../../test/support/sample-findings.ts';
import { REGION } from '../pipeline/local-services.ts';
import { ACCOUNT, CALLER, type ApiResources, type ApiWorld } from './api-world.ts';
import { buildFleet, COMMON_VULNERABILITY, REPOSITORIES, type Fleet, type FleetImage } from './registry-fleet.ts';

export interface SeededRegistry {
  readonly fleet: Fleet;
  readonly verdicts: Readonly<Record<string, number>>;
  readonly findings: number;
  readonly quarantined: readonly FleetImage[];
  readonly seconds: number;
}

const DAYS_OF_HISTORY = 30;
const ACTIONS = 40;
const QUARANTINED_PER_REPOSITORY = 4;

export const keyOf = (image: Pick<FleetImage, 'repository' | 'digest'>): ImageKey => ({ account: ACCOUNT, region: REGION, repository: image.repository, digest: image.digest });

/**
 * Seeds the registry through the stores the pipeline writes with: each image's push (tags, the
 * catalogue), its SBOM in S3, its scan result, findings and package index, then its verdict by the
 * judging the scanner uses; quarantine records for some failing images, an exception in force and a
 * lapsed one, an action log, sync cursors and a month of daily counts per repository.
 */
export async function seedRegistry(resources: ApiResources, world: ApiWorld): Promise<SeededRegistry> {
  const started = performance.now();
  const fleet = buildFleet();
  const { clients } = world;
  const now = new Date();
  const table = { client: findingsDocumentClient(clients.dynamodb), tableName: resources.findingsTable };
  const images = new DynamoDbImageStateStore(table);
  const results = new DynamoDbScanResultStore(table);
  const sboms = new S3SbomStore({ client: clients.s3, bucket: resources.env.sbomBucket });
  await loadAdvisoryTable(clients.dynamodb, resources.advisoryTable, fleet.records.map((record) => ({ record, source: 'customs-bench-api' })), { source: 'customs-bench-api' });

  // Pushed in order (older bases first), a day apart per repository; the newest five also moved `latest`.
  await mapLimit(fleet.images, 8, async (image) => {
    const repository = REPOSITORIES.find((entry) => entry.name === image.repository)!;
    const pushedAt = new Date(now.getTime() - (repository.images - image.index) * 86_400_000);
    await images.recordPush({ ...keyOf(image), tag: image.tag, pushedAt, kind: 'push' }, now);
    const sbom = await sboms.put(image.digest, sampleImageSbom([...image.packages], { manifestDigest: image.digest, repository: image.repository, reference: `${image.repository}:${image.tag}`, tag: image.tag }));
    await results.save(scanRecord(image, sbom, pushedAt), image.findings, image.packageRefs);
  });
  for (const repository of REPOSITORIES) {
    const newest = fleet.images.filter((image) => image.repository === repository.name).slice(-5);
    for (const [n, image] of newest.entries()) await images.recordPush({ ...keyOf(image), tag: 'latest', pushedAt: new Date(now.getTime() - (5 - n) * 3_600_000), kind: 'push' }, now);
  }

  const judging = createJudgingDeps({ env: resources.env, clients });
  const verdicts: Record<string, number> = {};
  const failing: FleetImage[] = [];
  const batches = chunks(fleet.images, 25);
  for (const batch of batches) {
    const run = await judging.judge(batch.map(keyOf));
    for (const [n, outcome] of run.images.entries()) {
      const value = outcome.outcome === 'judged' ? outcome.verdict : outcome.outcome;
      verdicts[value] = (verdicts[value] ?? 0) + 1;
      if (value === 'FAIL') failing.push(batch[n]!);
    }
  }

  // Quarantine records as enforce mode leaves them (the policy here audits, so no ECR call is made seeding them).
  const quarantines = new DynamoDbQuarantineStore(table);
  const quarantined: FleetImage[] = [];
  for (const repository of REPOSITORIES) {
    const mine = failing.filter((image) => image.repository === repository.name).slice(0, QUARANTINED_PER_REPOSITORY + 1);
    for (const [n, image] of mine.entries()) {
      const record = quarantineRecord(image, now, n === QUARANTINED_PER_REPOSITORY);
      await quarantines.put(keyOf(image), { record }, undefined);
      if (record.state === 'QUARANTINED') quarantined.push(image);
    }
  }

  const exceptions = new DynamoDbExceptionStore(table);
  await exceptions.add({ id: 'bench-exc-in-force', kind: 'ignore', vulnerability: fleet.advisories[1]!.id, repositoryPrefix: 'tools/', reason: 'build-time only; SEC-1', expires: '2099-12-31', createdBy: CALLER, createdAt: now });
  await exceptions.add({ id: 'bench-exc-lapsed', kind: 'ignore', vulnerability: fleet.advisories[2]!.id, reason: 'until the base moved; SEC-2', expires: '2020-01-01', createdBy: CALLER, createdAt: now });

  const actions = new DynamoDbActionLog(table);
  for (let n = 0; n < ACTIONS; n++) {
    const image = fleet.images[(n * 37) % fleet.images.length]!;
    await actions.record({ id: `bench-act-${String(n)}`, action: 'rescan', principal: CALLER, at: new Date(now.getTime() - n * 600_000), reason: 'after the advisory', target: { repository: image.repository, digest: image.digest }, outcome: 'queued', repository: { account: ACCOUNT, region: REGION, repository: image.repository } });
  }

  const cursors = new DynamoDbSyncCursors(clients.dynamodb, resources.advisoryTable);
  await cursors.put({ ecosystem: 'Debian', syncedAt: new Date(now.getTime() - 3_600_000), modifiedThrough: new Date(now.getTime() - 2 * 3_600_000) }, undefined);
  await cursors.put({ ecosystem: 'npm', syncedAt: new Date(now.getTime() - 3_600_000), modifiedThrough: new Date(now.getTime() - 2 * 3_600_000) }, undefined);
  await new DynamoDbAdvisoryLoadRequests(clients.dynamodb, resources.advisoryTable).request(['Debian', 'npm'], new Date(now.getTime() - 30 * 86_400_000));

  const history = new DynamoDbCountsHistory(table);
  for (const repository of REPOSITORIES) {
    const mine = fleet.images.filter((image) => image.repository === repository.name);
    const high = mine.reduce((sum, image) => sum + image.findings.filter((finding) => finding.severity.severity === 'HIGH').length, 0);
    for (let day = DAYS_OF_HISTORY - 1; day >= 0; day--) {
      const date = new Date(now.getTime() - day * 86_400_000).toISOString().slice(0, 10);
      await history.put({ repository: { account: ACCOUNT, region: REGION, repository: repository.name }, date, images: mine.length, findings: { CRITICAL: 0, HIGH: high, MEDIUM: 0, LOW: 0, UNKNOWN: 0 }, verdicts: { FAIL: failing.filter((image) => image.repository === repository.name).length } });
    }
  }
  return { fleet, verdicts, findings: fleet.images.reduce((sum, image) => sum + image.findings.length, 0), quarantined, seconds: (performance.now() - started) / 1000 };
}

function scanRecord(image: FleetImage, sbom: ScanRecord['sbom'], at: Date): ScanRecord {
  const severityCounts: Partial<Record<Severity, number>> = {};
  for (const finding of image.findings) severityCounts[finding.severity.severity] = (severityCounts[finding.severity.severity] ?? 0) + 1;
  return {
    digest: image.digest,
    scannerVersion: '0.1.0+bench',
    status: 'SCANNED',
    distro: { id: 'debian', versionId: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)', source: '/etc/os-release' },
    layers: [
      { digest: parseDigest(`sha256:${'a'.repeat(64)}`), diffId: parseDigest(`sha256:${'b'.repeat(64)}`), size: 30_000_000 },
      { digest: parseDigest(`sha256:${'c'.repeat(64)}`), diffId: parseDigest(`sha256:${'d'.repeat(64)}`), size: 12_000_000 },
    ],
    ...(sbom ? { sbom } : {}),
    packageCount: image.packages.length,
    findingCount: image.findings.length,
    severityCounts,
    advisories: [{ ecosystem: 'Debian', loadedAt: at }],
    startedAt: at,
    finishedAt: new Date(at.getTime() + 20_000),
  };
}

function quarantineRecord(image: FleetImage, now: Date, released: boolean): QuarantineRecord {
  const failingIds = [COMMON_VULNERABILITY];
  const record: QuarantineRecord = {
    key: keyOf(image),
    id: `bench-q-${image.repository.replace('/', '-')}-${String(image.index)}`,
    state: 'QUARANTINED',
    method: 'untag',
    trigger: 'push',
    verdict: { policyVersion: 'bench', policySource: 'default', failOn: 'HIGH', failingCount: 1, failingIds, evaluatedAt: now },
    startedAt: now,
    marker: 'customs-quarantine-000000000000',
    removing: [],
    removedTags: [{ tag: image.tag, removedAt: now }],
    keptTags: [],
    quarantinedAt: now,
    warnings: [],
    updatedAt: now,
  };
  if (!released) return record;
  return { ...record, state: 'RELEASED', release: { by: CALLER, reason: 'not reachable; SEC-3', trigger: 'request', requestedAt: now, failingIds, restoredTags: [image.tag], keptTags: [], markerRemoved: true, releasedAt: now } };
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size));
  return out;
}
