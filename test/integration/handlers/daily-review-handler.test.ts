import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DescribeImagesCommand, DescribeRepositoriesCommand, ECRClient, ImageNotFoundException, type DescribeImagesCommandInput, type ImageDetail } from '@aws-sdk/client-ecr';
import { S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { randomBytes, randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { findingsDocumentClient } from '../../../lambdas/adapters/dynamodb/document-client.ts';
import { DynamoDbCountsHistory } from '../../../lambdas/adapters/dynamodb/dynamodb-counts-history.ts';
import { DynamoDbImageStateStore } from '../../../lambdas/adapters/dynamodb/dynamodb-image-state-store.ts';
import { DynamoDbRepositoryCatalogue } from '../../../lambdas/adapters/dynamodb/dynamodb-repository-catalogue.ts';
import { DynamoDbScanResultStore } from '../../../lambdas/adapters/dynamodb/dynamodb-scan-result-store.ts';
import { DynamoDbVerdictStore } from '../../../lambdas/adapters/dynamodb/dynamodb-verdict-store.ts';
import { FINDINGS_TABLE } from '../../../lambdas/adapters/dynamodb/table-schema.ts';
import { ecrRepositoryArn } from '../../../lambdas/adapters/ecr/ecr-repository-arn.ts';
import { parseEcrEvent } from '../../../lambdas/adapters/ecr/parse-ecr-event.ts';
import { SnsAlertPublisher } from '../../../lambdas/adapters/sns/sns-alert-publisher.ts';
import { SsmPolicySource } from '../../../lambdas/adapters/ssm/ssm-policy-source.ts';
import { parseDigest, type Digest } from '../../../lambdas/core/digest.ts';
import type { ImageKey, RawFinding, ScanRecord } from '../../../lambdas/core/pipeline/model.ts';
import { toRawFinding } from '../../../lambdas/core/pipeline/raw-findings.ts';
import { evaluateImages } from '../../../lambdas/core/use-cases/evaluate-images.ts';
import { createDailySteps, type DailyClients } from '../../../lambdas/handlers/daily-review/daily-deps.ts';
import { readDailyEnvironment } from '../../../lambdas/handlers/daily-review/daily-environment.ts';
import { createDailyHandler } from '../../../lambdas/handlers/daily-review/daily-handler.ts';
import type { DailyPassReport } from '../../../lambdas/handlers/daily-review/daily-report.ts';
import type { BackfillSummary, CountsSummary, ReindexSummary, RetentionSummary, ReviewSummary } from '../../../lambdas/handlers/daily-review/daily-steps.ts';
import { createLocalTable, localDynamoDbClient } from '../../support/dynamodb-tables.ts';
import { motoAlerting, type MotoAlerting } from '../../support/moto-alerting.ts';
import { sampleFinding, samplePackage } from '../../support/sample-findings.ts';
import { sampleScanRecord } from '../../support/sample-scan-record.ts';

/**
 * The daily pass handler wired as in Lambda (createDailySteps) on DynamoDB Local and moto's SQS,
 * SNS, SSM and EventBridge. ECR's DescribeRepositories and DescribeImages are answered with
 * aws-sdk-client-mock from a stateful listing, two items a page, so every listing follows nextToken.
 */
const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const VERSION = '0.1.0+dailytest';
const CVE = 'CVE-2023-4911';
const PAGE = 2;
const run = randomUUID().slice(0, 8);
const names = { app: `daily-${run}/app`, web: `daily-${run}/web`, unwatched: `other-${run}` };
const before = new Date('2026-12-10T00:00:00Z');
const afterExpiry = new Date('2027-01-01T06:00:00Z');
const at = (iso: string): Date => new Date(iso);
const newDigest = (): Digest => parseDigest(`sha256:${randomBytes(32).toString('hex')}`);

interface StubImage {
  readonly digest: Digest;
  tags: string[];
  readonly pushedAt: Date;
}

const d = { lost: newDigest(), moved: newDigest(), gone: newDigest(), covered: newDigest(), outdated: newDigest(), web: newDigest(), unwatched: newDigest(), longGone: newDigest(), upgraded: newDigest() };

/** What ECR holds now, per repository, in listing order. */
const ecrHolds: Record<string, StubImage[]> = {
  [names.app]: [
    { digest: d.lost, tags: ['lost'], pushedAt: at('2026-12-28T00:00:00Z') },
    { digest: d.moved, tags: ['v2'], pushedAt: at('2026-12-05T00:00:00Z') },
    { digest: d.covered, tags: ['covered'], pushedAt: at('2026-12-05T00:00:00Z') },
    // Within the bound but scanned by the previous scanner version: the re-index's, not the enumeration's.
    { digest: d.upgraded, tags: ['upgraded'], pushedAt: at('2026-12-20T00:00:00Z') },
    // Pushed before the enumeration's bound: only the rate-limited re-index picks it up.
    { digest: d.outdated, tags: ['old'], pushedAt: at('2025-01-01T00:00:00Z') },
  ],
  [names.web]: [{ digest: d.web, tags: ['web'], pushedAt: at('2026-12-05T00:00:00Z') }],
  [names.unwatched]: [{ digest: d.unwatched, tags: ['x'], pushedAt: at('2026-12-29T00:00:00Z') }],
};
const repositoryOrder = [names.unwatched, names.app, names.web];

function pageOf<T>(items: readonly T[], token: string | undefined): { page: T[]; nextToken?: string } {
  const start = token ? Number(token) : 0;
  const end = start + PAGE;
  return { page: items.slice(start, end), ...(end < items.length ? { nextToken: String(end) } : {}) };
}

function detail(repositoryName: string, image: StubImage): ImageDetail {
  return { registryId: ACCOUNT, repositoryName, imageDigest: image.digest, imageTags: [...image.tags], imagePushedAt: image.pushedAt };
}

const ecrClient = new ECRClient({ region: REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
const ecr = mockClient(ecrClient);
let failRepositoriesOnce = false;

function answerEcr(): void {
  ecr.reset();
  ecr.on(DescribeRepositoriesCommand).callsFake(async (input: { nextToken?: string }) => {
    await Promise.resolve();
    if (failRepositoriesOnce) {
      failRepositoriesOnce = false;
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    }
    const { page, nextToken } = pageOf(repositoryOrder, input.nextToken);
    return { repositories: page.map((name) => ({ registryId: ACCOUNT, repositoryName: name })), ...(nextToken ? { nextToken } : {}) };
  });
  ecr.on(DescribeImagesCommand).callsFake(async (input: DescribeImagesCommandInput) => {
    await Promise.resolve();
    const name = input.repositoryName!;
    if (input.imageIds) {
      const wanted = input.imageIds[0]!.imageDigest;
      const image = (ecrHolds[name] ?? []).find((one) => one.digest === wanted);
      if (!image) throw new ImageNotFoundException({ message: `The image with imageId {imageDigest:'${wanted}'} does not exist within the repository`, $metadata: {} });
      return { imageDetails: [detail(name, image)] };
    }
    const { page, nextToken } = pageOf(ecrHolds[name] ?? [], input.nextToken);
    return { imageDetails: page.map((image) => detail(name, image)), ...(nextToken ? { nextToken } : {}) };
  });
}

function glibcFinding(): RawFinding {
  const pkg = samplePackage({ name: 'libc6', version: '2.36-9+deb12u1', source: { name: 'glibc', version: '2.36-9+deb12u1' } });
  return toRawFinding(
    sampleFinding({
      id: CVE,
      package: pkg,
      severity: { severity: 'HIGH', kind: 'distribution', source: 'Debian urgency' },
      fixedVersions: ['2.36-9+deb12u3'],
      advisories: [{ id: 'DEBIAN-CVE-2023-4911', ecosystem: 'Debian:12', name: 'glibc', fixedVersions: ['2.36-9+deb12u3'], modified: '2023-10-03T18:15:00Z' }],
    }),
  );
}

function scanRecord(digest: Digest, findings: number, scannerVersion = VERSION, finishedAt = before): ScanRecord {
  return sampleScanRecord(digest, {
    scannerVersion,
    packageCount: 1,
    findingCount: findings,
    severityCounts: findings > 0 ? { HIGH: findings } : {},
    advisories: [{ ecosystem: 'Debian', loadedAt: finishedAt }],
    finishedAt,
  });
}

const contextWith = (remainingMs: number): Context => ({ functionName: 'customs-daily-review', awsRequestId: randomUUID(), getRemainingTimeInMillis: () => remainingMs }) as unknown as Context;
const scheduled = { source: 'customs.schedule', action: 'daily-review' };

describe('the daily pass handler on DynamoDB Local and moto', () => {
  const dynamodb = localDynamoDbClient();
  const documents = findingsDocumentClient(dynamodb);
  const motoConfig = { endpoint: inject('motoEndpoint'), region: REGION, credentials: { accessKeyId: 'moto', secretAccessKey: 'moto' } };
  const sqs = new SQSClient(motoConfig);
  const s3 = new S3Client({ ...motoConfig, forcePathStyle: true });
  let alerting: MotoAlerting;
  let tableName: string;
  let queueUrl: string;
  let images: DynamoDbImageStateStore;
  let results: DynamoDbScanResultStore;
  let verdicts: DynamoDbVerdictStore;
  let now = afterExpiry;
  const clock = { now: () => now };
  const logger = new Logger({ serviceName: 'customs-daily-review', logLevel: 'SILENT' });
  const metrics = new Metrics({ namespace: 'Customs', serviceName: 'customs-daily-review' });
  const key = (repository: string, digest: Digest): ImageKey => ({ account: ACCOUNT, region: REGION, repository, digest });

  const environment = () =>
    readDailyEnvironment({
      AWS_REGION: REGION,
      FINDINGS_TABLE_NAME: tableName,
      SBOM_BUCKET_NAME: `customs-sboms-${run}`,
      SCAN_QUEUE_URL: queueUrl,
      WATCHED_REPOSITORY_PREFIXES: `daily-${run}/`,
      BACKFILL_MAX_AGE_DAYS: '30',
      REVIEW_BATCH_SIZE: '2',
      REVIEW_CONCURRENCY: '2',
      REINDEX_PER_RUN: '5',
      DELETED_RETENTION_DAYS: '30',
      ALERTS_TOPIC_ARN: alerting.env.alertsTopicArn,
      POLICY_PARAMETER_NAME: alerting.env.policyParameterName,
      EVENT_BUS_NAME: 'default',
      EMAIL_IMAGE_CAP: '20',
    });

  const clients = (): DailyClients => ({ dynamodb, ecr: ecrClient, sqs, s3, ...alerting.clients });

  function dailyHandler() {
    return createDailyHandler({ steps: () => createDailySteps({ env: environment(), clients: clients(), clock, scannerVersion: VERSION }), logger, metrics, clock, reserveMs: 1000 });
  }

  async function drain(): Promise<string[]> {
    const queued: string[] = [];
    for (;;) {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      if (Messages.length === 0) return queued.sort();
      for (const message of Messages) {
        const parsed = parseEcrEvent(message.Body!);
        if (!parsed.ok) throw new Error(`a queued message did not parse: ${parsed.rejection.message}`);
        queued.push(`${parsed.event.repository}@${parsed.event.digest}`);
      }
      await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: Messages.map((m, index) => ({ Id: String(index), ReceiptHandle: m.ReceiptHandle! })) }));
    }
  }

  const step = <R>(report: DailyPassReport, name: string): R => {
    const outcome = report.steps.find((entry) => entry.name === name)!;
    if (outcome.status === 'left') throw new Error(`${name} was left`);
    return outcome.result as R;
  };

  beforeAll(async () => {
    answerEcr();
    alerting = await motoAlerting(inject('motoEndpoint'), REGION, {
      default: { failOn: 'HIGH', ignore: [{ id: CVE, reason: 'ld.so is not setuid in our images; SEC-7', expires: '2026-12-31' }] },
    });
    tableName = await createLocalTable(dynamodb, FINDINGS_TABLE, 'customs-daily');
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `customs-daily-scan-${run}` }))).QueueUrl!;
    const table = { client: documents, tableName };
    images = new DynamoDbImageStateStore(table);
    results = new DynamoDbScanResultStore(table);
    verdicts = new DynamoDbVerdictStore(table);
    const push = (repository: string, digest: Digest, tag: string, pushedAt: Date) => images.recordPush({ ...key(repository, digest), tag, pushedAt, kind: 'push' }, pushedAt);
    // Scanned by this version; its tag moved in ECR (v1 → v2) without an event reaching Customs.
    await push(names.app, d.moved, 'v1', at('2026-12-01T00:00:00Z'));
    await results.save(scanRecord(d.moved, 0), [], []);
    // Scanned, judged, then deleted from ECR (its DELETE event lost).
    await push(names.app, d.gone, 'gone', at('2026-12-01T00:00:00Z'));
    await results.save(scanRecord(d.gone, 0), [], []);
    // A finding an ignore entry covers until 2026-12-31.
    await push(names.app, d.covered, 'covered', at('2026-12-01T00:00:00Z'));
    await results.save(scanRecord(d.covered, 1), [glibcFinding()], [{ ecosystem: 'Debian:12', name: 'glibc' }]);
    // Indexed by an older scanner version long ago.
    await push(names.app, d.outdated, 'old', at('2025-01-01T00:00:00Z'));
    await results.save(scanRecord(d.outdated, 0, '0.0.9', at('2025-01-01T00:00:00Z')), [], []);
    await push(names.app, d.upgraded, 'upgraded', at('2026-12-20T00:00:00Z'));
    await results.save(scanRecord(d.upgraded, 0, '0.0.9', at('2026-12-20T00:00:00Z')), [], []);
    await push(names.web, d.web, 'web', at('2026-12-01T00:00:00Z'));
    await results.save(scanRecord(d.web, 0), [], []);
    await push(names.web, d.longGone, 'long-gone', at('2026-10-01T00:00:00Z'));
    await results.save(scanRecord(d.longGone, 0), [], []);

    // The verdicts as the scanner left them, judged before the ignore entry expired.
    const judged = await evaluateImages([d.moved, d.gone, d.covered, d.outdated, d.upgraded].map((digest) => key(names.app, digest)).concat([key(names.web, d.web), key(names.web, d.longGone)]), {
      images,
      results,
      sboms: { get: async () => Promise.reject(new Error('no SBOM is needed: the policy has no VEX and no package-scoped ignore entry')) },
      verdicts,
      policies: new SsmPolicySource({ ssm: alerting.clients.ssm, s3, parameterName: alerting.env.policyParameterName, clock: { now: () => before } }),
      alerts: new SnsAlertPublisher({ client: alerting.clients.sns, topicArn: alerting.env.alertsTopicArn }),
      clock: { now: () => before },
      options: { emailImageCap: 20, repositoryId: ecrRepositoryArn },
    });
    expect(judged.images.map((image) => (image.outcome === 'judged' ? image.verdict : image.outcome))).toEqual(['PASS', 'PASS', 'PASS', 'PASS', 'PASS', 'PASS', 'PASS']);
    // Judged while it existed, then deleted two months before the run: past the 30-day retention.
    await images.markDeleted(key(names.web, d.longGone), at('2026-11-01T00:00:00Z'));
    expect((await verdicts.get(key(names.web, d.longGone)))?.verdict.verdict).toBe('PASS');
  }, 60_000);

  it('queues the image whose event was lost once, reconciles the moved tag, marks the gone image deleted, re-judges the expired ignore entry, re-indexes the older scans (the recent one by the re-index alone) and forgets the long-deleted image', async () => {
    const info = vi.spyOn(logger, 'info');
    info.mockClear();
    const report = await dailyHandler()(scheduled, contextWith(600_000));

    expect(report.failed).toEqual([]);
    expect(report.left).toEqual([]);
    // The lost image (backfill) and the two older-version scans (re-index, each once: the enumeration
    // leaves the recent one to it); the unwatched repository's image is not listed.
    expect(await drain()).toEqual([`${names.app}@${d.lost}`, `${names.app}@${d.outdated}`, `${names.app}@${d.upgraded}`].sort());
    expect(report.found).toEqual({ imagesQueued: 3, tagsReconciled: 3, imagesMarkedDeleted: 1, verdictsReevaluated: 1, verdictsChanged: 1, reindexed: 2, deletedPastRetention: 1, deletedForgotten: 1, repositoriesCounted: 2 });

    const backfill = step<BackfillSummary>(report, 'backfill');
    expect(backfill).toMatchObject({ runId: `daily-2027-01-01-${VERSION}`, pushedAfter: '2026-12-02T06:00:00.000Z', repositories: 2, images: 6, queued: 1, olderThanBound: 1, alreadyScanned: 3, leftToReindex: 1, deletedMarked: 1, failedRepositories: [], stoppedEarly: false });
    // v1 removed, v2 recorded on the moved image; the lost image's tag recorded with its state.
    expect(backfill.tagsRemoved).toBe(1);
    expect(backfill.tagsAdded).toBe(2);
    expect((await images.get(key(names.app, d.moved)))?.tags).toEqual(['v2']);
    expect((await images.get(key(names.app, d.gone)))?.deletedAt).toEqual(now);
    expect((await images.get(key(names.app, d.covered)))?.deletedAt).toBeUndefined();
    // ECR was asked about the gone digest itself before it was marked.
    expect(ecr.commandCalls(DescribeImagesCommand).some((call) => call.args[0].input.imageIds?.[0]?.imageDigest === d.gone)).toBe(true);
    expect(ecr.commandCalls(DescribeImagesCommand).some((call) => call.args[0].input.repositoryName === names.unwatched)).toBe(false);

    const review = step<ReviewSummary>(report, 'review');
    expect(review.due.review).toBe(1);
    expect(review).toMatchObject({ reevaluated: 1, changed: 1, leftForLater: 0 });
    expect((await verdicts.get(key(names.app, d.covered)))?.verdict.verdict).toBe('FAIL');
    expect((await verdicts.get(key(names.app, d.moved)))?.verdict.verdict).toBe('PASS');

    expect(step<ReindexSummary>(report, 'reindex')).toEqual({ queued: 2, skipped: 0, more: false, stoppedEarly: false });
    // The long-deleted image is forgotten (its verdict too, the catalogue counts it out); the one just marked stays.
    expect(step<RetentionSummary>(report, 'retention')).toEqual({ retentionDays: 30, deleted: 2, pastRetention: 1, forgotten: 1, kept: 0, failed: 0, oldestDeletedAt: now.toISOString(), stoppedEarly: false });
    expect(await images.get(key(names.web, d.longGone))).toBeUndefined();
    expect(await verdicts.get(key(names.web, d.longGone))).toBeUndefined();
    expect((await results.get(d.longGone))?.status).toBe('SCANNED');
    const web = (await new DynamoDbRepositoryCatalogue({ client: documents, tableName }).list()).find((entry) => entry.repository === names.web);
    expect(web).toMatchObject({ images: 1, deleted: 0 });
    expect(info).toHaveBeenCalledWith('daily review report', { report });
  });

  it('a rerun the same day queues nothing twice and finds nothing more to reconcile or re-judge', async () => {
    now = new Date(afterExpiry.getTime() + 3_600_000);
    const report = await dailyHandler()(scheduled, contextWith(600_000));
    expect(report.failed).toEqual([]);
    // The lost image's mark holds for the day; the old scan is queued again (its scan has not run), as a re-index is until it commits.
    expect(await drain()).toEqual([`${names.app}@${d.outdated}`, `${names.app}@${d.upgraded}`].sort());
    expect(step<BackfillSummary>(report, 'backfill')).toMatchObject({ queued: 0, alreadyQueued: 1, tagsAdded: 0, tagsRemoved: 0, deletedMarked: 0 });
    expect(report.found).toMatchObject({ tagsReconciled: 0, imagesMarkedDeleted: 0, verdictsReevaluated: 0, deletedForgotten: 0 });
    expect(step<RetentionSummary>(report, 'retention')).toMatchObject({ deleted: 1, pastRetention: 0, forgotten: 0 });
  });

  it('records the day\'s counts per repository from the verdicts the review left, live images only, once however often it runs that day', async () => {
    const report = await dailyHandler()(scheduled, contextWith(600_000));
    await drain();
    expect(step<CountsSummary>(report, 'counts')).toEqual({ date: '2027-01-01', repositories: 2, recorded: 2, images: 5, failedRepositories: [], stoppedEarly: false });
    const history = new DynamoDbCountsHistory({ client: documents, tableName });
    const none = { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, UNKNOWN: 0 };
    // app: the covered image turned FAIL by the review (its one HIGH finding no longer ignored); the
    // gone image is deleted and the lost one has no verdict yet. web: the long-deleted image is forgotten.
    expect(await history.list({ account: ACCOUNT, region: REGION, repository: names.app }, '2026-12-01')).toEqual([
      { repository: { account: ACCOUNT, region: REGION, repository: names.app }, date: '2027-01-01', images: 4, findings: { ...none, HIGH: 1 }, verdicts: { PASS: 3, FAIL: 1 } },
    ]);
    expect(await history.list({ account: ACCOUNT, region: REGION, repository: names.web }, '2027-01-01')).toEqual([
      { repository: { account: ACCOUNT, region: REGION, repository: names.web }, date: '2027-01-01', images: 1, findings: none, verdicts: { PASS: 1 } },
    ]);
  });

  it('a failing step does not keep the others from running, and the invocation fails at the end', async () => {
    failRepositoriesOnce = true;
    const error = vi.spyOn(logger, 'error');
    const info = vi.spyOn(logger, 'info');
    error.mockClear();
    info.mockClear();
    await expect(dailyHandler()(scheduled, contextWith(600_000))).rejects.toThrow(/backfill failed/);
    const report = info.mock.calls.find((call) => call[0] === 'daily review report')![1] as unknown as { report: DailyPassReport };
    expect(report.report.steps.map((outcome) => `${outcome.name}:${outcome.status}`)).toEqual(['backfill:failed', 'review:done', 'reindex:done', 'retention:done', 'counts:done']);
    expect(error).toHaveBeenCalledWith('daily review step failed', expect.objectContaining({ step: 'backfill', error: expect.stringMatching(/Rate exceeded/) }));
    await drain();
  });

  it('with no time left it starts nothing and reports every step left, without failing', async () => {
    const report = await dailyHandler()(scheduled, contextWith(500));
    expect(report.steps.map((outcome) => outcome.status)).toEqual(['left', 'left', 'left', 'left', 'left']);
    expect(report.left).toEqual(['backfill', 'review', 'reindex', 'retention', 'counts']);
    expect(await drain()).toEqual([]);
  });

  it('refuses an event that is not the schedule', async () => {
    await expect(dailyHandler()({ source: 'aws.events', action: 'daily-review' }, contextWith(600_000))).rejects.toThrow(/not a daily review event/);
  });
});
