import { describe, expect, it } from 'vitest';
import { parseDigest } from '../../../../lambdas/core/digest.ts';
import type { ImageState } from '../../../../lambdas/core/pipeline/model.ts';
import type { VerdictSummary } from '../../../../lambdas/core/review-ports.ts';
import { dueReasons, mayHaveReachedEndOfLife, reachedEndOfLife } from '../../../../lambdas/core/use-cases/daily-review-due.ts';
import { chooseState } from '../../../../lambdas/core/use-cases/reindex-images.ts';

const digest = parseDigest(`sha256:${'c'.repeat(64)}`);
const key = { account: '1', region: 'eu-west-1', repository: 'app', digest };
const summary = (overrides: Partial<VerdictSummary> = {}): VerdictSummary => ({ key, verdict: 'PASS', policyVersion: 'pv1-a', counts: { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, UNKNOWN: 0 }, failingCount: 0, evaluatedAt: new Date('2026-01-01T00:00:00Z'), ...overrides });
const debian10 = { id: 'debian', versionId: '10', source: 'etc/os-release' };

describe('what makes a stored verdict due', () => {
  const now = new Date('2026-06-01T12:00:00Z');

  it('names each reason the plain attributes show, and none for a current verdict', () => {
    expect(dueReasons(summary(), 'pv1-a', now)).toEqual([]);
    expect(dueReasons(summary(), 'pv1-b', now)).toEqual(['policy']);
    expect(dueReasons(summary({ reviewAt: new Date('2026-06-01T12:00:00Z') }), 'pv1-a', now)).toEqual(['review']);
    expect(dueReasons(summary({ reviewAt: new Date('2026-06-01T12:00:01Z') }), 'pv1-a', now)).toEqual([]);
    expect(dueReasons(summary({ pendingAlertId: 'a1', reviewAt: new Date('2026-05-01T00:00:00Z') }), 'pv1-b', now)).toEqual(['policy', 'review', 'pending']);
  });

  it('an end of life counts once, from the day after its date, for a verdict computed before it', () => {
    // Debian 10's LTS ended 2024-06-30: end of life from 2024-07-01T00:00Z.
    const start = new Date('2024-07-01T00:00:00Z');
    expect(reachedEndOfLife(debian10, new Date('2024-06-30T23:00:00Z'), start)).toBe(true);
    expect(reachedEndOfLife(debian10, new Date('2024-06-30T23:00:00Z'), new Date(start.getTime() - 1))).toBe(false);
    expect(reachedEndOfLife(debian10, start, new Date('2024-07-02T00:00:00Z'))).toBe(false);
    expect(reachedEndOfLife({ id: 'debian', source: 'etc/os-release' }, new Date(0), now)).toBe(false);
    expect(reachedEndOfLife({ id: 'unknown-os', versionId: '1', source: 'etc/os-release' }, new Date(0), now)).toBe(false);
  });

  it('scans are read for end of life only for verdicts computed before today (UTC)', () => {
    expect(mayHaveReachedEndOfLife(new Date('2026-05-31T23:59:59Z'), now)).toBe(true);
    expect(mayHaveReachedEndOfLife(new Date('2026-06-01T00:00:00Z'), now)).toBe(false);
  });
});

describe('the image state a re-index scan request names', () => {
  const state = (repository: string, tags: string[], deletedAt?: Date): ImageState => ({
    ...key,
    repository,
    tags,
    pushedAt: new Date(0),
    firstSeenAt: new Date(0),
    kind: 'push',
    children: [],
    parents: [],
    ...(deletedAt ? { deletedAt } : {}),
  });

  it('is a live one, tagged first, then by repository; none when every one is deleted', () => {
    expect(chooseState([state('b', []), state('c', ['x']), state('a', ['y'], new Date(1))])?.repository).toBe('c');
    expect(chooseState([state('b', []), state('a', [])])?.repository).toBe('a');
    expect(chooseState([state('a', ['y'], new Date(1))])).toBeUndefined();
  });
});
