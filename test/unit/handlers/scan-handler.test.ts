import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { ChangeMessageVisibilityCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Digest } from '../../../lambdas/core/digest.ts';
import type { RegistryImage, ScanRequest } from '../../../lambdas/core/pipeline/model.ts';
import type { ScanImageResult } from '../../../lambdas/core/use-cases/scan-image.ts';
import { SqsRetrySchedule } from '../../../lambdas/handlers/scan-image/retry-schedule.ts';
import { createScanHandler } from '../../../lambdas/handlers/scan-image/scan-handler.ts';
import { ACCOUNT, REGION, imageActionEvent, replicationEvent, sqsRecord } from '../../support/ecr-events.ts';

/**
 * The scanner handler's parse → use case (handleImageEvent) → map layer on real-shaped SQS records (ECR
 * events as documented, see test/support/ecr-events.ts), with the use case and stores faked: one
 * bad record never fails another, and only the transient failure is reported for retry.
 */
const digest = (n: number): Digest => `sha256:${n.toString(16).padStart(2, '0').repeat(32)}` as Digest;
const sqs = mockClient(SQSClient);
const context = { functionName: 'customs-scanner', awsRequestId: 'req-1', invokedFunctionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:customs-scanner' } as Context;

function scanned(request: ScanRequest): ScanImageResult {
  return { request, kind: 'image', manifests: [{ digest: request.digest, outcome: 'scanned', status: 'SCANNED', changes: { added: [], removed: [] }, severityCounts: { HIGH: 2, LOW: 5 }, packageCount: 3, layerBytesRead: 1_024, layersCached: 1 }] };
}

describe('scan handler', () => {
  let lines: Record<string, unknown>[];

  beforeEach(() => {
    vi.stubEnv('POWERTOOLS_DEV', 'true');
    lines = [];
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      vi.spyOn(console, method).mockImplementation((text: unknown) => void lines.push(JSON.parse(String(text)) as Record<string, unknown>));
    }
    sqs.reset();
    sqs.on(GetQueueUrlCommand).resolves({ QueueUrl: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/customs-scan-queue` });
    sqs.on(ChangeMessageVisibilityCommand).resolves({});
  });

  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  function setup(state: Map<string, RegistryImage>, failing: Set<string>, slow = new Set<string>()) {
    const scan = vi.fn(async (request: ScanRequest) => {
      if (slow.has(request.digest)) await new Promise((resolveLater) => setTimeout(resolveLater, 50));
      if (failing.has(request.digest)) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      return scanned(request);
    });
    const images = { removeTag: vi.fn(async () => {}), markDeleted: vi.fn(async () => {}), get: vi.fn(async () => undefined) };
    const handler = createScanHandler({
      scan,
      registry: { describe: async (_ref, wanted) => state.get(wanted) ?? { exists: false } },
      images,
      clock: { now: () => new Date() },
      retries: new SqsRetrySchedule(new SQSClient({ region: REGION })),
      logger: new Logger({ serviceName: 'customs-scanner' }),
      metrics: new Metrics({ namespace: 'Customs', serviceName: 'customs-scanner' }),
    });
    return { handler, scan, images };
  }

  it('reports only the transient failure, with its retry delayed by its receive count; bad records are acknowledged', async () => {
    const state = new Map<string, RegistryImage>([
      [digest(1), { exists: true, tags: ['v1'], pushedAt: new Date('2026-11-16T01:54:30Z') }],
      [digest(2), { exists: true, tags: [] }],
      [digest(3), { exists: true, tags: ['v3'] }],
      [digest(5), { exists: true, tags: ['latest'] }],
      [digest(6), { exists: true, tags: ['3.17'] }],
    ]);
    const { handler, scan, images } = setup(state, new Set([digest(3)]));
    const records = [
      sqsRecord(imageActionEvent({ repository: 'team/app', digest: digest(1), tag: 'v1' }), { messageId: 'good-push' }),
      sqsRecord('{"detail-type": "ECR Image Action", "detail": ', { messageId: 'not-json' }),
      sqsRecord(imageActionEvent({ repository: 'team/app', digest: digest(1), action: 'UPDATE_STORAGE_CLASS' }), { messageId: 'storage-class' }),
      sqsRecord(imageActionEvent({ repository: 'team/app', digest: digest(2), tag: 'v2', result: 'FAILURE' }), { messageId: 'failed-push' }),
      sqsRecord(imageActionEvent({ repository: 'team/app', digest: digest(3), tag: 'v3' }), { messageId: 'throttled', receiveCount: 3 }),
      // The tag moved to another digest after this push: the scan records no tag.
      sqsRecord(imageActionEvent({ repository: 'team/app', digest: digest(2), tag: 'v2' }), { messageId: 'moved-tag' }),
      // A DELETE of a tag ECR no longer shows on a digest it still has: the tag goes, the image stays.
      sqsRecord(imageActionEvent({ repository: 'team/app', digest: digest(5), tag: 'old', action: 'DELETE' }), { messageId: 'delete-tag' }),
      sqsRecord(imageActionEvent({ repository: 'team/app', digest: digest(9), tag: 'gone', action: 'DELETE' }), { messageId: 'delete-digest' }),
      sqsRecord(replicationEvent({ repository: 'docker-hub/alpine', digest: digest(6), tag: '3.17' }), { messageId: 'replicated' }),
    ];
    const response = await handler({ Records: records } as SQSEvent, context);

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'throttled' }] });
    expect(sqs.commandCalls(GetQueueUrlCommand).map((call) => call.args[0].input)).toEqual([{ QueueName: 'customs-scan-queue', QueueOwnerAWSAccountId: ACCOUNT }]);
    expect(sqs.commandCalls(ChangeMessageVisibilityCommand).map((call) => call.args[0].input)).toEqual([
      { QueueUrl: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/customs-scan-queue`, ReceiptHandle: 'handle-throttled', VisibilityTimeout: 120 },
    ]);

    const requests = scan.mock.calls.map(([request]) => request);
    expect(requests).toEqual(
      expect.arrayContaining([
        { account: ACCOUNT, region: REGION, repository: 'team/app', digest: digest(1), tag: 'v1', pushedAt: new Date('2026-11-16T01:54:30Z'), kind: 'push' },
        { account: ACCOUNT, region: REGION, repository: 'team/app', digest: digest(2), pushedAt: new Date('2026-11-16T01:54:34Z'), kind: 'push' },
        expect.objectContaining({ digest: digest(6), repository: 'docker-hub/alpine', tag: '3.17', kind: 'replication' }),
      ]),
    );
    expect(requests).toHaveLength(4);
    const key = { account: ACCOUNT, region: REGION, repository: 'team/app' };
    expect(images.removeTag).toHaveBeenCalledWith({ ...key, digest: digest(5) }, 'old', new Date('2026-11-16T01:54:34Z'));
    expect(images.markDeleted).toHaveBeenCalledWith({ ...key, digest: digest(9) }, new Date('2026-11-16T01:54:34Z'));

    const logs = lines.filter((line) => typeof line.message === 'string');
    expect(logs.length).toBeGreaterThanOrEqual(records.length);
    for (const line of logs) {
      expect(line).toHaveProperty('repository');
      expect(line).toHaveProperty('digest');
      expect(line).toMatchObject({ function_request_id: 'req-1', service: 'customs-scanner' });
    }
    expect(logs.find((line) => line.messageId === 'throttled')).toMatchObject({ level: 'ERROR', digest: digest(3), receiveCount: 3, delaySeconds: 120 });
    expect(logs.find((line) => line.messageId === 'not-json')).toMatchObject({ level: 'WARN', reason: 'malformed', repository: 'unknown' });
    expect(logs.find((line) => line.messageId === 'failed-push')).toMatchObject({ reason: 'failed-action', repository: 'team/app', digest: digest(2) });
    expect(JSON.stringify(lines)).not.toContain('Rate exceeded\\n');
  });

  it('emits EMF metrics whose dimensions never name a repository or digest', async () => {
    // Dev mode sends Powertools' output to the console the test reads, and would disable metrics.
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    const state = new Map<string, RegistryImage>([[digest(1), { exists: true, tags: ['v1'] }]]);
    const { handler } = setup(state, new Set());
    await handler({ Records: [sqsRecord(imageActionEvent({ repository: 'team/app', digest: digest(1), tag: 'v1' })), sqsRecord('nope')] } as SQSEvent, context);
    const emf = lines.filter((line) => '_aws' in line);
    expect(emf.length).toBeGreaterThan(0);
    const dimensions = emf.flatMap((line) => (line._aws as { CloudWatchMetrics: { Dimensions: string[][] }[] }).CloudWatchMetrics.flatMap((metric) => metric.Dimensions.flat()));
    expect(new Set(dimensions)).toEqual(new Set(['service', 'Status', 'Severity', 'Reason']));
    const names = emf.flatMap((line) => (line._aws as { CloudWatchMetrics: { Metrics: { Name: string }[] }[] }).CloudWatchMetrics.flatMap((metric) => metric.Metrics.map((m) => m.Name)));
    expect(names).toEqual(expect.arrayContaining(['ScanDuration', 'ManifestsScanned', 'Findings', 'RecordsRejected', 'Packages', 'LayerBytesRead']));
    expect(emf.find((line) => line.Severity === 'HIGH')).toMatchObject({ Findings: 2 });
    // LOW is counted in the total only: no series of its own.
    expect(emf.filter((line) => line.Severity === 'LOW')).toEqual([]);
    expect(emf.find((line) => 'Findings' in line && !('Severity' in line))).toMatchObject({ Findings: 7 });
    expect(emf.find((line) => 'Packages' in line)).toMatchObject({ Packages: 3, LayerBytesRead: 1_024 });
  });

  it('keeps overlapping invocations of one handler apart, each reporting only its own failures', async () => {
    const state = new Map<string, RegistryImage>([
      [digest(5), { exists: true, tags: [] }],
      [digest(6), { exists: true, tags: [] }],
    ]);
    // The good batch's scan is slow, so the bad batch runs and ends inside it.
    const { handler } = setup(state, new Set([digest(6)]), new Set([digest(5)]));
    const [good, bad] = await Promise.all([
      handler({ Records: [sqsRecord(imageActionEvent({ repository: 'app', digest: digest(5) }), { messageId: 'good' })] } as SQSEvent, context),
      handler({ Records: [sqsRecord(imageActionEvent({ repository: 'app', digest: digest(6) }), { messageId: 'bad' })] } as SQSEvent, context),
    ]);
    expect(good).toEqual({ batchItemFailures: [] });
    expect(bad).toEqual({ batchItemFailures: [{ itemIdentifier: 'bad' }] });
  });

  it('returns every record of a batch that failed whole, instead of failing the invocation', async () => {
    const state = new Map<string, RegistryImage>([[digest(3), { exists: true, tags: [] }]]);
    const { handler } = setup(state, new Set([digest(3)]));
    const response = await handler({ Records: [sqsRecord(imageActionEvent({ repository: 'app', digest: digest(3) }), { messageId: 'only' })] } as SQSEvent, context);
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'only' }] });
    expect(sqs.commandCalls(ChangeMessageVisibilityCommand)[0]!.args[0].input).toMatchObject({ VisibilityTimeout: 30 });
  });
});
