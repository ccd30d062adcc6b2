import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context, SQSEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { rescanMessageBody } from '../../../lambdas/adapters/sqs/sqs-rescan-queue.ts';
import type { Digest } from '../../../lambdas/core/digest.ts';
import type { RescanMessage } from '../../../lambdas/core/ports.ts';
import type { RescanRun } from '../../../lambdas/core/use-cases/rescan-images.ts';
import { createRescanHandler } from '../../../lambdas/handlers/rescan-images/rescan-handler.ts';
import { parseRescanRecord, RescanRecordError } from '../../../lambdas/handlers/rescan-images/rescan-record.ts';
import { sqsRecord } from '../../support/ecr-events.ts';

/**
 * The rescan handler's parse → use case → map layer on real-shaped SQS records, with rescanImages
 * faked: bodies that are not `customs.rescan/v1` are refused naming the message and the problem,
 * and any failing record is the only one reported.
 */
const digest = (n: number): Digest => `sha256:${n.toString(16).padStart(2, '0').repeat(32)}` as Digest;
const context = { functionName: 'customs-rescan', awsRequestId: 'req-1' } as Context;

function run(message: RescanMessage): RescanRun {
  return {
    syncId: message.syncId,
    digests: message.digests.map((d) => ({ digest: d, outcome: 'touched', changes: { digest: d, added: ['CVE-1|pkg:npm/a@1'], resolved: [], updated: [] } })),
    counts: { touched: message.digests.length, untouched: 0, skipped: 0, added: message.digests.length, resolved: 0, updated: 0, alerts: 1, quarantined: 0, released: 0 },
    enforcement: [],
    releases: [],
  };
}

describe('parseRescanRecord', () => {
  it('reads a customs.rescan/v1 body', () => {
    const body = rescanMessageBody({ syncId: 'sync-1', digests: [digest(1), digest(2)] });
    expect(parseRescanRecord(sqsRecord(body, { messageId: 'm-1' }))).toEqual({ messageId: 'm-1', message: { syncId: 'sync-1', digests: [digest(1), digest(2)] } });
  });

  it.each([
    ['{not json', /SQS message m-2: rescan message is not JSON/],
    [JSON.stringify({ schema: 'customs.rescan/v2', syncId: 's', digests: [digest(1)] }), /SQS message m-2: rescan message is not customs\.rescan\/v1: .* at schema/],
    [JSON.stringify({ schema: 'customs.rescan/v1', syncId: 's', digests: [] }), /at digests/],
    [JSON.stringify({ schema: 'customs.rescan/v1', syncId: 's', digests: ['sha256:nothex'] }), /at digests\.0/],
    [JSON.stringify({ schema: 'customs.rescan/v1', digests: [digest(1)] }), /at syncId/],
  ])('refuses %s naming the message and what is wrong', (body, error) => {
    expect(() => parseRescanRecord(sqsRecord(body, { messageId: 'm-2' }))).toThrow(RescanRecordError);
    expect(() => parseRescanRecord(sqsRecord(body, { messageId: 'm-2' }))).toThrow(error);
  });

  it('refuses what is not an SQS record', () => {
    expect(() => parseRescanRecord({ body: 'x' })).toThrow(/record is not an SQS record: messageId/);
  });
});

describe('rescan handler', () => {
  let lines: Record<string, unknown>[];

  beforeEach(() => {
    vi.stubEnv('POWERTOOLS_DEV', 'true');
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
    lines = [];
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      vi.spyOn(console, method).mockImplementation((text: unknown) => void lines.push(JSON.parse(String(text)) as Record<string, unknown>));
    }
  });

  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  it('reports only the bad records; the good ones are rescanned and logged with syncId and digest', async () => {
    const rescan = vi.fn(async (message: RescanMessage) => {
      if (message.syncId === 'sync-missing') throw new Error('change set s3://b/advisory-changes/sync-missing.json.gz does not exist');
      return run(message);
    });
    const metrics = new Metrics({ namespace: 'Customs', serviceName: 'customs-rescan' });
    const added = vi.spyOn(metrics, 'addMetric');
    const handler = createRescanHandler({ rescan, logger: new Logger({ serviceName: 'customs-rescan' }), metrics });
    const event = {
      Records: [
        sqsRecord(rescanMessageBody({ syncId: 'sync-1', digests: [digest(1)] }), { messageId: 'good-1' }),
        sqsRecord('not json', { messageId: 'bad-body' }),
        sqsRecord(rescanMessageBody({ syncId: 'sync-missing', digests: [digest(3)] }), { messageId: 'bad-changes' }),
        sqsRecord(rescanMessageBody({ syncId: 'sync-1', digests: [digest(2)] }), { messageId: 'good-2' }),
      ],
    } as SQSEvent;

    const response = await handler(event, context);
    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier).sort()).toEqual(['bad-body', 'bad-changes']);
    expect(rescan.mock.calls.map(([message]) => message.digests)).toEqual([[digest(1)], [digest(3)], [digest(2)]]);

    const changed = lines.filter((line) => line.message === 'findings changed');
    expect(changed.map((line) => [line.syncId, line.digest, line.messageId])).toEqual([
      ['sync-1', digest(1), 'good-1'],
      ['sync-1', digest(2), 'good-2'],
    ]);
    expect(lines.find((line) => line.message === 'record refused')).toMatchObject({ messageId: 'bad-body', error: expect.stringMatching(/SQS message bad-body: rescan message is not JSON/) });
    expect(lines.find((line) => line.message === 'rescan failed; retried through the queue')).toMatchObject({
      messageId: 'bad-changes',
      syncId: 'sync-missing',
      error: { message: expect.stringContaining('sync-missing.json.gz does not exist') },
    });
    const rescanned = added.mock.calls.filter(([name]) => name === 'ImagesRescanned').map(([, , value]) => value);
    expect(rescanned).toEqual([1, 1]);
    expect(added.mock.calls.filter(([name]) => name === 'RescanAlerts').map(([, , value]) => value)).toEqual([1, 1]);
  });
});
