import type { CountsHistory, DailyCounts } from '../api/api-ports.ts';
import { messageOf } from '../errors.ts';
import { SEVERITIES, type Severity } from '../findings/model.ts';
import type { ImageState, RepositoryKey } from '../pipeline/model.ts';
import type { SeverityCounts, VerdictValue } from '../pipeline/verdict-model.ts';
import type { Clock, RepositoryCatalogue } from '../ports.ts';
import type { VerdictListing, VerdictSummary } from '../review-ports.ts';
import { mapLimit } from '../util/map-limit.ts';

/**
 * The daily counts `GET /history` answers: per repository and UTC day, the live images' verdicts
 * by value and their findings left after the policy, by severity (each verdict's `counts`). Read
 * from the verdict listing's plain attributes and the image states (no verdict document), written
 * once a repository a day: a rerun the same day replaces that day's counts, so it is always safe.
 */
export interface RecordDailyCountsDeps {
  readonly catalogue: RepositoryCatalogue;
  readonly verdicts: VerdictListing;
  /** Every image state of a repository, deleted ones included. */
  readonly states: { imagesOf(repository: RepositoryKey): Promise<readonly ImageState[]> };
  readonly history: CountsHistory;
  readonly clock: Clock;
}

export interface RecordDailyCountsRequest {
  /** Repositories counted at once (default 4). */
  readonly concurrency?: number;
  /** Asked before each repository: true stops the run (what was recorded stays; the rest is counted tomorrow). */
  readonly shouldStop?: () => boolean;
}

export interface DailyCountsReport {
  readonly date: string;
  readonly repositories: number;
  readonly recorded: number;
  /** Images counted over every repository recorded. */
  readonly images: number;
  readonly failed: readonly { readonly repository: string; readonly error: string }[];
  readonly stoppedEarly: boolean;
}

type Counted = Omit<DailyCounts, 'repository' | 'date'>;

/**
 * One repository's counts. An image counts when it is live (not deleted) and has a verdict; a
 * platform manifest listed by a live index of the repository is counted through that index (whose
 * verdict sums its platforms), so a multi-platform image is one image and its findings count once.
 */
export function countRepository(states: readonly ImageState[], verdicts: readonly VerdictSummary[]): Counted {
  const live = new Map(states.filter((state) => !state.deletedAt).map((state) => [state.digest as string, state]));
  const findings: Record<Severity, number> = Object.fromEntries(SEVERITIES.map((severity) => [severity, 0])) as Record<Severity, number>;
  const byVerdict: Partial<Record<VerdictValue, number>> = {};
  let images = 0;
  for (const summary of verdicts) {
    const state = live.get(summary.key.digest);
    if (!state || state.parents.some((parent) => live.has(parent))) continue;
    images++;
    byVerdict[summary.verdict] = (byVerdict[summary.verdict] ?? 0) + 1;
    for (const severity of SEVERITIES) findings[severity] += summary.counts[severity] ?? 0;
  }
  return { images, findings: findings as SeverityCounts, verdicts: byVerdict };
}

export async function recordDailyCounts(request: RecordDailyCountsRequest, deps: RecordDailyCountsDeps): Promise<DailyCountsReport> {
  const date = deps.clock.now().toISOString().slice(0, 10);
  const entries = await deps.catalogue.list();
  const failed: { repository: string; error: string }[] = [];
  let recorded = 0;
  let images = 0;
  let stoppedEarly = false;
  await mapLimit(entries, request.concurrency ?? DEFAULT_CONCURRENCY, async (entry) => {
    if (stoppedEarly || request.shouldStop?.()) {
      stoppedEarly = true;
      return;
    }
    const repository: RepositoryKey = { account: entry.account, region: entry.region, repository: entry.repository };
    try {
      const [states, verdicts] = await Promise.all([deps.states.imagesOf(repository), deps.verdicts.listRepository(repository)]);
      const counts = countRepository(states, verdicts);
      await deps.history.put({ repository, date, ...counts });
      recorded++;
      images += counts.images;
    } catch (error) {
      failed.push({ repository: entry.repository, error: messageOf(error) });
    }
  });
  return { date, repositories: entries.length, recorded, images, failed, stoppedEarly };
}

const DEFAULT_CONCURRENCY = 4;
