import { DescribeImagesCommand, DescribeRepositoriesCommand, ECRClient, type DescribeImagesCommandInput } from '@aws-sdk/client-ecr';
import { CreateQueueCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { findingsDocumentClient } from '../../../lambdas/adapters/dynamodb/document-client.ts';
import { DynamoDbActionLog } from '../../../lambdas/adapters/dynamodb/dynamodb-action-log.ts';
import { DynamoDbBackfillMarks } from '../../../lambdas/adapters/dynamodb/dynamodb-backfill-marks.ts';
import { DynamoDbImageStateStore } from '../../../lambdas/adapters/dynamodb/dynamodb-image-state-store.ts';
import { DynamoDbScanCompletions } from '../../../lambdas/adapters/dynamodb/dynamodb-scan-completions.ts';
import { DynamoDbScanResultStore } from '../../../lambdas/adapters/dynamodb/dynamodb-scan-result-store.ts';
import { FINDINGS_TABLE } from '../../../lambdas/adapters/dynamodb/table-schema.ts';
import { EcrImageReader } from '../../../lambdas/adapters/ecr/ecr-image-reader.ts';
import { EcrRegistryCatalog } from '../../../lambdas/adapters/ecr/ecr-registry-catalog.ts';
import { parseEcrEvent } from '../../../lambdas/adapters/ecr/parse-ecr-event.ts';
import { parseRescanMessage, SqsRescanQueue } from '../../../lambdas/adapters/sqs/sqs-rescan-queue.ts';
import { SqsScanRequestQueue } from '../../../lambdas/adapters/sqs/sqs-scan-request-queue.ts';
import type { ApiAccessRule } from '../../../lambdas/core/api/access-rules.ts';
import { actionRoutes } from '../../../lambdas/core/api/action-routes/action-routes.ts';
import { parseDigest, type Digest } from '../../../lambdas/core/digest.ts';
import type { RescanMessage } from '../../../lambdas/core/ports.ts';
import { createLocalTable, localDynamoDbClient } from '../../support/dynamodb-tables.ts';
import { ACCOUNT, REGION } from '../../support/ecr-events.ts';
import { actionApi, everyAction, rolePrincipal, untouched } from './action-routes-world.ts';

/**
 * The routes that queue work, through the findings API handler: a rescan is one all-packages message
 * on the rescan queue (moto SQS) naming an index's platform manifests too; a backfill queues the
 * images of the repositories the caller may act on (ECR answered by aws-sdk-client-mock, two images
 * a page; DynamoDB Local stores; moto SQS as the scanner's queue), stops at its time budget with
 * `complete: false` and is continued by its runId without queueing anything twice.
 */
const run = randomUUID().slice(0, 8);
const names = { app: `team-${run}/app`, web: `team-${run}/web`, api: `team-${run}/worker`, other: `other-${run}/x` };
const team = rolePrincipal(`team-${run}`);
const reader = rolePrincipal(`reader-${run}`);
const RULES: ApiAccessRule[] = [
  { principal: team.arn, read: [''], act: [`team-${run}/`] },
  { principal: reader.arn, read: [''] },
];
const digest = (): Digest => parseDigest(`sha256:${randomBytes(32).toString('hex')}`);
const listed: Record<string, { digest: Digest; tags: string[] }[]> = {
  // Two pages, two pages, one page: with 10 s a page and a 25 s budget, each call finishes one repository.
  [names.app]: Array.from({ length: 4 }, (_, index) => ({ digest: digest(), tags: [`v${index}`] })),
  [names.web]: Array.from({ length: 3 }, (_, index) => ({ digest: digest(), tags: [`w${index}`] })),
  [names.api]: Array.from({ length: 2 }, (_, index) => ({ digest: digest(), tags: [`a${index}`] })),
  [names.other]: [{ digest: digest(), tags: ['x'] }],
};

// Wall-clock time as the backfill's budget sees it: each ECR listing call takes 10 s.
let elapsedMs = 0;
const ecrClient = new ECRClient({ region: REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
const ecr = mockClient(ecrClient);
ecr.on(DescribeRepositoriesCommand).resolves({ repositories: Object.keys(listed).map((name) => ({ registryId: ACCOUNT, repositoryName: name })) });
ecr.on(DescribeImagesCommand).callsFake(async (input: DescribeImagesCommandInput) => {
  await Promise.resolve();
  elapsedMs += 10_000;
  const all = listed[input.repositoryName!] ?? [];
  const start = input.nextToken ? Number(input.nextToken) : 0;
  const page = all.slice(start, start + 2);
  return {
    imageDetails: page.map((image) => ({ registryId: ACCOUNT, repositoryName: input.repositoryName, imageDigest: image.digest, imageTags: image.tags, imagePushedAt: new Date('2026-11-01T00:00:00Z') })),
    ...(start + 2 < all.length ? { nextToken: String(start + 2) } : {}),
  };
});

describe('rescan and backfill routes', () => {
  const dynamo = localDynamoDbClient();
  const sqs = new SQSClient({ endpoint: inject('motoEndpoint'), region: REGION, credentials: { accessKeyId: 'moto', secretAccessKey: 'moto' } });
  const clock = { now: () => new Date('2026-12-01T10:00:00Z') };
  let images: DynamoDbImageStateStore;
  let log: DynamoDbActionLog;
  let rescanQueue: string;
  let scanQueue: string;
  let api: ReturnType<typeof actionApi>;
  const index = digest();
  const children = [digest(), digest()].sort();

  beforeAll(async () => {
    const table = { client: findingsDocumentClient(dynamo), tableName: await createLocalTable(dynamo, FINDINGS_TABLE, 'api-queue') };
    images = new DynamoDbImageStateStore(table);
    log = new DynamoDbActionLog(table);
    rescanQueue = (await sqs.send(new CreateQueueCommand({ QueueName: `api-rescans-${run}` }))).QueueUrl!;
    scanQueue = (await sqs.send(new CreateQueueCommand({ QueueName: `api-scans-${run}` }))).QueueUrl!;
    const at = new Date('2026-11-30T00:00:00Z');
    await images.recordPush({ account: ACCOUNT, region: REGION, repository: names.app, digest: index, tag: 'multi', pushedAt: at, kind: 'push' }, at);
    await images.linkChildren({ account: ACCOUNT, region: REGION, repository: names.app, digest: index }, children);
    await images.recordPush({ account: ACCOUNT, region: REGION, repository: names.other, digest: listed[names.other]![0]!.digest, tag: 'x', pushedAt: at, kind: 'push' }, at);
    api = actionApi(
      actionRoutes({
        actions: log,
        images,
        rescans: new SqsRescanQueue(sqs, rescanQueue),
        backfill: {
          catalog: new EcrRegistryCatalog({ ecr: ecrClient, region: REGION, selection: { names: [], prefixes: [`team-${run}/`, `other-${run}/`] } }),
          states: { imagesOf: (repository) => images.imagesOfRepository(repository, Infinity) },
          images,
          results: new DynamoDbScanResultStore(table),
          completions: new DynamoDbScanCompletions(table),
          registry: { describe: (repository, digestOf) => new EcrImageReader(ecrClient).describe(repository, digestOf) },
          marks: new DynamoDbBackfillMarks({ ...table, leaseMs: 600_000 }),
          queue: new SqsScanRequestQueue({ sqs, queueUrl: scanQueue }),
          clock,
          scannerVersion: 'api-test',
        },
        release: () => Promise.reject(new Error('not under test')),
        exceptions: untouched('exceptions'),
        affected: () => Promise.reject(new Error('not under test')),
        holders: untouched('holders'),
        judge: () => Promise.reject(new Error('not under test')),
        nowMs: () => elapsedMs,
        options: { backfillBudgetMs: 25_000 },
      }),
      RULES,
      clock,
    );
  });

  afterAll(() => ecr.restore());

  async function drain(queueUrl: string): Promise<string[]> {
    const bodies: string[] = [];
    for (;;) {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      if (Messages.length === 0) return bodies;
      bodies.push(...Messages.map((message) => message.Body!));
      await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: Messages.map((message, position) => ({ Id: String(position), ReceiptHandle: message.ReceiptHandle! })) }));
    }
  }
  const rescans = async (): Promise<RescanMessage[]> => (await drain(rescanQueue)).map(parseRescanMessage);
  const scans = async (): Promise<string[]> =>
    (await drain(scanQueue)).map((body) => {
      const parsed = parseEcrEvent(body);
      if (!parsed.ok) throw new Error(parsed.rejection.message);
      return `${parsed.event.repository}@${parsed.event.digest}`;
    });

  it('queues an on-demand rescan of an index and its platform manifests (202), recorded with its sync id', async () => {
    const answer = await api({ method: 'POST', path: `/images/${index}/rescan`, query: { repository: names.app }, body: { reason: 'new advisories upstream' }, principal: team });
    expect(answer.status, JSON.stringify(answer.body)).toBe(202);
    const action = answer.body['action'] as { id: string; target: Record<string, string> };
    expect(answer.body).toMatchObject({ queued: [index, ...children], action: { action: 'rescan', principal: team.display, reason: 'new advisories upstream', outcome: 'queued' } });
    expect(await rescans()).toEqual([{ syncId: `request-${action.id}`, digests: [index, ...children], all: true }]);
    expect(action.target).toEqual({ repository: names.app, digest: index, syncId: `request-${action.id}` });
    const logged = (await everyAction(log)).find((entry) => entry.id === action.id);
    expect(logged).toMatchObject({ action: 'rescan', outcome: 'queued', repository: { account: ACCOUNT, region: REGION, repository: names.app } });
  });

  it('refuses a rescan of an unknown image (404), of a repository the caller may only read (403) and bad input (400), queueing nothing', async () => {
    await rescans();
    const before = (await everyAction(log)).length;
    const other = listed[names.other]![0]!.digest;
    expect(await api({ method: 'POST', path: `/images/${digest()}/rescan`, query: { repository: names.app }, principal: team })).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
    expect(await api({ method: 'POST', path: `/images/${other}/rescan`, query: { repository: names.other }, principal: team })).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
    expect(await api({ method: 'POST', path: `/images/${index}/rescan`, query: { repository: names.app }, principal: reader })).toMatchObject({ status: 403 });
    expect(await api({ method: 'POST', path: `/images/${index}/rescan`, query: { repository: names.app }, body: { reason: 'x' }, principal: team })).toMatchObject({ status: 400, body: { field: 'body.reason' } });
    expect(await api({ method: 'POST', path: `/images/${index}/rescan`, query: { repository: names.app, all: 'true' }, principal: team })).toMatchObject({ status: 400, body: { field: 'all' } });
    expect(await api({ method: 'POST', path: `/images/${index}/rescan`, principal: team })).toMatchObject({ status: 400, body: { field: 'repository' } });
    expect(await rescans()).toEqual([]);
    expect((await everyAction(log)).length).toBe(before);
  });

  it('backfills the repositories the caller may act on, stopping at its budget and continued by runId, queueing each image once', async () => {
    elapsedMs = 0;
    const first = await api({ method: 'POST', path: '/backfill', body: { reason: 'first deploy' }, principal: team });
    expect(first.status, JSON.stringify(first.body)).toBe(202);
    expect(first.body).toMatchObject({ complete: false, action: { action: 'backfill', outcome: 'incomplete' } });
    // The run is named after the first call's action; an unfinished answer also says how far it got.
    const runId = `api-${(first.body['action'] as { id: string }).id}`;
    expect(first.body['runId']).toMatch(new RegExp(`^${runId}\\.\\d+$`));
    const answers = [first.body];
    for (let call = 0; call < 6 && answers.at(-1)!['complete'] !== true; call++) {
      const previous = answers.at(-1)!['runId'] as string;
      const next = await api({ method: 'POST', path: '/backfill', body: { runId: previous, reason: 'first deploy, continued' }, principal: team });
      expect(next.status, JSON.stringify(next.body)).toBe(202);
      expect(next.body['runId']).toMatch(new RegExp(`^${runId}(?:\\.\\d+)?$`));
      expect(next.body['action']).toMatchObject({ target: { continues: previous, runId } });
      answers.push(next.body);
    }
    expect(answers.at(-1)).toMatchObject({ complete: true, runId, action: { outcome: 'complete' } });
    expect(answers.map((answer) => [answer['complete'], answer['repositories']])).toEqual([
      [false, 2],
      [false, 2],
      [true, 1],
    ]);

    // Each image of the two team repositories queued once over all the calls; none of the other repository.
    const queued = await scans();
    const expected = [names.app, names.web, names.api].flatMap((name) => listed[name]!.map((image) => `${name}@${image.digest}`));
    expect(queued.sort()).toEqual(expected.sort());
    expect(answers.reduce((sum, answer) => sum + (answer['queued'] as number), 0)).toBe(expected.length);
    // A continuation starts at the first repository not finished: a finished one is not listed again
    // (web and worker were each cut at their first page once: the budget ran out as it came in).
    const pagesOf = (name: string) => ecr.commandCalls(DescribeImagesCommand).filter((call) => call.args[0].input.repositoryName === name).length;
    expect([pagesOf(names.app), pagesOf(names.web), pagesOf(names.api), pagesOf(names.other)]).toEqual([2, 3, 2, 0]);

    // The same run asked again once complete queues nothing more.
    elapsedMs = 0;
    const again = await api({ method: 'POST', path: '/backfill', body: { runId, repositories: [names.app] }, principal: team });
    expect(again.body).toMatchObject({ complete: true, queued: 0, skipped: 4, repositories: 1 });
    expect(await scans()).toEqual([]);
    const logged = (await everyAction(log)).filter((entry) => entry.action === 'backfill');
    expect(logged).toHaveLength(answers.length + 1);
    expect(logged.every((entry) => entry.principal === team.display && entry.target['runId'] === runId)).toBe(true);
  });

  it.each([
    ['a repository the caller may not act on', { repositories: [names.other] }, 403, 'FORBIDDEN', undefined],
    ['a repository nobody watches', { repositories: [`team-${run}/nope`] }, 400, 'BAD_REQUEST', 'body.repositories.0'],
    ['a malformed repository name', { repositories: ['Team/App'] }, 400, 'BAD_REQUEST', 'body.repositories.0'],
    ['a runId no answer named', { runId: 'run-1' }, 400, 'BAD_REQUEST', 'body.runId'],
    ['a maximum age of zero days', { maxAgeDays: 0 }, 400, 'BAD_REQUEST', 'body.maxAgeDays'],
    ['an unknown field', { reconcile: true }, 400, 'BAD_REQUEST', 'body.reconcile'],
  ])('refuses a backfill naming %s, queueing nothing and recording nothing', async (_what, body, status, code, field) => {
    elapsedMs = 0;
    await scans();
    const before = (await everyAction(log)).length;
    const answer = await api({ method: 'POST', path: '/backfill', body, principal: team });
    expect(answer).toMatchObject({ status, body: { code, ...(field ? { field } : {}) } });
    expect(await scans()).toEqual([]);
    expect((await everyAction(log)).length).toBe(before);
  });

  it('refuses a reader a backfill of everything (403)', async () => {
    await scans();
    expect(await api({ method: 'POST', path: '/backfill', body: {}, principal: reader })).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
    expect(await scans()).toEqual([]);
  });
});
