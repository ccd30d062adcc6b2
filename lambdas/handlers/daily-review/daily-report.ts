import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { BackfillSummary, CountsSummary, ReindexSummary, RetentionSummary, ReviewSummary } from './daily-steps.ts';
import type { StepName, StepOutcome } from './run-steps.ts';

/** What the daily pass found, as one log line at the end of each run. */
export interface DailyPassReport {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly found: {
    /** Sent to the scanner: images whose event was lost or never scanned by this version (backfill), and re-indexed ones. */
    readonly imagesQueued: number;
    readonly tagsReconciled: number;
    readonly imagesMarkedDeleted: number;
    readonly verdictsReevaluated: number;
    readonly verdictsChanged: number;
    readonly reindexed: number;
    readonly deletedPastRetention: number;
    /** Deleted images past the retention whose state this run removed. */
    readonly deletedForgotten: number;
    /** Repositories whose daily counts (`GET /history`) this run wrote. */
    readonly repositoriesCounted: number;
  };
  readonly failed: readonly StepName[];
  /** Steps not started, or stopped part-way, because the invocation ran out of time. */
  readonly left: readonly StepName[];
  readonly steps: readonly StepOutcome[];
}

function resultOf<R>(outcomes: readonly StepOutcome[], name: StepName): R | undefined {
  const outcome = outcomes.find((entry) => entry.name === name);
  if (!outcome || outcome.status === 'left') return undefined;
  return outcome.result as R | undefined;
}

export function dailyPassReport(outcomes: readonly StepOutcome[], startedAt: Date, finishedAt: Date): DailyPassReport {
  const backfill = resultOf<BackfillSummary>(outcomes, 'backfill');
  const review = resultOf<ReviewSummary>(outcomes, 'review');
  const reindex = resultOf<ReindexSummary>(outcomes, 'reindex');
  const retention = resultOf<RetentionSummary>(outcomes, 'retention');
  const counts = resultOf<CountsSummary>(outcomes, 'counts');
  const stoppedEarly: StepName[] = [
    ...(backfill?.stoppedEarly ? ['backfill' as const] : []),
    ...(review && review.leftForLater > 0 ? ['review' as const] : []),
    ...(reindex?.stoppedEarly ? ['reindex' as const] : []),
    ...(retention?.stoppedEarly ? ['retention' as const] : []),
    ...(counts?.stoppedEarly ? ['counts' as const] : []),
  ];
  return {
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    found: {
      imagesQueued: (backfill?.queued ?? 0) + (reindex?.queued ?? 0),
      tagsReconciled: (backfill?.tagsAdded ?? 0) + (backfill?.tagsRemoved ?? 0),
      imagesMarkedDeleted: backfill?.deletedMarked ?? 0,
      verdictsReevaluated: review?.reevaluated ?? 0,
      verdictsChanged: review?.changed ?? 0,
      reindexed: reindex?.queued ?? 0,
      deletedPastRetention: retention?.pastRetention ?? 0,
      deletedForgotten: retention?.forgotten ?? 0,
      repositoriesCounted: counts?.recorded ?? 0,
    },
    failed: outcomes.filter((outcome) => outcome.status === 'failed').map((outcome) => outcome.name),
    left: [...outcomes.filter((outcome) => outcome.status === 'left').map((outcome) => outcome.name), ...stoppedEarly],
    steps: outcomes,
  };
}

/**
 * One data point per series per run (a daily run: the series, not the points, are what is paid).
 * No dimension: a repository or step name would each be a series of its own.
 */
export function recordDailyMetrics(metrics: Metrics, report: DailyPassReport): void {
  const { found } = report;
  metrics.addMetric('ImagesQueued', MetricUnit.Count, found.imagesQueued);
  metrics.addMetric('TagsReconciled', MetricUnit.Count, found.tagsReconciled);
  metrics.addMetric('ImagesMarkedDeleted', MetricUnit.Count, found.imagesMarkedDeleted);
  metrics.addMetric('VerdictsReevaluated', MetricUnit.Count, found.verdictsReevaluated);
  metrics.addMetric('VerdictsChanged', MetricUnit.Count, found.verdictsChanged);
  metrics.addMetric('ImagesReindexed', MetricUnit.Count, found.reindexed);
  metrics.addMetric('DeletedPastRetention', MetricUnit.Count, found.deletedPastRetention);
  metrics.addMetric('DeletedImagesForgotten', MetricUnit.Count, found.deletedForgotten);
  metrics.addMetric('RepositoriesCounted', MetricUnit.Count, found.repositoriesCounted);
  metrics.addMetric('DailyStepsFailed', MetricUnit.Count, report.failed.length);
  metrics.addMetric('DailyStepsLeft', MetricUnit.Count, report.left.length);
}
