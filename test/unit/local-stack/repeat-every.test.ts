import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { repeatEvery } from '../../../lambdas/local/stack/repeat-every.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('repeatEvery', () => {
  it('first runs one interval after it starts, then every interval', async () => {
    const runs: number[] = [];
    const start = Date.now();
    const repeating = repeatEvery(1000, () => (runs.push(Date.now() - start), Promise.resolve()), () => undefined);
    await vi.advanceTimersByTimeAsync(999);
    expect(runs).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(runs).toEqual([1000]);
    await vi.advanceTimersByTimeAsync(2000);
    expect(runs).toEqual([1000, 2000, 3000]);
    await repeating.stop();
  });

  it('runs at once with now: true, then every interval', async () => {
    const runs: number[] = [];
    const start = Date.now();
    const repeating = repeatEvery(1000, () => (runs.push(Date.now() - start), Promise.resolve()), () => undefined, { now: true });
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toEqual([0]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(runs).toEqual([0, 1000]);
    await repeating.stop();
  });

  it('never overlaps a slow run: the next one is timed from the end of the last', async () => {
    const starts: number[] = [];
    let running = 0;
    let most = 0;
    const start = Date.now();
    const repeating = repeatEvery(
      100,
      async () => {
        starts.push(Date.now() - start);
        running += 1;
        most = Math.max(most, running);
        await sleep(250);
        running -= 1;
      },
      () => undefined,
    );
    await vi.advanceTimersByTimeAsync(1000);
    expect(most).toBe(1);
    // 100 → ends 350, next at 450 → ends 700, next at 800.
    expect(starts).toEqual([100, 450, 800]);
    const stopping = repeating.stop();
    await vi.advanceTimersByTimeAsync(250);
    await stopping;
    expect(starts).toEqual([100, 450, 800]);
  });

  it('reports a failed run and goes on; a reporter that throws does not stop it either', async () => {
    const reported: unknown[] = [];
    const failure = new Error('sync failed');
    let runs = 0;
    const repeating = repeatEvery(
      1000,
      () => {
        runs += 1;
        return runs <= 2 ? Promise.reject(failure) : Promise.resolve();
      },
      (error) => {
        reported.push(error);
        throw new Error('the reporter broke too');
      },
    );
    await vi.advanceTimersByTimeAsync(4000);
    expect(runs).toBe(4);
    expect(reported).toEqual([failure, failure]);
    await repeating.stop();
  });

  it('does not run at all when stopped before its first run', async () => {
    const task = vi.fn(() => Promise.resolve());
    const repeating = repeatEvery(1000, task, () => undefined, { now: true });
    await repeating.stop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(task).not.toHaveBeenCalled();
  });

  it('stop waits for the run in progress and no run follows it', async () => {
    let runs = 0;
    let finished = 0;
    const repeating = repeatEvery(
      100,
      async () => {
        runs += 1;
        await sleep(500);
        finished += 1;
      },
      () => undefined,
    );
    await vi.advanceTimersByTimeAsync(200);
    expect(runs).toBe(1);
    let stopped = false;
    const stopping = repeating.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(399);
    expect(stopped).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await stopping;
    expect(finished).toBe(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(runs).toBe(1);
  });

  it('stop resolves even when the run in progress fails', async () => {
    const reported: unknown[] = [];
    const repeating = repeatEvery(
      100,
      async () => {
        await sleep(50);
        throw new Error('late failure');
      },
      (error) => reported.push(error),
    );
    await vi.advanceTimersByTimeAsync(120);
    const stopping = repeating.stop();
    await vi.advanceTimersByTimeAsync(50);
    await expect(stopping).resolves.toBeUndefined();
    expect(reported).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(reported).toHaveLength(1);
  });
});
