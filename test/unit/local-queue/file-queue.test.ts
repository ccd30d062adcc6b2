import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { consume, FileQueue, type QueueMessage } from '../../../lambdas/local/queue/file-queue.ts';

const bodySchema = z.object({ n: z.number().int() });
type Body = z.infer<typeof bodySchema>;

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function queueDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'file-queue-'));
  dirs.push(dir);
  return dir;
}

function manualClock(start = Date.parse('2026-01-01T00:00:00Z')): { now(): Date; advance(ms: number): void } {
  let time = start;
  return { now: () => new Date(time), advance: (ms) => (time += ms) };
}

function open(dir: string, clock = manualClock(), maxReceives?: number): FileQueue<Body> {
  return new FileQueue({ dir, schema: bodySchema, clock, ...(maxReceives === undefined ? {} : { maxReceives }) });
}

const bodies = (messages: readonly QueueMessage<Body>[]): number[] => messages.map((message) => message.body.n);

describe('FileQueue', () => {
  it('hands out the oldest visible messages first and forgets acknowledged ones', async () => {
    const queue = open(await queueDir());
    await queue.send([{ n: 1 }, { n: 2 }]);
    await queue.send([{ n: 3 }]);
    const first = await queue.receive(2, 30_000);
    expect(bodies(first)).toEqual([1, 2]);
    expect(first.map((message) => message.receiveCount)).toEqual([1, 1]);
    expect(await queue.depth()).toEqual({ ready: 1, inFlight: 2, delayed: 0, dead: 0 });
    await Promise.all(first.map((message) => queue.ack(message)));
    expect(bodies(await queue.receive(10, 30_000))).toEqual([3]);
    expect(await queue.receive(10, 30_000)).toEqual([]);
  });

  it('keeps a delayed message hidden until its delay is over', async () => {
    const clock = manualClock();
    const queue = open(await queueDir(), clock);
    await queue.send([{ n: 1 }], { delayMs: 5_000 });
    expect(await queue.receive(1, 1_000)).toEqual([]);
    expect(await queue.depth()).toMatchObject({ ready: 0, delayed: 1 });
    clock.advance(5_000);
    expect(bodies(await queue.receive(1, 1_000))).toEqual([1]);
  });

  it('survives a crash: a new queue on the directory sees what was sent, and an unacknowledged message comes back once its visibility ends, its receives counted', async () => {
    const dir = await queueDir();
    const clock = manualClock();
    const crashed = open(dir, clock);
    await crashed.send([{ n: 1 }, { n: 2 }]);
    const [taken] = await crashed.receive(1, 10_000); // the process dies holding it

    const restarted = open(dir, clock);
    const others = await restarted.receive(10, 10_000);
    expect(bodies(others)).toEqual([2]);
    await restarted.ack(others[0]!);
    clock.advance(10_000);
    const again = await restarted.receive(10, 10_000);
    expect(bodies(again)).toEqual([1]);
    expect(again[0]!.receiveCount).toBe(2);

    // The dead holder's late ack must not remove the new receive.
    await crashed.ack(taken!);
    expect(await restarted.depth()).toMatchObject({ inFlight: 1 });
    await restarted.ack(again[0]!);
    expect(await restarted.depth()).toEqual({ ready: 0, inFlight: 0, delayed: 0, dead: 0 });
  });

  it('retries after the delay and dead-letters a message once it has failed maxReceives times', async () => {
    const clock = manualClock();
    const queue = open(await queueDir(), clock, 3);
    await queue.send([{ n: 7 }]);
    for (let attempt = 1; attempt <= 3; attempt++) {
      const [message] = await queue.receive(1, 60_000);
      expect(message?.receiveCount).toBe(attempt);
      await queue.retry(message!, 1_000);
      if (attempt < 3) {
        expect(await queue.receive(1, 60_000)).toEqual([]);
        clock.advance(1_000);
      }
    }
    clock.advance(1_000);
    expect(await queue.receive(1, 60_000)).toEqual([]);
    expect(await queue.depth()).toEqual({ ready: 0, inFlight: 0, delayed: 0, dead: 1 });
    expect(await queue.deadLetters()).toEqual([expect.objectContaining({ reason: 'failed on each of 3 receives', receiveCount: 3 })]);
  });

  it('dead-letters a message whose handler keeps crashing (visibility ends maxReceives times)', async () => {
    const clock = manualClock();
    const queue = open(await queueDir(), clock, 2);
    await queue.send([{ n: 1 }]);
    expect(bodies(await queue.receive(1, 100))).toEqual([1]);
    clock.advance(100);
    expect(bodies(await queue.receive(1, 100))).toEqual([1]);
    clock.advance(100);
    expect(await queue.receive(1, 100)).toEqual([]);
    const [letter] = await queue.deadLetters();
    expect(letter?.reason).toMatch(/received 2 times without an ack/);
  });

  it('skips a body whose dedup id is already waiting, and queues it again once the first was received', async () => {
    const queue = open(await queueDir());
    const dedupId = (body: Body): string => `key-${body.n % 10}`;
    await queue.send([{ n: 1 }, { n: 11 }, { n: 2 }], { dedupId });
    await queue.send([{ n: 21 }], { dedupId, delayMs: 0 });
    await Promise.all([queue.send([{ n: 3 }], { dedupId }), queue.send([{ n: 13 }], { dedupId })]);
    const received = await queue.receive(10, 1_000);
    expect(bodies(received).sort()).toEqual([1, 2, 3].sort());
    await queue.send([{ n: 31 }], { dedupId });
    expect(bodies(await queue.receive(10, 1_000))).toEqual([31]);
  });

  it('refuses to send a body its schema rejects', async () => {
    const queue = open(await queueDir());
    await expect(queue.send([{ n: 1.5 }])).rejects.toThrow(/does not match its schema/);
    expect(await queue.depth()).toMatchObject({ ready: 0 });
  });

  it('dead-letters malformed files with the reason and still hands out the good messages', async () => {
    const dir = await queueDir();
    const queue = open(dir);
    await queue.send([{ n: 1 }]);
    const ready = join(dir, 'ready');
    await writeFile(join(ready, '0000000000001-00000001-00000001.0.0._.json'), '{not json');
    await writeFile(join(ready, '0000000000002-00000001-00000001.0.0._.json'), JSON.stringify({ version: 1, id: '0000000000002-00000001-00000001', sentAt: 'x', body: { n: 'two' } }));
    await writeFile(join(ready, 'notes.txt'), 'left here by hand');
    expect(bodies(await queue.receive(10, 1_000))).toEqual([1]);
    const letters = await queue.deadLetters();
    expect(letters).toHaveLength(3);
    expect(letters.map((letter) => letter.reason)).toEqual(
      expect.arrayContaining([expect.stringMatching(/not JSON/), expect.stringMatching(/does not match the schema.*at n/), expect.stringMatching(/"notes.txt" is not a queue message's/)]),
    );
    expect(await readdir(ready)).toEqual([]);
  });

  it('never hands out one message twice to two queues on the same directory', async () => {
    const dir = await queueDir();
    const [a, b] = [open(dir), open(dir)];
    await a.send(Array.from({ length: 200 }, (_, n) => ({ n })));
    const batches = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).receive(7, 60_000)));
    const seen = batches.flat().map((message) => message.body.n);
    expect(seen).toHaveLength(200);
    expect(new Set(seen).size).toBe(200);
  });
});

