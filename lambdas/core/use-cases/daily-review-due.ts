import { endOfLifeDate } from '../distro/end-of-life.ts';
import type { VerdictSummary } from '../review-ports.ts';
import type { Distro } from '../sbom/model.ts';

/**
 * Why a stored verdict must be judged again without any new scan or advisory:
 * - `policy`: the repository's policy version is not the one the verdict used;
 * - `review`: an ignore entry the verdict relies on has expired (Verdict.reviewAt has passed);
 * - `pending`: an alert it decided was never confirmed published (its writer died);
 * - `end-of-life`: a platform's distribution release reached its end of life since the verdict was
 *   computed (the day after the end-of-life date, UTC, falls after `evaluatedAt` and by `now`).
 */
export type ReviewReason = 'policy' | 'review' | 'pending' | 'end-of-life';

const DAY_MS = 86_400_000;

/** The reasons known from the verdict's plain attributes alone (no read of its scans). */
export function dueReasons(summary: VerdictSummary, policyVersion: string, now: Date): ReviewReason[] {
  const reasons: ReviewReason[] = [];
  if (summary.policyVersion !== policyVersion) reasons.push('policy');
  if (summary.reviewAt && summary.reviewAt.getTime() <= now.getTime()) reasons.push('review');
  if (summary.pendingAlertId !== undefined) reasons.push('pending');
  return reasons;
}

/**
 * Whether an end of life can have been reached since `evaluatedAt`: every release's end of life
 * starts at a UTC midnight, so a verdict computed since today's midnight cannot have crossed one,
 * and its scans need not be read.
 */
export function mayHaveReachedEndOfLife(evaluatedAt: Date, now: Date): boolean {
  return evaluatedAt.getTime() < Math.floor(now.getTime() / DAY_MS) * DAY_MS;
}

/** Whether the distribution release's end of life began after `evaluatedAt` and by `now`. */
export function reachedEndOfLife(distro: Distro, evaluatedAt: Date, now: Date): boolean {
  const date = endOfLifeDate(distro);
  if (date === undefined) return false;
  const start = Date.parse(`${date}T00:00:00Z`) + DAY_MS;
  return evaluatedAt.getTime() < start && start <= now.getTime();
}
