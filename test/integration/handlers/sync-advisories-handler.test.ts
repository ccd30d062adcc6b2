import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, DeleteMessageCommand, DeleteQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import { DynamoDbAdvisoryLookup } from '../../../lambdas/adapters/dynamodb/advisory-lookup.ts';
import { findingsDocumentClient } from '../../../lambdas/adapters/dynamodb/document-client.ts';
import { DynamoDbAdvisoryLoadRequests } from '../../../lambdas/adapters/dynamodb/dynamodb-advisory-load-requests.ts';
import { DynamoDbAdvisoryWriter } from '../../../lambdas/adapters/dynamodb/dynamodb-advisory-writer.ts';
import { DynamoDbPendingFanOuts } from '../../../lambdas/adapters/dynamodb/dynamodb-pending-fan-outs.ts';
import { DynamoDbScanResultStore } from '../../../lambdas/adapters/dynamodb/dynamodb-scan-result-store.ts';
import { DynamoDbSyncCursors } from '../../../lambdas/adapters/dynamodb/dynamodb-sync-cursors.ts';
import { DynamoDbSyncLease } from '../../../lambdas/adapters/dynamodb/dynamodb-sync-lease.ts';
import { ADVISORY_TABLE, FINDINGS_TABLE } from '../../../lambdas/adapters/dynamodb/table-schema.ts';
import { S3AdvisoryChangeSets } from '../../../lambdas/adapters/s3/s3-advisory-change-sets.ts';
import { parseRescanMessage } from '../../../lambdas/adapters/sqs/sqs-rescan-queue.ts';
import { osvRecordSchema } from '../../../lambdas/core/advisories/osv-schema.ts';
import { namesEcosystem } from '../../../lambdas/core/advisories/sync-plan.ts';
import { parseDigest, type Digest } from '../../../lambdas/core/digest.ts';
import type { ScanRecord } from '../../../lambdas/core/pipeline/model.ts';
import { packageRefs } from '../../../lambdas/core/pipeline/package-refs.ts';
import type { RescanMessage } from '../../../lambdas/core/ports.ts';
import type { SyncRunOutcome } from '../../../lambdas/handlers/sync-advisories/run-sync.ts';
import { lazySyncHandler } from '../../../lambdas/handlers/sync-advisories/lazy-sync-handler.ts';
import type { SyncHandler } from '../../../lambdas/handlers/sync-advisories/sync-handler.ts';
import { createLocalTable, localDynamoDbClient } from '../../support/dynamodb-tables.ts';
import { startOsvExportServer, type OsvExportServer } from '../../support/osv-bucket-server.ts';
import { samplePackage, sampleImageSbom } from '../../support/sample-findings.ts';
import { lambdaSqsRecord } from '../../support/sqs-lambda-record.ts';

/**
 * The sync Lambda as Lambda runs it (the module's lazy handler reading its environment, the real
 * adapters) on DynamoDB Local and moto (S3, SQS) against the osv.dev-shaped export server: a
 * scheduled run derives its ecosystems from a load request and loads them; images holding a changed
 * package, and one waiting for the ecosystem, each get exactly one rescan; an overlapping run holds
 * no lease and does nothing; an incremental run after a change queues only the affected image; a
 * run out of time continues through its own queue and the continuation finishes under the same
 * syncId; the cursor ages go out as EMF metrics.
 */
const REGION = 'us-east-1';
const MINIMIST_ADVISORY = 'GHSA-xvch-5gv4-984h';
const SCHEDULED = { source: 'customs.schedule', action: 'advisory-sync' };
const dynamodb = localDynamoDbClient();
const motoCredentials = { accessKeyId: 'moto', secretAccessKey: 'moto' };
const s3 = new S3Client({ endpoint: inject('motoEndpoint'), region: REGION, forcePathStyle: true, credentials: motoCredentials });
const sqs = new SQSClient({ endpoint: inject('motoEndpoint'), region: REGION, credentials: motoCredentials });

interface Stack {
  readonly advisoryTable: string;
  readonly findingsTable: string;
  readonly bucket: string;
  readonly rescanQueue: string;
  readonly continuationQueue: string;
  readonly continuationArn: string;
  readonly results: DynamoDbScanResultStore;
  readonly cursors: DynamoDbSyncCursors;
  readonly handler: SyncHandler;
}

