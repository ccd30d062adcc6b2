import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import type { Clock } from '../../core/ports.ts';
import { parseDailyEvent } from './daily-event.ts';
import { dailyPassReport, recordDailyMetrics, type DailyPassReport } from './daily-report.ts';
import { deadlineOf } from './deadline.ts';
import { runSteps, type DailyStep } from './run-steps.ts';

/** Time kept back from the invocation's timeout for the report, the metrics and a step's last unit. */
export const DEFAULT_RESERVE_MS = 60_000;

export interface DailyHandlerDeps {
  readonly steps: () => readonly DailyStep<unknown>[];
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly clock: Clock;
  readonly reserveMs?: number;
}

export type DailyHandler = (event: unknown, context: Context) => Promise<DailyPassReport>;

/**
 * The schedule's event (zod) → the four steps, each isolated → the report, logged and counted. An
 * invocation with a failed step fails after the others ran, so Lambda retries it (every step is
 * idempotent; a retry redoes only what is still due) and, after its retries, the failure
 * destination holds it. Steps left at the deadline do not fail it: the next day's run goes on.
 */
export function createDailyHandler(deps: DailyHandlerDeps): DailyHandler {
  return async (event, context) => {
    deps.logger.addContext(context);
    try {
      parseDailyEvent(event);
      const startedAt = deps.clock.now();
      const deadline = deadlineOf(() => context.getRemainingTimeInMillis(), deps.reserveMs ?? DEFAULT_RESERVE_MS);
      const outcomes = await runSteps(deps.steps(), deadline, () => deps.clock.now().getTime());
      const report = dailyPassReport(outcomes, startedAt, deps.clock.now());
      recordDailyMetrics(deps.metrics, report);
      for (const outcome of outcomes) if (outcome.status === 'failed') deps.logger.error('daily review step failed', { step: outcome.name, error: outcome.error });
      if (report.left.length > 0) deps.logger.warn('daily review ran out of time; the next run goes on', { left: report.left });
      if (report.found.deletedPastRetention > 0) deps.logger.warn('deleted images past their retention are kept: the findings table has no purge of deleted images', { count: report.found.deletedPastRetention });
      deps.logger.info('daily review report', { report });
      if (report.failed.length > 0) throw new Error(`daily review: ${report.failed.join(', ')} failed (the other steps ran); see the report`);
      return report;
    } finally {
      deps.metrics.publishStoredMetrics();
    }
  };
}