describe('consume', () => {
  it('runs each message once across two consumers on the same directory, then stops when aborted after its handlers finish', async () => {
    const dir = await queueDir();
    const [a, b] = [new FileQueue({ dir, schema: bodySchema }), new FileQueue({ dir, schema: bodySchema })];
    await a.send(Array.from({ length: 60 }, (_, n) => ({ n })));
    const handled: number[] = [];
    let running = 0;
    let peak = 0;
    const handle = async (body: Body): Promise<void> => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolveWait) => setTimeout(resolveWait, 2));
      handled.push(body.n);
      running--;
    };
    const controller = new AbortController();
    const options = { concurrency: 3, visibilityMs: 60_000, pollMs: 5, retryDelayMs: () => 0, signal: controller.signal };
    const consumers = [consume(a, handle, options), consume(b, handle, options)];
    await expect.poll(() => handled.length, { timeout: 10_000 }).toBe(60);
    controller.abort();
    await Promise.all(consumers);
    expect(new Set(handled).size).toBe(60);
    expect(peak).toBeLessThanOrEqual(6);
    expect(await a.depth()).toEqual({ ready: 0, inFlight: 0, delayed: 0, dead: 0 });
  });

  it('retries a failing handler with the delay for its receive count, reports each failure, and dead-letters it', async () => {
    const queue = new FileQueue({ dir: await queueDir(), schema: bodySchema, maxReceives: 3 });
    await queue.send([{ n: 1 }]);
    const errors: number[] = [];
    const delays: number[] = [];
    const controller = new AbortController();
    const done = consume(
      queue,
      () => Promise.reject(new Error('boom')),
      {
        concurrency: 1,
        visibilityMs: 60_000,
        pollMs: 5,
        retryDelayMs: (count) => (delays.push(count), 0),
        signal: controller.signal,
        onError: (_error, message) => errors.push(message.receiveCount),
      },
    );
    await expect.poll(async () => (await queue.depth()).dead, { timeout: 10_000 }).toBe(1);
    controller.abort();
    await done;
    expect(errors).toEqual([1, 2, 3]);
    expect(delays).toEqual([1, 2, 3]);
  });

  it('waits for a handler in flight when aborted', async () => {
    const queue = new FileQueue({ dir: await queueDir(), schema: bodySchema });
    await queue.send([{ n: 1 }]);
    const controller = new AbortController();
    let finished = false;
    let release!: () => void;
    const started = new Promise<void>((resolveStarted) => {
      void consume(queue, () => new Promise<void>((resolveHandler) => ((release = resolveHandler), resolveStarted())), options(controller.signal)).then(() => (finished = true));
    });
    await started;
    controller.abort();
    await new Promise((resolveWait) => setTimeout(resolveWait, 30));
    expect(finished).toBe(false);
    release();
    await expect.poll(() => finished).toBe(true);
    expect(await queue.depth()).toMatchObject({ ready: 0, inFlight: 0 });
  });
});

function options(signal: AbortSignal): { concurrency: number; visibilityMs: number; pollMs: number; retryDelayMs: () => number; signal: AbortSignal } {
  return { concurrency: 1, visibilityMs: 60_000, pollMs: 5, retryDelayMs: () => 0, signal };
}
