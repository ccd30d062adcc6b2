import { DescribeImagesCommand, DescribeRepositoriesCommand, ECRClient, ImageNotFoundException, type DescribeImagesCommandInput, type ImageDetail } from '@aws-sdk/client-ecr';
import { CreateQueueCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { randomBytes, randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { findingsDocumentClient } from '../../../lambdas/adapters/dynamodb/document-client.ts';
import { DynamoDbBackfillMarks } from '../../../lambdas/adapters/dynamodb/dynamodb-backfill-marks.ts';
import { DynamoDbClaimStore } from '../../../lambdas/adapters/dynamodb/dynamodb-claim-store.ts';
import { DynamoDbImageStateStore } from '../../../lambdas/adapters/dynamodb/dynamodb-image-state-store.ts';
import { DynamoDbScanCompletions } from '../../../lambdas/adapters/dynamodb/dynamodb-scan-completions.ts';
import { DynamoDbScanResultStore } from '../../../lambdas/adapters/dynamodb/dynamodb-scan-result-store.ts';
import { FINDINGS_TABLE } from '../../../lambdas/adapters/dynamodb/table-schema.ts';
import { EcrImageReader } from '../../../lambdas/adapters/ecr/ecr-image-reader.ts';
import { EcrRegistryCatalog } from '../../../lambdas/adapters/ecr/ecr-registry-catalog.ts';
import { parseEcrEvent } from '../../../lambdas/adapters/ecr/parse-ecr-event.ts';
import { SqsScanRequestQueue } from '../../../lambdas/adapters/sqs/sqs-scan-request-queue.ts';
import { parseDigest, type Digest } from '../../../lambdas/core/digest.ts';
import type { EcrImageEvent } from '../../../lambdas/adapters/ecr/ecr-image-event.ts';
import type { ImageKey, RepositoryKey, ScanRecord } from '../../../lambdas/core/pipeline/model.ts';
import { quarantineMarkerOf } from '../../../lambdas/core/pipeline/quarantine-model.ts';
import { backfillImages, type BackfillDeps, type BackfillReport, type BackfillRequest } from '../../../lambdas/core/use-cases/backfill-images.ts';
import { planImageEvent } from '../../../lambdas/core/use-cases/handle-image-event.ts';
import { createLocalTable, localDynamoDbClient } from '../../support/dynamodb-tables.ts';
import { sampleScanRecord } from '../../support/sample-scan-record.ts';

/**
 * Backfill and reconciliation through the real adapters: DynamoDB Local stores, moto's SQS as the
 * scanner's queue, and a stateful ECR answering DescribeRepositories and DescribeImages two items a
 * page (so every listing spans pages and follows nextToken) and DescribeImages by digest as ECR
 * does, ImageNotFoundException for a digest it does not have. Every ECR request is checked.
 */
const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const VERSION = '0.1.0+backfilltest';
const PAGE = 2;

const digest = (): Digest => parseDigest(`sha256:${randomBytes(32).toString('hex')}`);
const at = (iso: string): Date => new Date(iso);

interface StubImage {
  readonly digest: Digest;
  tags: string[];
  readonly pushedAt: Date;
}

const run = randomUUID().slice(0, 8);
const names = { other: `other-${run}`, app: `team-${run}/app`, web: `team-${run}/web`, empty: `team-${run}/empty`, solo: `solo-${run}` };
const repo = (name: string): RepositoryKey => ({ account: ACCOUNT, region: REGION, repository: name });

const d = { scanned: digest(), elsewhere: digest(), older: digest(), never: digest(), ancient: digest(), index: digest(), gone: digest(), late: digest(), web: digest(), solo: digest(), other: digest() };

// What ECR lists, per repository, in listing order; `late` exists but was pushed after the listing.
const listed: Record<string, StubImage[]> = {
  [names.other]: [{ digest: d.other, tags: ['x'], pushedAt: at('2025-05-01T00:00:00Z') }],
  [names.app]: [
    { digest: d.scanned, tags: ['v1', 'new'], pushedAt: at('2025-03-01T00:00:00Z') },
    { digest: d.elsewhere, tags: ['latest'], pushedAt: at('2025-03-02T00:00:00Z') },
    { digest: d.older, tags: ['stable'], pushedAt: at('2025-03-03T00:00:00Z') },
    { digest: d.never, tags: ['b', 'a'], pushedAt: at('2025-03-04T00:00:00Z') },
    { digest: d.ancient, tags: [], pushedAt: at('2020-01-01T00:00:00Z') },
    { digest: d.index, tags: [], pushedAt: at('2025-03-05T00:00:00Z') },
  ],
  [names.web]: [{ digest: d.web, tags: ['x'], pushedAt: at('2025-04-01T00:00:00Z') }],
  [names.empty]: [],
  [names.solo]: [{ digest: d.solo, tags: ['prod', quarantineMarkerOf(d.solo)], pushedAt: at('2025-04-02T00:00:00Z') }],
};
const unlisted: Record<string, StubImage[]> = { [names.app]: [{ digest: d.late, tags: ['late'], pushedAt: at('2025-06-01T00:00:00Z') }] };
const repositoryOrder = [names.other, names.app, names.web, names.empty, names.solo];

function pageOf<T>(items: readonly T[], token: string | undefined): { page: T[]; nextToken?: string } {
  const start = token ? Number(token) : 0;
  const end = start + PAGE;
  return { page: items.slice(start, end), ...(end < items.length ? { nextToken: String(end) } : {}) };
}

function detail(repositoryName: string, image: StubImage): ImageDetail {
  return { registryId: ACCOUNT, repositoryName, imageDigest: image.digest, ...(image.tags.length > 0 ? { imageTags: [...image.tags] } : {}), imagePushedAt: image.pushedAt };
}

const ecrClient = new ECRClient({ region: REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
const ecr = mockClient(ecrClient);
ecr.on(DescribeRepositoriesCommand).callsFake(async (input: { nextToken?: string }) => {
  await Promise.resolve();
  const { page, nextToken } = pageOf(repositoryOrder, input.nextToken);
  return { repositories: page.map((name) => ({ registryId: ACCOUNT, repositoryName: name })), ...(nextToken ? { nextToken } : {}) };
});
ecr.on(DescribeImagesCommand).callsFake(async (input: DescribeImagesCommandInput) => {
  await Promise.resolve(); // answered as the SDK answers: a rejected promise, never a synchronous throw
  const name = input.repositoryName!;
  if (input.imageIds) {
    const wanted = input.imageIds[0]!.imageDigest;
    const image = [...(listed[name] ?? []), ...(unlisted[name] ?? [])].find((one) => one.digest === wanted);
    if (!image) throw new ImageNotFoundException({ message: `The image with imageId {imageDigest:'${wanted}'} does not exist within the repository`, $metadata: {} });
    return { imageDetails: [detail(name, image)] };
  }
  const { page, nextToken } = pageOf(listed[name] ?? [], input.nextToken);
  return { imageDetails: page.map((image) => detail(name, image)), ...(nextToken ? { nextToken } : {}) };
});

function scanRecord(digestOf: Digest, scannerVersion: string): ScanRecord {
  return sampleScanRecord(digestOf, { scannerVersion, finishedAt: at('2025-03-10T00:00:00Z') });
}

describe('backfillImages over paginated ECR listings, DynamoDB Local and moto SQS', () => {
  const dynamo = localDynamoDbClient();
  const client = findingsDocumentClient(dynamo);
  const sqs = new SQSClient({ endpoint: inject('motoEndpoint'), region: REGION, credentials: { accessKeyId: 'moto', secretAccessKey: 'moto' } });
  let table: string;
  let queueUrl: string;
  let images: DynamoDbImageStateStore;
  let clockNow = at('2025-07-01T00:00:00Z');

  function deps(): BackfillDeps {
    return {
      catalog: new EcrRegistryCatalog({ ecr: ecrClient, region: REGION, selection: { names: [names.solo], prefixes: [`team-${run}/`] } }),
      states: { imagesOf: (repository) => images.imagesOfRepository(repository, Infinity) },
      images,
      results: new DynamoDbScanResultStore({ client, tableName: table }),
      completions: new DynamoDbScanCompletions({ client, tableName: table }),
      registry: { describe: (repository, digestOf) => new EcrImageReader(ecrClient).describe(repository, digestOf) },
      marks: new DynamoDbBackfillMarks({ client, tableName: table, leaseMs: 600_000 }),
      queue: new SqsScanRequestQueue({ sqs, queueUrl }),
      clock: { now: () => clockNow },
      scannerVersion: VERSION,
      options: { batchSize: 3, concurrency: 4 },
    };
  }

  const backfill = (request: Partial<BackfillRequest> & { runId: string }): Promise<BackfillReport> => backfillImages({ reconcile: false, pushedAfter: at('2024-01-01T00:00:00Z'), ...request }, deps());

  async function drain(): Promise<EcrImageEvent[]> {
    const events: EcrImageEvent[] = [];
    for (;;) {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      if (Messages.length === 0) return events;
      for (const message of Messages) {
        const parsed = parseEcrEvent(message.Body!);
        if (!parsed.ok) throw new Error(`a queued message did not parse: ${parsed.rejection.message}`);
        events.push(parsed.event);
      }
      await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: Messages.map((m, index) => ({ Id: String(index), ReceiptHandle: m.ReceiptHandle! })) }));
    }
  }

  const queuedDigests = (events: readonly EcrImageEvent[]): string[] => events.map((event) => `${event.repository}@${event.digest}`).sort();
  const key = (name: string, digestOf: Digest): ImageKey => ({ ...repo(name), digest: digestOf });

  beforeAll(async () => {
    table = await createLocalTable(dynamo, FINDINGS_TABLE, 'backfill');
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `customs-backfill-${run}` }))).QueueUrl!;
    images = new DynamoDbImageStateStore({ client, tableName: table });
    const results = new DynamoDbScanResultStore({ client, tableName: table });
    const claims = new DynamoDbClaimStore({ client, tableName: table });
    const push = (name: string, digestOf: Digest, tag: string | undefined, pushedAt: string) =>
      images.recordPush({ ...key(name, digestOf), ...(tag ? { tag } : {}), pushedAt: at(pushedAt), kind: 'push' }, at(pushedAt));
    // Scanned by this version, with state here whose tags ECR has moved on from (old gone, new added).
    await results.save(scanRecord(d.scanned, VERSION), [], []);
    await push(names.app, d.scanned, 'v1', '2025-03-01T00:00:00Z');
    await push(names.app, d.scanned, 'old', '2025-03-01T00:00:00Z');
    // Scanned by this version, but Customs has no state in this repository (its event was lost).
    await results.save(scanRecord(d.elsewhere, VERSION), [], []);
    // Scanned by an older scanner version.
    await results.save(scanRecord(d.older, 'older-version'), [], []);
    await push(names.app, d.older, 'stable', '2025-03-03T00:00:00Z');
    // An index: its claim is done, and an index has no result of its own.
    const claim = await claims.claim({ digest: d.index, scannerVersion: VERSION }, { now: at('2025-03-05T00:00:00Z'), leaseMs: 60_000 });
    if (claim.outcome !== 'claimed') throw new Error('seeding the index claim failed');
    await claims.complete({ digest: d.index, scannerVersion: VERSION }, claim.token, at('2025-03-05T00:00:01Z'));
    await push(names.app, d.index, undefined, '2025-03-05T00:00:00Z');
    // State for a digest ECR no longer has, and for one ECR has but did not list (pushed after the listing).
    await push(names.app, d.gone, 'gone-tag', '2025-02-01T00:00:00Z');
    await push(names.app, d.late, 'late', '2025-06-01T00:00:00Z');
  });

  const expectedFirstRun = {
    repositories: 4,
    images: 8,
    alreadyScanned: 2,
    withoutState: 5,
    olderThanBound: 1,
    queued: 5,
    alreadyQueued: 0,
    tagsAdded: 6,
    tagsRemoved: 1,
    deletedMarked: 1,
    failed: 0,
  };

  it('a dry run reports what a run would do and writes and sends nothing', async () => {
    ecr.resetHistory();
    const report = await backfill({ runId: 'run-1', reconcile: true, dryRun: true });
    expect(report).toMatchObject({ ...expectedFirstRun, dryRun: true });
    expect(await drain()).toEqual([]);
    expect((await images.get(key(names.app, d.scanned)))?.tags).toEqual(['old', 'v1']);
    expect((await images.get(key(names.app, d.gone)))?.deletedAt).toBeUndefined();
    expect(await images.get(key(names.app, d.never))).toBeUndefined();
  });

  it('queues each image not scanned by this version once, skips the scanned ones, reconciles tags both ways and marks the gone image deleted', async () => {
    ecr.resetHistory();
    const report = await backfill({ runId: 'run-1', reconcile: true });
    expect(report).toMatchObject({ ...expectedFirstRun, dryRun: false, reconcile: true, scannerVersion: VERSION, pushedAfter: '2024-01-01T00:00:00.000Z' });
    expect(report.byRepository.map((entry) => [entry.repository, entry.images, entry.queued])).toEqual([
      [names.app, 6, 3],
      [names.web, 1, 1],
      [names.empty, 0, 0],
      [names.solo, 1, 1],
    ]);

    // Listings: every page, in order, nextToken followed, maxResults 1000; the unwatched repository never listed.
    const listings = ecr.commandCalls(DescribeImagesCommand).map((call) => call.args[0].input).filter((input) => !input.imageIds);
    expect(ecr.commandCalls(DescribeRepositoriesCommand).map((call) => call.args[0].input)).toEqual([{ maxResults: 1000 }, { maxResults: 1000, nextToken: '2' }, { maxResults: 1000, nextToken: '4' }]);
    expect(listings).toEqual([
      { registryId: ACCOUNT, repositoryName: names.app, maxResults: 1000 },
      { registryId: ACCOUNT, repositoryName: names.app, maxResults: 1000, nextToken: '2' },
      { registryId: ACCOUNT, repositoryName: names.app, maxResults: 1000, nextToken: '4' },
      { registryId: ACCOUNT, repositoryName: names.web, maxResults: 1000 },
      { registryId: ACCOUNT, repositoryName: names.empty, maxResults: 1000 },
      { registryId: ACCOUNT, repositoryName: names.solo, maxResults: 1000 },
    ]);
    // By digest: each image whose tags differ from its state, and each state ECR did not list; nothing else.
    const byDigest = ecr
      .commandCalls(DescribeImagesCommand)
      .map((call) => call.args[0].input)
      .filter((input) => input.imageIds)
      .map((input) => `${input.repositoryName}@${input.imageIds![0]!.imageDigest}`)
      .sort();
    expect(byDigest).toEqual([...[d.scanned, d.elsewhere, d.never, d.gone, d.late].map((one) => `${names.app}@${one}`), `${names.web}@${d.web}`, `${names.solo}@${d.solo}`].sort());

    // The messages are push events the scanner takes as any push: parsed, then planned as a scan.
    const events = await drain();
    expect(queuedDigests(events)).toEqual([`${names.app}@${d.elsewhere}`, `${names.app}@${d.older}`, `${names.app}@${d.never}`, `${names.web}@${d.web}`, `${names.solo}@${d.solo}`].sort());
    const never = events.find((event) => event.digest === d.never)!;
    expect(never).toMatchObject({ kind: 'push', account: ACCOUNT, region: REGION, repository: names.app, tag: 'a', time: '2025-03-04T00:00:00.000Z' });
    expect(events.find((event) => event.digest === d.solo)?.tag).toBe('prod');
    const plan = planImageEvent(never, { exists: true, tags: ['a', 'b'], pushedAt: at('2025-03-04T00:00:00Z') }, clockNow);
    expect(plan).toEqual({ action: 'scan', request: { ...key(names.app, d.never), tag: 'a', pushedAt: at('2025-03-04T00:00:00Z'), kind: 'push' } });

    // Reconciled: tags as ECR shows them (no quarantine marker), the gone digest deleted, the late one kept.
    expect((await images.get(key(names.app, d.scanned)))?.tags).toEqual(['new', 'v1']);
    expect((await images.get(key(names.app, d.never)))?.tags).toEqual(['a', 'b']);
    expect((await images.get(key(names.solo, d.solo)))?.tags).toEqual(['prod']);
    expect((await images.get(key(names.app, d.gone)))?.deletedAt).toEqual(clockNow);
    expect((await images.get(key(names.app, d.late)))?.deletedAt).toBeUndefined();
    expect(await images.tagHistory(repo(names.app), 'old')).toEqual([
      { tag: 'old', digest: d.scanned, at: at('2025-03-01T00:00:00Z'), action: 'tagged' },
      { tag: 'old', digest: d.scanned, at: clockNow, action: 'untagged' },
    ]);
  });

  it('a second run with the same runId queues nothing more and finds nothing left to reconcile', async () => {
    const report = await backfill({ runId: 'run-1', reconcile: true });
    // The image scanned elsewhere has its state here now: nothing left to do for it.
    expect(report).toMatchObject({ alreadyScanned: 3, queued: 0, alreadyQueued: 4, tagsAdded: 0, tagsRemoved: 0, deletedMarked: 0 });
    expect(await drain()).toEqual([]);
  });

  it('two concurrent runs with one runId queue each image once between them', async () => {
    const [first, second] = await Promise.all([backfill({ runId: 'run-2' }), backfill({ runId: 'run-2' })]);
    expect(first.queued + second.queued).toBe(4);
    expect(first.alreadyQueued + second.alreadyQueued).toBe(4);
    expect(queuedDigests(await drain())).toEqual([`${names.app}@${d.older}`, `${names.app}@${d.never}`, `${names.web}@${d.web}`, `${names.solo}@${d.solo}`].sort());
  });

  it('a run that crashed between its mark and its send sends that image once the mark lease has expired', async () => {
    const marks = new DynamoDbBackfillMarks({ client, tableName: table, leaseMs: 600_000 });
    expect(await marks.claim('run-3', repo(names.app), [d.never], clockNow)).toEqual([d.never]);
    const resumed = await backfill({ runId: 'run-3' });
    expect(resumed).toMatchObject({ queued: 3, alreadyQueued: 1 });
    expect(queuedDigests(await drain())).not.toContain(`${names.app}@${d.never}`);
    clockNow = new Date(clockNow.getTime() + 600_001);
    const afterLease = await backfill({ runId: 'run-3' });
    expect(afterLease).toMatchObject({ queued: 1, alreadyQueued: 3 });
    expect(queuedDigests(await drain())).toEqual([`${names.app}@${d.never}`]);
  });

  it('without a push-age bound the old image is queued too', async () => {
    const report = await backfillImages({ runId: 'run-4', reconcile: false }, deps());
    expect(report).toMatchObject({ olderThanBound: 0, queued: 5 });
    expect(queuedDigests(await drain())).toContain(`${names.app}@${d.ancient}`);
  });

  it('with scanned-by-any-version (the daily pass) queues only images with no committed scan, leaving the older version\'s scan to the re-index', async () => {
    const report = await backfill({ runId: 'run-5', skip: 'scanned-by-any-version' });
    // never, web and solo have state (recorded by the reconciling run) but no scan; older has an older version's.
    expect(report).toMatchObject({ skip: 'scanned-by-any-version', alreadyScanned: 3, leftToReindex: 1, queued: 3, alreadyQueued: 0 });
    expect(queuedDigests(await drain())).toEqual([`${names.app}@${d.never}`, `${names.web}@${d.web}`, `${names.solo}@${d.solo}`].sort());
    const byDefault = await backfill({ runId: 'run-6' });
    expect(byDefault).toMatchObject({ skip: 'scanned-by-this-version', leftToReindex: 0, queued: 4 });
    expect(queuedDigests(await drain())).toContain(`${names.app}@${d.older}`);
  });
});
