import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { parseDigest } from '../../../lambdas/core/digest.ts';
import type { ImageState, RepositoryEntry } from '../../../lambdas/core/pipeline/model.ts';
import type { OutdatedScan } from '../../../lambdas/core/review-ports.ts';
import { parseDailyEvent } from '../../../lambdas/handlers/daily-review/daily-event.ts';
import { createDailyHandler } from '../../../lambdas/handlers/daily-review/daily-handler.ts';
import { dailyPassReport } from '../../../lambdas/handlers/daily-review/daily-report.ts';
import { reindexStep, retentionStep, runDay } from '../../../lambdas/handlers/daily-review/daily-steps.ts';
import { deadlineOf, UntilDeadline, type Deadline } from '../../../lambdas/handlers/daily-review/deadline.ts';
import { PartialStepFailure, runSteps, type DailyStep, type StepName } from '../../../lambdas/handlers/daily-review/run-steps.ts';

const plenty: Deadline = { remainingMs: () => 600_000, expired: () => false };
const none: Deadline = { remainingMs: () => 0, expired: () => true };
const digest = (n: number) => parseDigest(`sha256:${n.toString(16).padStart(64, '0')}`);

function step(name: StepName, run: () => Promise<unknown>): DailyStep<unknown> & { calls: number } {
  const entry = { name, calls: 0, run: async () => { entry.calls++; return run(); } };
  return entry;
}

describe('runSteps', () => {
  it('runs every step though one throws, keeping a partial failure\'s result', async () => {
    const steps = [
      step('backfill', () => Promise.reject(new PartialStepFailure('backfill failed in 1 repositories: web', { queued: 3 }))),
      step('review', () => Promise.reject(new Error('ProvisionedThroughputExceededException'))),
      step('reindex', async () => ({ queued: 2 })),
      step('retention', async () => ({ deleted: 0 })),
    ];
    const outcomes = await runSteps(steps, plenty, () => 0);
    expect(steps.map((entry) => entry.calls)).toEqual([1, 1, 1, 1]);
    expect(outcomes).toEqual([
      { name: 'backfill', status: 'failed', durationMs: 0, error: 'backfill failed in 1 repositories: web', result: { queued: 3 } },
      { name: 'review', status: 'failed', durationMs: 0, error: 'ProvisionedThroughputExceededException' },
      { name: 'reindex', status: 'done', durationMs: 0, result: { queued: 2 } },
      { name: 'retention', status: 'done', durationMs: 0, result: { deleted: 0 } },
    ]);
  });

  it('starts no step once the deadline has passed', async () => {
    let left = 2;
    const deadline: Deadline = { remainingMs: () => left, expired: () => left <= 0 };
    const steps = [step('backfill', async () => void left--), step('review', async () => void left--), step('reindex', async () => 'x'), step('retention', async () => 'y')];
    const outcomes = await runSteps(steps, deadline, () => 0);
    expect(outcomes.map((outcome) => `${outcome.name}:${outcome.status}`)).toEqual(['backfill:done', 'review:done', 'reindex:left', 'retention:left']);
    expect(steps.map((entry) => entry.calls)).toEqual([1, 1, 0, 0]);
  });
});

describe('deadlines', () => {
  it('keeps the reserve back', () => {
    let remaining = 90_000;
    const deadline = deadlineOf(() => remaining, 60_000);
    expect(deadline.remainingMs()).toBe(30_000);
    expect(deadline.expired()).toBe(false);
    remaining = 60_000;
    expect(deadline.expired()).toBe(true);
    expect(deadline.remainingMs()).toBe(0);
  });

  it('a source stops yielding at the deadline and says so', async () => {
    let expired = false;
    const source = new UntilDeadline((async function* () { for (let n = 1; n <= 5; n++) yield n; })(), { remainingMs: () => 1, expired: () => expired });
    const seen: number[] = [];
    for await (const n of source) {
      seen.push(n);
      if (n === 2) expired = true;
    }
    expect(seen).toEqual([1, 2]);
    expect(source.stopped).toBe(true);
    const whole = new UntilDeadline<number>((async function* () { yield* [1, 2, 3]; })(), plenty);
    const all: number[] = [];
    for await (const n of whole) all.push(n);
    expect(all).toEqual([1, 2, 3]);
    expect(whole.stopped).toBe(false);
  });
});

