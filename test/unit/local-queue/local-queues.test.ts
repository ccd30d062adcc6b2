import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Digest } from '../../../lambdas/core/digest.ts';
import type { ScanRequest } from '../../../lambdas/core/pipeline/model.ts';
import { FileQueue } from '../../../lambdas/local/queue/file-queue.ts';
import { LocalRescanQueue, LocalScanRequestQueue, localWorkSchema, type LocalWork } from '../../../lambdas/local/queue/local-queues.ts';

const digest = (c: string): Digest => `sha256:${c.repeat(64)}` as Digest;

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function workQueue(): Promise<FileQueue<LocalWork>> {
  const dir = await mkdtemp(join(tmpdir(), 'local-queues-'));
  dirs.push(dir);
  return new FileQueue({ dir, schema: localWorkSchema });
}

const request: ScanRequest = { account: '000000000000', region: 'local', repository: 'team/app', digest: digest('a'), tag: 'v1', pushedAt: new Date('2026-03-01T12:00:00.000Z'), kind: 'push' };

describe('local queues', () => {
  it('carries scan requests with pushedAt revived as a Date, and queues a request already waiting once', async () => {
    const queue = await workQueue();
    const scans = new LocalScanRequestQueue(queue);
    await scans.send('run-1', [request, { ...request, tag: 'v2' }]);
    await scans.send('run-2', [request]);
    const received = await queue.receive(10, 1_000);
    expect(received.map((message) => message.body)).toEqual([
      { kind: 'scan-request', runId: 'run-1', request },
      { kind: 'scan-request', runId: 'run-1', request: { ...request, tag: 'v2' } },
    ]);
    const first = received[0]!.body;
    expect(first.kind === 'scan-request' && first.request.pushedAt).toBeInstanceOf(Date);
  });

  it('carries rescan messages, the same one waiting queued once', async () => {
    const queue = await workQueue();
    const rescans = new LocalRescanQueue(queue);
    await rescans.send([{ syncId: 's1', digests: [digest('b'), digest('c')] }]);
    await rescans.send([{ syncId: 's1', digests: [digest('c'), digest('b')] }, { syncId: 's1', digests: [digest('b')], all: true }]);
    const received = await queue.receive(10, 1_000);
    expect(received.map((message) => message.body)).toEqual([
      { kind: 'rescan', message: { syncId: 's1', digests: [digest('b'), digest('c')] } },
      { kind: 'rescan', message: { syncId: 's1', digests: [digest('b')], all: true } },
    ]);
  });

  it('refuses work that is not one of the kinds, or names a malformed digest', () => {
    expect(localWorkSchema.safeParse({ kind: 'sync-continue' }).success).toBe(false);
    expect(localWorkSchema.safeParse({ kind: 'rescan', message: { syncId: 's', digests: ['sha256:nope'] } }).success).toBe(false);
    const event = { kind: 'push', eventId: 'e1', account: 'a', region: 'r', repository: 'team/app', digest: digest('d'), tag: 'v1', time: '2026-03-01T12:00:00Z' };
    expect(localWorkSchema.parse({ kind: 'image-event', event })).toEqual({ kind: 'image-event', event });
  });
});