/** Tables, bucket and queues of one deployment, and its handler reading the environment the construct sets. */
async function deploy(ecosystems: string): Promise<Stack> {
  const [advisoryTable, findingsTable] = await Promise.all([createLocalTable(dynamodb, ADVISORY_TABLE, 'sync-handler-adv'), createLocalTable(dynamodb, FINDINGS_TABLE, 'sync-handler-find')]);
  const bucket = `customs-sync-handler-${randomUUID()}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const queue = async (name: string) => (await sqs.send(new CreateQueueCommand({ QueueName: `customs-sync-handler-${name}-${randomUUID()}` }))).QueueUrl!;
  const [rescanQueue, continuationQueue] = await Promise.all([queue('rescan'), queue('continuation')]);
  const continuationArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: continuationQueue, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  const env = {
    AWS_REGION: REGION,
    ADVISORY_TABLE_NAME: advisoryTable,
    FINDINGS_TABLE_NAME: findingsTable,
    SBOM_BUCKET_NAME: bucket,
    RESCAN_QUEUE_URL: rescanQueue,
    CONTINUATION_QUEUE_URL: continuationQueue,
    OSV_SOURCE_URL: server.url,
    ADVISORY_ECOSYSTEMS: ecosystems,
    OVERLAP_HOURS: '48',
    FULL_COMPARE_EVERY_DAYS: '7',
    RESCAN_DIGESTS_PER_MESSAGE: '10',
  };
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  const handler = lazySyncHandler(() => ({ clients: { dynamodb, s3, sqs }, runOptions: { groupSize: 5 } }));
  const results = new DynamoDbScanResultStore({ client: findingsDocumentClient(dynamodb), tableName: findingsTable });
  return { advisoryTable, findingsTable, bucket, rescanQueue, continuationQueue, continuationArn, results, cursors: new DynamoDbSyncCursors(dynamodb, advisoryTable), handler };
}

const context = (remainingMs: () => number = () => 900_000): Context => ({ functionName: 'customs-advisory-sync', awsRequestId: randomUUID(), getRemainingTimeInMillis: remainingMs }) as unknown as Context;

/** Every message on a queue now, deleted as they are read. */
/** Deletes the stack's rescan queue (its sends fail); the function returned creates it again under the same URL. */
async function removeRescanQueue(stack: Stack): Promise<() => Promise<void>> {
  const queueName = stack.rescanQueue.split('/').at(-1)!;
  await sqs.send(new DeleteQueueCommand({ QueueUrl: stack.rescanQueue }));
  return async () => {
    expect(await sqs.send(new CreateQueueCommand({ QueueName: queueName }))).toMatchObject({ QueueUrl: stack.rescanQueue });
  };
}

async function drain(queueUrl: string): Promise<Message[]> {
  const messages: Message[] = [];
  for (;;) {
    const received = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageSystemAttributeNames: ['All'] }))).Messages ?? [];
    if (received.length === 0) return messages;
    for (const message of received) {
      messages.push(message);
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle! }));
    }
  }
}
const rescans = async (stack: Stack): Promise<RescanMessage[]> => (await drain(stack.rescanQueue)).map((message) => parseRescanMessage(message.Body!));

let counter = 0;
/** A stored scan (SCANNED, or waiting for npm's advisories) of an image with these npm packages, indexed as the scanner's save indexes it. */
async function storeImage(stack: Stack, npm: Record<string, string>, waiting = false): Promise<Digest> {
  const digest = parseDigest(`sha256:${(++counter).toString(16).padStart(4, '0')}${randomUUID().replaceAll('-', '')}${'0'.repeat(28)}`);
  const packages = Object.entries(npm).map(([name, version]) => {
    const purl = `pkg:npm/${name}@${version}`;
    const path = `/app/node_modules/${name}/package.json`;
    return samplePackage({ id: `${purl}#${path}`, type: 'npm', name, version, purl, source: undefined, architecture: undefined, location: { ...samplePackage().location, path }, cataloger: 'npm-package-json' });
  });
  const sbom = sampleImageSbom(packages, { reference: `app@${digest}`, repository: 'app', manifestDigest: digest });
  const now = new Date();
  const record: ScanRecord = {
    digest,
    scannerVersion: 'test',
    status: waiting ? 'ADVISORIES_UNAVAILABLE' : 'SCANNED',
    layers: [],
    packageCount: packages.length,
    findingCount: 0,
    severityCounts: {},
    advisories: [waiting ? { ecosystem: 'npm' } : { ecosystem: 'npm', loadedAt: now }],
    ...(waiting ? { unavailableEcosystems: ['npm'], reason: 'advisories unavailable for npm (never loaded)' } : {}),
    startedAt: now,
    finishedAt: now,
  };
  await stack.results.save(record, [], packageRefs(sbom));
  return digest;
}