describe('the steps on their ports', () => {
  const clock = { now: () => new Date('2027-03-01T05:00:00Z') };

  it('retention forgets deleted images past the retention, reading only repositories holding deleted ones', async () => {
    const entry = (repository: string, deleted: number): RepositoryEntry => ({ account: '111122223333', region: 'eu-west-1', repository, images: 3, deleted });
    const state = (n: number, deletedAt?: string): ImageState => ({ account: '111122223333', region: 'eu-west-1', repository: 'a', digest: digest(n), tags: [], pushedAt: new Date('2026-01-01T00:00:00Z'), firstSeenAt: new Date('2026-01-01T00:00:00Z'), kind: 'push', children: [], parents: [], ...(deletedAt ? { deletedAt: new Date(deletedAt) } : {}) });
    const read: string[] = [];
    const asked: string[] = [];
    const states = [state(1), state(2, '2027-02-27T00:00:00Z'), state(3, '2027-01-02T00:00:00Z'), state(4, '2026-12-01T00:00:00Z'), state(5, '2026-11-01T00:00:00Z')];
    const deps = {
      catalogue: { list: async () => [entry('a', 4), entry('b', 0)] },
      states: { imagesOf: async (repository: { repository: string }) => (read.push(repository.repository), states) },
      images: {
        // 4 was pushed again (restored) since it was read; 5 fails.
        forgetDeleted: async (key: { digest: string }, at: Date) => {
          asked.push(`${key.digest.slice(-1)}@${at.toISOString()}`);
          if (key.digest === digest(5)) throw new Error('ThrottlingException');
          return key.digest !== digest(4);
        },
      },
      clock,
    };
    const failure = await retentionStep({ retentionDays: 30, concurrency: 2 }, deps).run(plenty).catch((error: unknown) => error);
    expect(read).toEqual(['a']);
    expect(asked.sort()).toEqual(['3@2027-01-02T00:00:00.000Z', '4@2026-12-01T00:00:00.000Z', '5@2026-11-01T00:00:00.000Z']);
    expect(failure).toBeInstanceOf(PartialStepFailure);
    expect((failure as PartialStepFailure<unknown>).message).toMatch(/could not forget 1 deleted images: a@sha256:0+5: ThrottlingException/);
    // The oldest kept: the failed one (4 was restored and 3 forgotten; 2 is inside the retention).
    expect((failure as PartialStepFailure<unknown>).result).toEqual({ retentionDays: 30, deleted: 4, pastRetention: 3, forgotten: 1, kept: 1, failed: 1, oldestDeletedAt: '2026-11-01T00:00:00.000Z', stoppedEarly: false });

    // No retention: kept forever, nothing forgotten.
    asked.length = 0;
    expect(await retentionStep({}, deps).run(plenty)).toEqual({ deleted: 4, pastRetention: 0, forgotten: 0, kept: 0, failed: 0, oldestDeletedAt: '2026-11-01T00:00:00.000Z', stoppedEarly: false });
    expect(asked).toEqual([]);

    // Out of time before the first repository, or before the first forget.
    expect(await retentionStep({ retentionDays: 30 }, deps).run(none)).toEqual({ retentionDays: 30, deleted: 0, pastRetention: 0, forgotten: 0, kept: 0, failed: 0, stoppedEarly: true });
    let expired = false;
    const deadline: Deadline = { remainingMs: () => 1, expired: () => expired };
    const lateDeps = { ...deps, states: { imagesOf: async () => ((expired = true), states) } };
    expect(await retentionStep({ retentionDays: 30 }, lateDeps).run(deadline)).toMatchObject({ pastRetention: 3, forgotten: 0, stoppedEarly: true });
    expect(asked).toEqual([]);
  });

  it('reindex stops at the deadline, queues what it took and says more is left', async () => {
    let expired = false;
    const scans: OutdatedScan[] = [1, 2, 3].map((n) => ({ digest: digest(n), scannerVersion: 'old', finishedAt: new Date(Date.UTC(2026, 0, n)) }));
    const sent: { runId: string; count: number }[] = [];
    const summary = await reindexStep(
      { limit: 10, clock },
      {
        versions: { outdated: async function* () { for (const scan of scans) { yield scan; expired = true; } } },
        images: { imagesWithDigest: async (d) => [{ account: '111122223333', region: 'eu-west-1', repository: 'a', digest: d, tags: ['t'], pushedAt: new Date(0), firstSeenAt: new Date(0), kind: 'push', children: [], parents: [] } satisfies ImageState] },
        queue: { send: async (runId, requests) => void sent.push({ runId, count: requests.length }) },
        scannerVersion: 'new',
      },
    ).run({ remainingMs: () => 1, expired: () => expired });
    expect(summary).toEqual({ queued: 1, skipped: 0, more: true, stoppedEarly: true });
    expect(sent).toEqual([{ runId: 'reindex-2027-03-01', count: 1 }]);
    expect(runDay(new Date('2027-03-01T23:59:59Z'))).toBe('2027-03-01');
  });
});

