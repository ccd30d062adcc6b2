import { DescribeImagesCommand, ECRClient, ImageNotFoundException, type DescribeImagesCommandInput } from '@aws-sdk/client-ecr';
import { PublishBatchCommand, SNSClient, type PublishBatchRequestEntry } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { randomBytes, randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { findingsDocumentClient } from '../../../lambdas/adapters/dynamodb/document-client.ts';
import { DynamoDbImageStateStore } from '../../../lambdas/adapters/dynamodb/dynamodb-image-state-store.ts';
import { DynamoDbRepositoryCatalogue } from '../../../lambdas/adapters/dynamodb/dynamodb-repository-catalogue.ts';
import { DynamoDbScanResultStore } from '../../../lambdas/adapters/dynamodb/dynamodb-scan-result-store.ts';
import { DynamoDbVerdictListing } from '../../../lambdas/adapters/dynamodb/dynamodb-verdict-listing.ts';
import { DynamoDbVerdictStore } from '../../../lambdas/adapters/dynamodb/dynamodb-verdict-store.ts';
import { DynamoDbScanVersionIndex } from '../../../lambdas/adapters/dynamodb/scan-version-index.ts';
import { FINDINGS_TABLE } from '../../../lambdas/adapters/dynamodb/table-schema.ts';
import { EcrImageReader } from '../../../lambdas/adapters/ecr/ecr-image-reader.ts';
import { ecrRepositoryArn } from '../../../lambdas/adapters/ecr/ecr-repository-arn.ts';
import { SnsAlertPublisher } from '../../../lambdas/adapters/sns/sns-alert-publisher.ts';
import type { Alert } from '../../../lambdas/core/alerts/alert-model.ts';
import { parseDigest, type Digest } from '../../../lambdas/core/digest.ts';
import type { ImageKey, ScanRecord, ScanRequest } from '../../../lambdas/core/pipeline/model.ts';
import { StaticPolicySource } from '../../../lambdas/core/policy/static-policy-source.ts';
import type { PolicySource } from '../../../lambdas/core/ports.ts';
import { reviewVerdicts, type DailyReviewDeps } from '../../../lambdas/core/use-cases/daily-review.ts';
import { evaluateImages, type EvaluateImagesDeps } from '../../../lambdas/core/use-cases/evaluate-images.ts';
import { reindexImages } from '../../../lambdas/core/use-cases/reindex-images.ts';
import { createLocalTable, localDynamoDbClient } from '../../support/dynamodb-tables.ts';
import { glibcRawFinding } from '../../support/sample-findings.ts';
import { sampleScanRecord } from '../../support/sample-scan-record.ts';

/**
 * The daily review and the re-index through the real stores on DynamoDB Local: images stored with
 * their scans, judged by evaluateImages, then reviewed. ECR's DescribeImages and SNS are answered
 * with aws-sdk-client-mock, every DescribeImages request checked.
 */
const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const CVE = 'CVE-2023-4911';
const run = randomUUID().slice(0, 8);
const names = { covered: `review-${run}/covered`, other: `review-${run}/other`, steady: `review-${run}/steady` };
const before = new Date('2026-12-10T00:00:00Z');
const afterExpiry = new Date('2027-01-01T00:00:01Z');

const policyDocument = (otherFailOn: 'CRITICAL' | 'LOW') => ({
  default: { failOn: 'HIGH', ignore: [{ id: CVE, reason: 'ld.so is not setuid in our images; SEC-7', expires: '2026-12-31' }] },
  overrides: [{ repositories: { names: [names.other] }, failOn: otherFailOn }],
});

const newDigest = (): Digest => parseDigest(`sha256:${randomBytes(32).toString('hex')}`);


function scanRecord(digest: Digest, findings: number, options: { scannerVersion?: string; finishedAt?: Date } = {}): ScanRecord {
  const finishedAt = options.finishedAt ?? before;
  return sampleScanRecord(digest, {
    scannerVersion: options.scannerVersion ?? 'current',
    distro: { id: 'debian', versionId: '12', codename: 'bookworm', source: 'etc/os-release' },
    packageCount: 1,
    findingCount: findings,
    severityCounts: findings > 0 ? { HIGH: findings } : {},
    advisories: [{ ecosystem: 'Debian', loadedAt: finishedAt }],
    finishedAt,
  });
}

describe('the daily review and the re-index on DynamoDB Local', () => {
  const dynamodb = localDynamoDbClient();
  let table: { client: ReturnType<typeof findingsDocumentClient>; tableName: string };
  let images: DynamoDbImageStateStore;
  let results: DynamoDbScanResultStore;
  let verdicts: DynamoDbVerdictStore;
  const ecrClient = new ECRClient({ region: REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const ecr = mockClient(ecrClient);
  const sns = new SNSClient({ region: REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const snsMock = mockClient(sns);
  /** What ECR holds: digests per repository. */
  const inEcr = new Map<string, Set<string>>();
  const keys: Record<'covered' | 'clean' | 'other' | 'steady', ImageKey[]> = { covered: [], clean: [], other: [], steady: [] };
  let gone: ImageKey;
  let policies: PolicySource = StaticPolicySource.fromDocument(policyDocument('CRITICAL'));
  let now = before;

  async function store(repository: string, findings: number, tag: string): Promise<ImageKey> {
    const key: ImageKey = { account: ACCOUNT, region: REGION, repository, digest: newDigest() };
    await images.recordPush({ ...key, tag, pushedAt: before, kind: 'push' }, before);
    await results.save(scanRecord(key.digest, findings), findings > 0 ? [glibcRawFinding()] : [], [{ ecosystem: 'Debian:12', name: 'glibc' }]);
    if (!inEcr.has(repository)) inEcr.set(repository, new Set());
    inEcr.get(repository)!.add(key.digest);
    return key;
  }

  const evaluateDeps = (): EvaluateImagesDeps => ({
    images,
    results,
    sboms: { get: async () => Promise.reject(new Error('no SBOM is needed: the policy has no VEX and no package-scoped ignore entry')) },
    verdicts,
    policies,
    alerts: new SnsAlertPublisher({ client: sns, topicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:alerts` }),
    clock: { now: () => now },
    options: { emailImageCap: 20, repositoryId: ecrRepositoryArn },
  });

  const reviewDeps = (): DailyReviewDeps => ({
    catalogue: { list: async () => (await new DynamoDbRepositoryCatalogue(table).list()).filter((entry) => entry.repository.startsWith(`review-${run}/`)) },
    verdicts: new DynamoDbVerdictListing(table),
    images,
    results,
    policies,
    registry: new EcrImageReader(ecrClient),
    evaluate: (toJudge) => evaluateImages(toJudge, evaluateDeps()),
    clock: { now: () => now },
  });

  const published = (): Alert[] =>
    snsMock
      .commandCalls(PublishBatchCommand)
      .flatMap((call) => call.args[0].input.PublishBatchRequestEntries ?? [])
      .map((entry: PublishBatchRequestEntry) => JSON.parse((JSON.parse(entry.Message!) as { default: string }).default) as Alert);
  const sorted = (list: readonly ImageKey[]) => list.map((key) => `${key.repository}@${key.digest}`).sort();

  beforeAll(async () => {
    const tableName = await createLocalTable(dynamodb, FINDINGS_TABLE, 'customs-review');
    table = { client: findingsDocumentClient(dynamodb), tableName };
    images = new DynamoDbImageStateStore(table);
    results = new DynamoDbScanResultStore(table);
    verdicts = new DynamoDbVerdictStore(table);
    snsMock.on(PublishBatchCommand).callsFake(async (input: { PublishBatchRequestEntries: PublishBatchRequestEntry[] }) => ({ Successful: input.PublishBatchRequestEntries.map((entry) => ({ Id: entry.Id, MessageId: entry.Id })), Failed: [] }));
    ecr.on(DescribeImagesCommand).callsFake(async (input: DescribeImagesCommandInput) => {
      const digest = input.imageIds?.[0]?.imageDigest;
      if (!digest || !inEcr.get(input.repositoryName!)?.has(digest)) throw new ImageNotFoundException({ message: 'not found', $metadata: {} });
      return { imageDetails: [{ registryId: ACCOUNT, repositoryName: input.repositoryName, imageDigest: digest, imageTags: ['t'], imagePushedAt: before }] };
    });
    for (let index = 0; index < 3; index++) keys.covered.push(await store(names.covered, 1, `covered-${index}`));
    keys.clean.push(await store(names.covered, 0, 'clean'));
    for (let index = 0; index < 2; index++) keys.other.push(await store(names.other, 0, `other-${index}`));
    for (let index = 0; index < 2; index++) keys.steady.push(await store(names.steady, 0, `steady-${index}`));
    gone = await store(names.steady, 0, 'gone');
    inEcr.get(names.steady)!.delete(gone.digest);
    const first = await evaluateImages([...keys.covered, ...keys.clean, ...keys.other, ...keys.steady, gone], evaluateDeps());
    expect(first.images.every((image) => image.outcome === 'judged' && image.verdict === 'PASS')).toBe(true);
  }, 60_000);

  it('re-evaluates nothing while nothing is due, and marks deleted only the digest ECR no longer has', async () => {
    now = new Date(before.getTime() + 3_600_000);
    ecr.resetHistory();
    const report = await reviewVerdicts({}, reviewDeps());
    expect(report.repositories).toBe(3);
    expect(report.verdictsRead).toBe(9);
    expect(report.reevaluated).toBe(0);
    expect(report.due).toEqual({ policy: 0, review: 0, pending: 0, 'end-of-life': 0 });
    expect(sorted(report.deletedCheck.marked)).toEqual(sorted([gone]));
    expect((await images.get(gone))?.deletedAt).toEqual(now);
    expect((await images.get(keys.steady[0]!))?.deletedAt).toBeUndefined();
    // Without a listing every live image is asked about by digest, each exactly once.
    const asked = ecr.commandCalls(DescribeImagesCommand).map((call) => `${call.args[0].input.repositoryName!}@${call.args[0].input.imageIds![0]!.imageDigest!}`);
    expect(asked.sort()).toEqual(sorted([...keys.covered, ...keys.clean, ...keys.other, ...keys.steady, gone]));
    expect(ecr.commandCalls(DescribeImagesCommand).every((call) => call.args[0].input.registryId === ACCOUNT)).toBe(true);

    // Already deleted: not asked again, and evaluation of the digest answers gone.
    ecr.resetHistory();
    const again = await reviewVerdicts({}, reviewDeps());
    expect(again.deletedCheck.asked).toBe(8);
    expect(again.deletedCheck.marked).toEqual([]);
    expect(ecr.commandCalls(DescribeImagesCommand).some((call) => call.args[0].input.imageIds![0]!.imageDigest === gone.digest)).toBe(false);
    expect((await evaluateImages([gone], evaluateDeps())).images[0]!.outcome).toBe('gone');
  });

  it('an expired ignore entry re-evaluates exactly the images it covered and announces PASS → FAIL', async () => {
    now = afterExpiry;
    snsMock.resetHistory();
    const report = await reviewVerdicts({ batchSize: 2 }, reviewDeps());
    expect(sorted(report.keys)).toEqual(sorted(keys.covered));
    expect(report.due.review).toBe(3);
    expect(report.reevaluated).toBe(3);
    expect(report.changed).toBe(3);
    expect(report.announced).toBe(3);
    const alerts = published();
    expect(report.alerts).toBe(alerts.length);
    const imageAlerts = alerts.flatMap((alert) => (alert.kind === 'image' ? [alert] : []));
    expect(imageAlerts.map((alert) => `${alert.repository.name}@${alert.image.digest}`).sort()).toEqual(sorted(keys.covered));
    expect(imageAlerts.every((alert) => alert.eventType === 'VERDICT_CHANGED')).toBe(true);
    for (const key of keys.covered) expect((await verdicts.get(key))?.verdict.verdict).toBe('FAIL');
    expect((await verdicts.get(keys.clean[0]!))?.verdict.verdict).toBe('PASS');

    // Judged again: nothing is due any more.
    const rerun = await reviewVerdicts({}, reviewDeps());
    expect(rerun.reevaluated).toBe(0);
  });

  it("a policy change re-evaluates that repository's images only", async () => {
    policies = StaticPolicySource.fromDocument(policyDocument('LOW'));
    now = new Date(afterExpiry.getTime() + 3_600_000);
    const report = await reviewVerdicts({}, reviewDeps());
    expect(sorted(report.keys)).toEqual(sorted(keys.other));
    expect(report.due.policy).toBe(2);
    expect(report.changed).toBe(0);
    const version = (await policies.current()).policyFor(names.other).version;
    for (const key of keys.other) expect((await verdicts.get(key))?.verdict.policyVersion).toBe(version);
    expect((await reviewVerdicts({}, reviewDeps())).reevaluated).toBe(0);
  });

  it('the re-index finds exactly the scans by other scanner versions, oldest first, up to the limit', async () => {
    const at = (day: number) => new Date(Date.UTC(2025, 0, day));
    const seeded: { key: ImageKey; version: string; finishedAt: Date }[] = [];
    const repository = `review-${run}/reindex`;
    const plan: [string, number][] = [['0.0.9', 5], ['0.1.0', 3], ['0.0.9', 1], ['current', 2], ['0.1.0#rc', 4], ['0.1.0', 6], ['0.0.9', 7]];
    for (const [version, day] of plan) {
      const key: ImageKey = { account: ACCOUNT, region: REGION, repository, digest: newDigest() };
      await images.recordPush({ ...key, tag: `t${String(day)}`, pushedAt: at(day), kind: 'push' }, at(day));
      await results.save(scanRecord(key.digest, 0, { scannerVersion: version, finishedAt: at(day) }), [], []);
      seeded.push({ key, version, finishedAt: at(day) });
    }
    // Day 1's image is deleted everywhere: passed over, not counted against the limit.
    const deletedOne = seeded.find((entry) => entry.finishedAt.getTime() === at(1).getTime())!;
    await images.markDeleted(deletedOne.key, at(8));
    const sent: { runId: string; requests: readonly ScanRequest[] }[] = [];
    const deps = { versions: new DynamoDbScanVersionIndex(table), images, queue: { send: async (runId: string, requests: readonly ScanRequest[]) => void sent.push({ runId, requests }) }, scannerVersion: 'current' };
    const byDay = (day: number) => seeded.find((entry) => entry.finishedAt.getTime() === at(day).getTime())!.key.digest;

    const report = await reindexImages({ limit: 3, runId: 'r1' }, deps);
    expect(report.queued.map((entry) => entry.scan.digest)).toEqual([byDay(3), byDay(4), byDay(5)]);
    expect(report.queued.map((entry) => entry.scan.scannerVersion)).toEqual(['0.1.0', '0.1.0#rc', '0.0.9']);
    expect(report.skipped.map((entry) => entry.scan.digest)).toEqual([byDay(1)]);
    expect(report.more).toBe(true);
    expect(sent).toEqual([{ runId: 'r1', requests: [3, 4, 5].map((day) => ({ account: ACCOUNT, region: REGION, repository, digest: byDay(day), pushedAt: at(day), kind: 'rescan' })) }]);

    // Day 3's image scanned by the current version since: it leaves the index of older ones.
    await results.save(scanRecord(byDay(3), 0, { scannerVersion: 'current', finishedAt: at(9) }), [], []);
    const next = await reindexImages({ limit: 10, runId: 'r2' }, deps);
    expect(next.queued.map((entry) => entry.scan.digest)).toEqual([byDay(4), byDay(5), byDay(6), byDay(7)]);
    expect(next.more).toBe(false);
  });
});