let server: OsvExportServer;
let lines: Record<string, unknown>[];

beforeAll(async () => {
  server = await startOsvExportServer({ ecosystems: ['npm'] });
});
afterAll(() => server.close());

beforeEach(() => {
  // Dev mode sends Powertools' logs and EMF to the console the test reads (and must not disable metrics).
  vi.stubEnv('POWERTOOLS_DEV', 'true');
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  lines = [];
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    vi.spyOn(console, method).mockImplementation((text: unknown) => void lines.push(parsedLine(String(text))));
  }
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

/** Powertools' lines are JSON; its own warnings (no metrics to publish) are plain text. */
function parsedLine(text: string): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { text };
  }
}
const emf = (): Record<string, unknown>[] => lines.filter((line) => '_aws' in line);
const exportedNpm = () => server.ids('npm').map((id) => osvRecordSchema.parse(server.record('npm', id))).filter((record) => namesEcosystem(record, 'npm'));

describe('the advisory sync Lambda', () => {
  it('a scheduled run loads the derived ecosystems, queues each affected or waiting image once, and an overlapping run does nothing', async () => {
    const stack = await deploy('derived');
    const affected = await storeImage(stack, { minimist: '1.2.5' });
    const unaffected = await storeImage(stack, { 'customs-no-such-package': '1.0.0' });
    const waiting = await storeImage(stack, { 'customs-no-such-package': '2.0.0' }, true);
    // What ADVISORIES_UNAVAILABLE scans asked for: the only source of ecosystems in a fresh derived
    // deployment; one the export does not have is left out rather than failing every run.
    await new DynamoDbAdvisoryLoadRequests(dynamodb, stack.advisoryTable).request(['npm', 'Nonexistent:1'], new Date());

    // Two scheduled invocations side by side: the lease lets one of them work.
    const outcomes = (await Promise.all([stack.handler(SCHEDULED, context()), stack.handler(SCHEDULED, context())])) as SyncRunOutcome[];
    expect(outcomes.map((outcome) => outcome.outcome).sort()).toEqual(['complete', 'lease-held']);
    const first = outcomes.find((outcome) => outcome.outcome === 'complete')!;
    if (first.outcome !== 'complete') throw new Error('unreachable');
    expect(first.ecosystems).toEqual(['npm']);
    expect(first.reports).toMatchObject([{ ecosystem: 'npm', mode: 'full', complete: true }]);
    expect(first.reports[0]!.written).toBe(exportedNpm().length);

    // Stored: minimist's advisory answers a lookup; the cursor is done.
    const [matches] = await new DynamoDbAdvisoryLookup(dynamodb, stack.advisoryTable).lookup([{ ecosystem: 'npm', name: 'minimist' }]);
    expect(matches!.map((match) => match.record.id)).toContain(MINIMIST_ADVISORY);
    const cursor = (await stack.cursors.get('npm'))!;
    expect(cursor.progress).toBeUndefined();
    expect(cursor.syncedAt).toBeDefined();

    // Exactly one rescan each for the image holding a changed package and the one waiting for npm.
    const messages = await rescans(stack);
    const queued = messages.flatMap((message) => message.digests);
    expect(queued.sort()).toEqual([affected, waiting].sort());
    expect(messages.every((message) => message.syncId === first.syncId)).toBe(true);
    expect(queued).not.toContain(unaffected);
    expect(first.rescans).toMatchObject({ queued: 2, waiting: 1 });
    expect(await drain(stack.continuationQueue)).toEqual([]);

    // The change set the rescan reads is there under the sync's id.
    const changes = await new S3AdvisoryChangeSets({ client: s3, bucket: stack.bucket }).get(first.syncId);
    expect(changes.records).toHaveLength(exportedNpm().length);

    // Logs: per ecosystem counts under the sync id; the lease-held run said so.
    expect(lines.find((line) => line.message === 'ecosystem synced')).toMatchObject({ syncId: first.syncId, ecosystem: 'npm', mode: 'full', written: exportedNpm().length, unchanged: 0, withdrawn: expect.any(Number), retracted: 0, malformed: 0 });
    expect(lines.some((line) => line.message === 'another run holds the sync lease; nothing done' && line.level === 'INFO')).toBe(true);
    expect(lines.filter((line) => line.level === 'ERROR')).toEqual([]);
    expect(lines.filter((line) => line.message === 'a load request names an ecosystem the export does not have; not synced').map((line) => line.ecosystem)).toEqual(['Nonexistent', 'Nonexistent']);

    // Metrics: each run's cursor age, per ecosystem and the oldest, in the Customs namespace.
    const ages = emf().filter((line) => 'OldestAdvisoryCursorAgeSeconds' in line);
    expect(ages).toHaveLength(2);
    for (const line of ages) {
      expect(line).toMatchObject({ service: 'customs-advisory-sync' });
      expect(line).not.toHaveProperty('Ecosystem');
      expect((line._aws as { CloudWatchMetrics: { Namespace: string }[] }).CloudWatchMetrics[0]!.Namespace).toBe('Customs');
    }
    // The lease-held run may have ended before the working run wrote npm's first cursor: no age yet.
    expect(emf().filter((line) => line.Ecosystem === 'npm' && typeof line.AdvisoryCursorAgeSeconds === 'number').length).toBeGreaterThanOrEqual(1);
    expect(emf().find((line) => 'AdvisoryRecordsWritten' in line)).toMatchObject({ AdvisoryRecordsWritten: exportedNpm().length });

    // Another run holding the lease (overlapping this invocation): nothing is read, written or sent.
    const lease = new DynamoDbSyncLease(dynamodb, stack.advisoryTable);
    expect(await lease.acquire('another-run', new Date(), 60_000)).toBe(true);
    server.modify('npm', MINIMIST_ADVISORY, (record) => ({ ...record, summary: 'changed while another run held the lease' }));
    expect(await stack.handler(SCHEDULED, context())).toEqual({ outcome: 'lease-held', ecosystems: ['npm'] });
    expect((await stack.cursors.get('npm'))!.revision).toBe(cursor.revision);
    expect(await rescans(stack)).toEqual([]);
    await lease.release('another-run');

    // The next run picks the change up incrementally: only the image holding minimist is queued
    // (the waiting one too, until its rescan stores a result that no longer waits).
    const next = (await stack.handler(SCHEDULED, context())) as SyncRunOutcome;
    expect(next).toMatchObject({ outcome: 'complete', reports: [{ ecosystem: 'npm', mode: 'incremental', written: 1, complete: true }] });
    if (next.outcome !== 'complete') throw new Error('unreachable');
    expect(next.syncId).not.toBe(first.syncId);
    const again = await rescans(stack);
    expect(again.flatMap((message) => message.digests).sort()).toEqual([affected, waiting].sort());
    expect(again.every((message) => message.syncId === next.syncId)).toBe(true);
  }, 120_000);

  it('a run out of time sends a continuation, and the continuation (SQS) finishes under the same syncId', async () => {
    const stack = await deploy('npm');
    const affected = await storeImage(stack, { minimist: '1.2.5' });
    const started = Date.now();
    // About a second and a half: enough to start, not enough for the whole export in groups of 5.
    const first = (await stack.handler(SCHEDULED, context(() => 1_500 - (Date.now() - started)))) as SyncRunOutcome;
    expect(first.outcome).toBe('continued');
    if (first.outcome !== 'continued') throw new Error('unreachable');
    expect(first.reports).toMatchObject([{ ecosystem: 'npm', mode: 'full', complete: false }]);
    const partial = (await stack.cursors.get('npm'))!;
    expect(partial.progress).toMatchObject({ phase: 'full', syncId: first.syncId });
    expect(partial.syncedAt).toBeUndefined();
    // Nothing fanned out before the sync is complete.
    expect(await rescans(stack)).toEqual([]);
    expect(emf().some((line) => line.SyncContinuations === 1)).toBe(true);

    const continuations = await drain(stack.continuationQueue);
    expect(continuations.map((message) => JSON.parse(message.Body!) as unknown)).toEqual([{ syncId: first.syncId }]);
    const event: SQSEvent = { Records: continuations.map((message) => lambdaSqsRecord(message, { arn: stack.continuationArn, region: REGION })) };
    expect(await stack.handler(event, context())).toEqual({ batchItemFailures: [] });

    const done = (await stack.cursors.get('npm'))!;
    expect(done.progress).toBeUndefined();
    expect(done.syncedAt).toBeDefined();
    expect(done.fullLoadAt).toBeDefined();
    // The continuation's change set holds the whole load (the first invocation's groups included).
    const changes = await new S3AdvisoryChangeSets({ client: s3, bucket: stack.bucket }).get(first.syncId);
    expect(changes.records.map((record) => record.id).sort()).toEqual(exportedNpm().map((record) => record.id).sort());
    expect(await new DynamoDbAdvisoryWriter(dynamodb, stack.advisoryTable).ids('npm')).toHaveLength(exportedNpm().length);
    const messages = await rescans(stack);
    expect(messages).toEqual([{ syncId: first.syncId, digests: [affected] }]);
    expect(await drain(stack.continuationQueue)).toEqual([]);
    expect(lines.filter((line) => line.message === 'sync complete; rescans queued').map((line) => line.syncId)).toEqual([first.syncId]);
  }, 120_000);

  it('reports a continuation it cannot read as failed, and refuses an event that is neither', async () => {
    const stack = await deploy('npm');
    const record = lambdaSqsRecord({ MessageId: 'not-a-continuation', ReceiptHandle: 'r', Body: '{"sync":"x"}', MD5OfBody: '', Attributes: { ApproximateReceiveCount: '1' } }, { arn: stack.continuationArn, region: REGION });
    const response = (await stack.handler({ Records: [record] }, context())) as SQSBatchResponse;
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'not-a-continuation' }] });
    expect(lines.find((line) => line.message === 'continuation refused')).toMatchObject({ level: 'ERROR', messageId: 'not-a-continuation', reason: expect.stringContaining('syncId') });
    await expect(stack.handler({ source: 'aws.events', 'detail-type': 'Scheduled Event' }, context())).rejects.toThrow(/neither the scheduled input/);
    // Nothing was synced by either.
    expect(await stack.cursors.list()).toEqual([]);
  });

  it('a scheduled run that fails throws (Lambda retries it); a continuation that fails is reported for SQS to deliver again', async () => {
    const stack = await deploy('npm');
    server.failRequest(1, { path: 'npm/modified_id.csv', status: 500 });
    await expect(stack.handler(SCHEDULED, context())).rejects.toThrow();
    expect(lines.find((line) => line.message === 'scheduled advisory sync failed; Lambda retries it')).toMatchObject({ level: 'ERROR' });
    // Its lease was given back: the retry is not locked out.
    expect(await new DynamoDbSyncLease(dynamodb, stack.advisoryTable).acquire('probe', new Date(), 1)).toBe(true);
    await new DynamoDbSyncLease(dynamodb, stack.advisoryTable).release('probe');

    server.failRequest(1, { path: 'npm/modified_id.csv', status: 500 });
    const failing = lambdaSqsRecord({ MessageId: 'continuation-1', ReceiptHandle: 'r', Body: JSON.stringify({ syncId: 'sync-that-fails' }), MD5OfBody: '', Attributes: { ApproximateReceiveCount: '1' } }, { arn: stack.continuationArn, region: REGION });
    expect(await stack.handler({ Records: [failing] }, context())).toEqual({ batchItemFailures: [{ itemIdentifier: 'continuation-1' }] });
    expect(lines.find((line) => line.message === 'continuation failed; SQS delivers it again')).toMatchObject({ level: 'ERROR', syncId: 'sync-that-fails', messageId: 'continuation-1' });
    // Delivered again, it goes through.
    expect(await stack.handler({ Records: [failing] }, context())).toEqual({ batchItemFailures: [] });
    expect((await stack.cursors.get('npm'))!.syncedAt).toBeDefined();
  }, 120_000);

  it('a fan-out that fails leaves its sync pending and the invocation failing; the retry fans it out first, queuing each rescan once', async () => {
    const stack = await deploy('npm');
    const affected = await storeImage(stack, { minimist: '1.2.5' });
    const pending = new DynamoDbPendingFanOuts(dynamodb, stack.advisoryTable);
    // The rescan queue is gone for a while: the marks are claimed, the send fails.
    const restoreRescanQueue = await removeRescanQueue(stack);
    await expect(stack.handler(SCHEDULED, context())).rejects.toThrow();
    expect(lines.find((line) => line.message === 'scheduled advisory sync failed; Lambda retries it')).toMatchObject({ level: 'ERROR' });
    const [failed, ...others] = await pending.list();
    expect(others).toEqual([]);
    // The sync itself is done: the retry syncs nothing new, yet it must still queue the rescan.
    expect((await stack.cursors.get('npm'))!).toMatchObject({ syncedAt: expect.any(Date) });
    expect((await stack.cursors.get('npm'))!.progress).toBeUndefined();
    await restoreRescanQueue();

    // Lambda's retry (a scheduled invocation, at once: no waiting for the marks' claim lease).
    const retry = (await stack.handler(SCHEDULED, context())) as SyncRunOutcome;
    expect(retry).toMatchObject({ outcome: 'complete', pendingFinished: [{ syncId: failed, rescans: { queued: 1, alreadyQueued: 0 } }] });
    if (retry.outcome !== 'complete') throw new Error('unreachable');
    expect(retry.syncId).not.toBe(failed);
    expect(retry.rescans).toBeUndefined();
    expect(await rescans(stack)).toEqual([{ syncId: failed, digests: [affected] }]);
    expect(await pending.list()).toEqual([]);
    expect(await drain(stack.continuationQueue)).toEqual([]);
    expect(lines.find((line) => line.message === 'pending rescan fan-out of an earlier sync finished')).toMatchObject({ level: 'INFO', syncId: failed, changedRecords: exportedNpm().length });

    // Run again: nothing pending, nothing queued twice.
    expect(await stack.handler(SCHEDULED, context())).toMatchObject({ outcome: 'complete', pendingFinished: [] });
    expect(await rescans(stack)).toEqual([]);
  }, 120_000);

  it('a continuation whose fan-out fails is reported failed and stays pending; delivered again, it fans the sync out once', async () => {
    const stack = await deploy('npm');
    const affected = await storeImage(stack, { minimist: '1.2.5' });
    const pending = new DynamoDbPendingFanOuts(dynamodb, stack.advisoryTable);
    const restoreRescanQueue = await removeRescanQueue(stack);
    const continuation = lambdaSqsRecord({ MessageId: 'continuation-2', ReceiptHandle: 'r', Body: JSON.stringify({ syncId: 'sync-continued' }), MD5OfBody: '', Attributes: { ApproximateReceiveCount: '1' } }, { arn: stack.continuationArn, region: REGION });
    // The run that sent the continuation opened the sync's pending mark before writing anything.
    await pending.open('sync-continued', new Date());
    expect(await stack.handler({ Records: [continuation] }, context())).toEqual({ batchItemFailures: [{ itemIdentifier: 'continuation-2' }] });
    expect(await pending.list()).toEqual(['sync-continued']);
    await restoreRescanQueue();
    expect(await stack.handler({ Records: [continuation] }, context())).toEqual({ batchItemFailures: [] });
    expect(await rescans(stack)).toEqual([{ syncId: 'sync-continued', digests: [affected] }]);
    expect(await pending.list()).toEqual([]);
  }, 120_000);
});