describe('the report and the handler', () => {
  it('adds up what the steps found and names failed and unfinished steps', () => {
    const report = dailyPassReport(
      [
        { name: 'backfill', status: 'done', durationMs: 5, result: { queued: 4, tagsAdded: 2, tagsRemoved: 1, deletedMarked: 3, stoppedEarly: true } },
        { name: 'review', status: 'failed', durationMs: 5, error: 'boom' },
        { name: 'reindex', status: 'done', durationMs: 5, result: { queued: 6, skipped: 0, more: true, stoppedEarly: false } },
        { name: 'retention', status: 'left' },
      ],
      new Date('2027-03-01T05:00:00Z'),
      new Date('2027-03-01T05:10:00Z'),
    );
    expect(report.found).toEqual({ imagesQueued: 10, tagsReconciled: 3, imagesMarkedDeleted: 3, verdictsReevaluated: 0, verdictsChanged: 0, reindexed: 6, deletedPastRetention: 0, deletedForgotten: 0, repositoriesCounted: 0 });
    expect(report.failed).toEqual(['review']);
    expect(report.left).toEqual(['retention', 'backfill']);
  });

  it('parses only the schedule\'s event', () => {
    expect(parseDailyEvent({ source: 'customs.schedule', action: 'daily-review' })).toEqual({ source: 'customs.schedule', action: 'daily-review' });
    expect(() => parseDailyEvent({ source: 'customs.schedule', action: 'advisory-sync' })).toThrow(/action/);
    expect(() => parseDailyEvent('daily-review')).toThrow(/not a daily review event/);
  });

  it('records the metrics, publishes them and fails after every step ran when one failed', async () => {
    const metrics = new Metrics({ namespace: 'Customs', serviceName: 'customs-daily-review' });
    const added = vi.spyOn(metrics, 'addMetric');
    const published = vi.spyOn(metrics, 'publishStoredMetrics').mockImplementation(() => metrics);
    const logger = new Logger({ serviceName: 'customs-daily-review', logLevel: 'SILENT' });
    const ran: string[] = [];
    const handler = createDailyHandler({
      steps: () => [
        { name: 'backfill', run: async () => (ran.push('backfill'), Promise.reject(new Error('ECR throttled'))) },
        { name: 'review', run: async () => (ran.push('review'), { reevaluated: 7, changed: 2, leftForLater: 0 }) },
      ],
      logger,
      metrics,
      clock: { now: () => new Date('2027-03-01T05:00:00Z') },
    });
    const context = { getRemainingTimeInMillis: () => 600_000 } as unknown as Context;
    await expect(handler({ source: 'customs.schedule', action: 'daily-review' }, context)).rejects.toThrow('daily review: backfill failed');
    expect(ran).toEqual(['backfill', 'review']);
    const values = Object.fromEntries(added.mock.calls.map(([name, , value]) => [name, value]));
    expect(values).toMatchObject({ VerdictsReevaluated: 7, VerdictsChanged: 2, DailyStepsFailed: 1, DailyStepsLeft: 0 });
    expect(published).toHaveBeenCalledTimes(1);
  });
});
