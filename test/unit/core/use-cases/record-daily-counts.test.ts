import { describe, expect, it } from 'vitest';
import type { DailyCounts } from '../../../../lambdas/core/api/api-ports.ts';
import { parseDigest, type Digest } from '../../../../lambdas/core/digest.ts';
import type { ImageState, RepositoryEntry, RepositoryKey } from '../../../../lambdas/core/pipeline/model.ts';
import type { SeverityCounts, VerdictValue } from '../../../../lambdas/core/pipeline/verdict-model.ts';
import type { VerdictSummary } from '../../../../lambdas/core/review-ports.ts';
import { countRepository, recordDailyCounts, type RecordDailyCountsDeps } from '../../../../lambdas/core/use-cases/record-daily-counts.ts';

const digestOf = (n: number): Digest => parseDigest(`sha256:${n.toString(16).padStart(64, '0')}`);
const APP: RepositoryKey = { account: '111122223333', region: 'eu-west-1', repository: 'team/app' };
const at = new Date('2026-12-01T00:00:00Z');
const none: SeverityCounts = { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, UNKNOWN: 0 };

const state = (n: number, extra: Partial<ImageState> = {}): ImageState => ({ ...APP, digest: digestOf(n), tags: [], pushedAt: at, firstSeenAt: at, kind: 'push', children: [], parents: [], ...extra });
const summary = (n: number, verdict: VerdictValue, counts: Partial<SeverityCounts> = {}, repository = APP): VerdictSummary => ({
  key: { ...repository, digest: digestOf(n) },
  verdict,
  policyVersion: 'pv1',
  counts: { ...none, ...counts },
  failingCount: (counts.CRITICAL ?? 0) + (counts.HIGH ?? 0),
  evaluatedAt: at,
});

describe('countRepository', () => {
  it('sums the verdicts of the live images and their findings by severity', () => {
    const counts = countRepository(
      [state(1), state(2), state(3), state(4)],
      [summary(1, 'FAIL', { HIGH: 2, LOW: 1 }), summary(2, 'PASS', { MEDIUM: 3 }), summary(3, 'FAIL', { CRITICAL: 1, HIGH: 1 }), summary(4, 'ADVISORIES_UNAVAILABLE')],
    );
    expect(counts).toEqual({ images: 4, findings: { CRITICAL: 1, HIGH: 3, MEDIUM: 3, LOW: 1, UNKNOWN: 0 }, verdicts: { FAIL: 2, PASS: 1, ADVISORIES_UNAVAILABLE: 1 } });
  });

  it('leaves out deleted images, images without a verdict and verdicts without a live image', () => {
    const counts = countRepository([state(1), state(2, { deletedAt: at }), state(3)], [summary(1, 'PASS', { LOW: 1 }), summary(2, 'FAIL', { HIGH: 5 }), summary(9, 'FAIL', { HIGH: 7 })]);
    expect(counts).toEqual({ images: 1, findings: { ...none, LOW: 1 }, verdicts: { PASS: 1 } });
  });

  it('counts a multi-platform image once, through its index, unless the index is deleted', () => {
    const index = state(10, { children: [digestOf(11), digestOf(12)] });
    const platforms = [state(11, { parents: [digestOf(10)] }), state(12, { parents: [digestOf(10)] })];
    const verdicts = [summary(10, 'FAIL', { HIGH: 2 }), summary(11, 'FAIL', { HIGH: 1 }), summary(12, 'FAIL', { HIGH: 1 })];
    expect(countRepository([index, ...platforms], verdicts)).toEqual({ images: 1, findings: { ...none, HIGH: 2 }, verdicts: { FAIL: 1 } });
    expect(countRepository([{ ...index, deletedAt: at }, ...platforms], verdicts)).toEqual({ images: 2, findings: { ...none, HIGH: 2 }, verdicts: { FAIL: 2 } });
  });
});

describe('recordDailyCounts', () => {
  const WEB: RepositoryKey = { ...APP, repository: 'team/web' };
  const BROKEN: RepositoryKey = { ...APP, repository: 'team/broken' };
  const entry = (repository: RepositoryKey): RepositoryEntry => ({ ...repository, images: 1, deleted: 0 });

  function deps(now: Date, stopAfter = Infinity): { deps: RecordDailyCountsDeps; puts: DailyCounts[]; stop: () => boolean } {
    const puts: DailyCounts[] = [];
    let asked = 0;
    const stop = () => asked++ >= stopAfter;
    return {
      puts,
      stop,
      deps: {
        catalogue: { list: () => Promise.resolve([entry(APP), entry(BROKEN), entry(WEB)]) },
        states: { imagesOf: (repository) => (repository.repository === BROKEN.repository ? Promise.reject(new Error('throttled')) : Promise.resolve([{ ...state(1), ...repository }])) },
        verdicts: { listRepository: (repository) => Promise.resolve([summary(1, repository.repository === WEB.repository ? 'PASS' : 'FAIL', { HIGH: 1 }, repository)]) },
        history: {
          put: (counts) => {
            puts.push(counts);
            return Promise.resolve();
          },
          list: () => Promise.resolve([]),
        },
        clock: { now: () => now },
      },
    };
  }

  it('records each repository for the UTC day, and a repository that fails does not keep the others from it', async () => {
    const run = deps(new Date('2026-12-31T23:59:59Z'));
    const report = await recordDailyCounts({ concurrency: 1 }, run.deps);
    expect(report).toEqual({ date: '2026-12-31', repositories: 3, recorded: 2, images: 2, failed: [{ repository: 'team/broken', error: 'throttled' }], stoppedEarly: false });
    expect(run.puts).toEqual([
      { repository: APP, date: '2026-12-31', images: 1, findings: { ...none, HIGH: 1 }, verdicts: { FAIL: 1 } },
      { repository: WEB, date: '2026-12-31', images: 1, findings: { ...none, HIGH: 1 }, verdicts: { PASS: 1 } },
    ]);
  });

  it('starts no repository once told to stop, and says so', async () => {
    const run = deps(new Date('2026-12-31T10:00:00Z'), 1);
    const report = await recordDailyCounts({ concurrency: 1, shouldStop: run.stop }, run.deps);
    expect(report).toMatchObject({ repositories: 3, recorded: 1, stoppedEarly: true, failed: [] });
    expect(run.puts.map((counts) => counts.repository.repository)).toEqual(['team/app']);
  });
});
