import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { parseEcrEvent } from '../../../../lambdas/adapters/ecr/parse-ecr-event.ts';
import { backfillPushEvent, SqsScanRequestQueue } from '../../../../lambdas/adapters/sqs/sqs-scan-request-queue.ts';
import { parseDigest } from '../../../../lambdas/core/digest.ts';
import type { ScanRequest } from '../../../../lambdas/core/pipeline/model.ts';
import { planImageEvent } from '../../../../lambdas/core/use-cases/handle-image-event.ts';

const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/111122223333/customs-scan';
const request = (n: number, tag?: string): ScanRequest => ({
  account: '111122223333',
  region: 'eu-west-1',
  repository: 'team/app',
  digest: parseDigest(`sha256:${n.toString(16).padStart(64, '0')}`),
  ...(tag !== undefined ? { tag } : {}),
  pushedAt: new Date('2025-03-04T05:06:07.890Z'),
  kind: 'push',
});

describe('backfillPushEvent', () => {
  it('is a body the scanner parses as the push of the request, and plans as its scan', () => {
    const parsed = parseEcrEvent(JSON.stringify(backfillPushEvent('run-1', request(1, 'v1'))));
    expect(parsed).toEqual({
      ok: true,
      event: { kind: 'push', eventId: `customs.backfill:run-1:team/app@${request(1).digest}`, account: '111122223333', region: 'eu-west-1', repository: 'team/app', digest: request(1).digest, tag: 'v1', time: '2025-03-04T05:06:07.890Z' },
    });
    if (!parsed.ok) return;
    const plan = planImageEvent(parsed.event, { exists: true, tags: ['v1'], pushedAt: new Date('2025-03-04T05:06:07Z') }, new Date());
    expect(plan).toEqual({ action: 'scan', request: { ...request(1, 'v1'), pushedAt: new Date('2025-03-04T05:06:07Z') } });
  });

  it('an untagged request has no image-tag, as ECR sends an untagged push', () => {
    const body = backfillPushEvent('run-1', request(2));
    expect(body.detail).toEqual({ result: 'SUCCESS', 'repository-name': 'team/app', 'image-digest': request(2).digest, 'action-type': 'PUSH' });
    expect(body.source).toBe('customs.backfill');
  });

  it('the scanner takes nothing but a PUSH image action from the customs.backfill source', () => {
    const push = backfillPushEvent('run-1', request(3, 'v1')) as { detail: Record<string, unknown> };
    const asDelete = parseEcrEvent(JSON.stringify({ ...push, detail: { ...push.detail, 'action-type': 'DELETE' } }));
    expect(asDelete).toMatchObject({ ok: false, rejection: { reason: 'malformed', message: 'a customs.backfill event must be a PUSH, not DELETE' } });
    const asReplication = parseEcrEvent(JSON.stringify({ ...push, 'detail-type': 'ECR Replication Action' }));
    expect(asReplication).toMatchObject({ ok: false, rejection: { reason: 'malformed', message: 'a customs.backfill event must be an ECR Image Action, not "ECR Replication Action"' } });
  });
});

describe('SqsScanRequestQueue', () => {
  const client = new SQSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const sqs = mockClient(client);
  beforeEach(() => sqs.reset());

  it('sends ten requests a SendMessageBatch call, each body the push event', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const requests = Array.from({ length: 23 }, (_, n) => request(n + 1, `t${n}`));
    await new SqsScanRequestQueue({ sqs: client, queueUrl: QUEUE_URL }).send('run-1', requests);
    const calls = sqs.commandCalls(SendMessageBatchCommand).map((call) => call.args[0].input);
    expect(calls.map((input) => input.Entries!.length)).toEqual([10, 10, 3]);
    expect(calls.every((input) => input.QueueUrl === QUEUE_URL)).toBe(true);
    expect(calls.flatMap((input) => input.Entries!.map((entry) => JSON.parse(entry.MessageBody!) as unknown))).toEqual(requests.map((one) => backfillPushEvent('run-1', one)));
  });

  it('sends again only the entries SQS failed on its side, and throws on a sender fault', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .resolvesOnce({ Failed: [{ Id: '1', Code: 'InternalError', SenderFault: false }] })
      .resolvesOnce({ Failed: [] });
    await new SqsScanRequestQueue({ sqs: client, queueUrl: QUEUE_URL }).send('run-1', [request(1), request(2), request(3)]);
    const calls = sqs.commandCalls(SendMessageBatchCommand).map((call) => call.args[0].input.Entries!.map((entry) => entry.Id));
    expect(calls).toEqual([['0', '1', '2'], ['1']]);

    sqs.reset();
    sqs.on(SendMessageBatchCommand).resolves({ Failed: [{ Id: '0', Code: 'InvalidMessageContents', Message: 'bad', SenderFault: true }] });
    await expect(new SqsScanRequestQueue({ sqs: client, queueUrl: QUEUE_URL }).send('run-1', [request(1)])).rejects.toThrow(`SQS SendMessageBatch to ${QUEUE_URL} failed: InvalidMessageContents bad`);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(1);
  });

  it('gives up after its attempts when SQS keeps failing an entry', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Failed: [{ Id: '0', Code: 'InternalError', SenderFault: false }] });
    await expect(new SqsScanRequestQueue({ sqs: client, queueUrl: QUEUE_URL, attempts: 2 }).send('run-1', [request(1)])).rejects.toThrow('InternalError');
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(2);
  });
});
