import { describe, expect, it } from 'vitest';
import type { AdvisoryChanges } from '../../../../lambdas/core/advisories/sync-model.ts';
import type { Digest } from '../../../../lambdas/core/digest.ts';
import type { RescanMarks, RescanMessage, RescanQueue } from '../../../../lambdas/core/ports.ts';
import { queueRescans, type QueueRescansDeps } from '../../../../lambdas/core/use-cases/queue-rescans.ts';

/**
 * queueRescans' fan-out arithmetic over in-memory ports: the changed keys' digests and the digests
 * waiting for a loaded ecosystem, de-duplicated, marked once per (syncId, digest), sent in messages
 * of at most digestsPerMessage. (The DynamoDB marks and SQS queue are tested on DynamoDB Local and moto.)
 */
const digest = (n: number): Digest => `sha256:${n.toString(16).padStart(64, '0')}` as Digest;

class Marks implements RescanMarks {
  readonly marked = new Set<string>();
  async claim(syncId: string, digests: readonly Digest[]): Promise<readonly Digest[]> {
    return digests.filter((candidate) => {
      const id = `${syncId}\0${candidate}`;
      if (this.marked.has(id)) return false;
      this.marked.add(id);
      return true;
    });
  }
}

class Queue implements RescanQueue {
  readonly sent: RescanMessage[] = [];
  async send(messages: readonly RescanMessage[]): Promise<void> {
    this.sent.push(...messages);
  }
}

function setup(index: Record<string, number[]>, waiting: Record<string, number[]>, withWaiting = true) {
  const asked: string[] = [];
  const results: QueueRescansDeps['results'] = {
    digestsWithPackage: async (ecosystem, name) => (index[`${ecosystem} ${name}`] ?? []).map(digest),
    ...(withWaiting
      ? {
          digestsWaitingFor: async (ecosystem: string) => {
            asked.push(ecosystem);
            return (waiting[ecosystem] ?? []).map(digest);
          },
        }
      : {}),
  };
  const marks = new Marks();
  const queue = new Queue();
  return { deps: { results, marks, queue, options: { digestsPerMessage: 2 } } satisfies QueueRescansDeps, marks, queue, asked };
}

const changes = (keys: AdvisoryChanges['keys'], syncId = 'sync-1'): AdvisoryChanges => ({ syncId, keys, records: [], retracted: [] });

describe('queueRescans', () => {
  it('queues the changed keys’ digests once each, in messages of digestsPerMessage', async () => {
    const { deps, queue } = setup({ 'npm json5': [1, 2, 3], 'npm minimist': [3, 4] }, {});
    const result = await queueRescans(changes([{ ecosystem: 'npm', name: 'json5' }, { ecosystem: 'npm', name: 'minimist' }, { ecosystem: 'npm', name: 'json5' }]), deps);
    expect(result).toEqual({ digests: 4, waiting: 0, queued: 4, alreadyQueued: 0, messages: 2 });
    expect(queue.sent).toEqual([
      { syncId: 'sync-1', digests: [digest(1), digest(2)] },
      { syncId: 'sync-1', digests: [digest(3), digest(4)] },
    ]);
  });

  it('adds the images waiting for the ecosystems loaded, even with no changed key, each digest once', async () => {
    const { deps, queue, asked } = setup({ 'Debian:12 glibc': [1, 2] }, { 'Debian:12': [2, 5], npm: [6], 'Debian:11': [7] });
    const result = await queueRescans(changes([{ ecosystem: 'Debian:12', name: 'glibc' }]), deps, { waitingFor: ['Debian:12', 'npm', 'Debian:12'] });
    expect(asked.sort()).toEqual(['Debian:12', 'npm']);
    expect(result).toEqual({ digests: 4, waiting: 3, queued: 4, alreadyQueued: 0, messages: 2 });
    const queued = queue.sent.flatMap((message) => message.digests);
    expect(queued.sort()).toEqual([digest(1), digest(2), digest(5), digest(6)]);
    // Not asked for Debian:11: it waits still.
    expect(queued).not.toContain(digest(7));

    const waitingOnly = await queueRescans(changes([], 'sync-2'), deps, { waitingFor: ['npm'] });
    expect(waitingOnly).toEqual({ digests: 1, waiting: 1, queued: 1, alreadyQueued: 0, messages: 1 });
    expect(queue.sent.at(-1)).toEqual({ syncId: 'sync-2', digests: [digest(6)] });
  });

  it('a repeated fan-out of the same sync queues nothing more, waiting images included', async () => {
    const { deps, queue } = setup({ 'npm json5': [1] }, { npm: [2] });
    await queueRescans(changes([{ ecosystem: 'npm', name: 'json5' }]), deps, { waitingFor: ['npm'] });
    const again = await queueRescans(changes([{ ecosystem: 'npm', name: 'json5' }]), deps, { waitingFor: ['npm'] });
    expect(again).toEqual({ digests: 2, waiting: 1, queued: 0, alreadyQueued: 2, messages: 0 });
    expect(queue.sent.flatMap((message) => message.digests)).toEqual([digest(1), digest(2)]);
  });

  it('refuses waitingFor without a store that can answer it, and a bad message size', async () => {
    const { deps } = setup({}, {}, false);
    await expect(queueRescans(changes([]), deps, { waitingFor: ['npm'] })).rejects.toThrow(/digestsWaitingFor/);
    expect(await queueRescans(changes([]), deps)).toEqual({ digests: 0, waiting: 0, queued: 0, alreadyQueued: 0, messages: 0 });
    await expect(queueRescans(changes([]), { ...deps, options: { digestsPerMessage: 0 } })).rejects.toThrow(RangeError);
  });
});
