import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { EcosystemCursor, EcosystemSyncReport } from '../../core/advisories/sync-model.ts';
import type { QueueRescansResult } from '../../core/use-cases/queue-rescans.ts';

/**
 * EMF metrics of the advisory sync (namespace `Customs`, service `customs-advisory-sync`, as
 * lib/constructs/advisory-sync.ts's SYNC_METRICS; names repeated so the bundle does not pull in
 * aws-cdk-lib). The cursor ages are emitted once per run: per ecosystem with an `Ecosystem`
 * dimension (which one is late), and their maximum without it (what the alarm watches, whatever
 * ecosystems the sync derives). Counts carry no dimension: each series is paid monthly.
 */
export const CURSOR_AGE_METRIC = 'AdvisoryCursorAgeSeconds';
export const OLDEST_CURSOR_AGE_METRIC = 'OldestAdvisoryCursorAgeSeconds';

/**
 * Seconds since the cursor last finished a sync, or since its first load began (a first load that
 * keeps failing ages too); undefined for a cursor that has neither (not possible once written).
 */
export function cursorAgeSeconds(cursor: EcosystemCursor, now: Date): number | undefined {
  const since = cursor.syncedAt ?? cursor.progress?.startedAt;
  return since ? Math.max(0, Math.round((now.getTime() - since.getTime()) / 1000)) : undefined;
}

/**
 * The ages of the run's ecosystems' cursors. An ecosystem without a cursor has never started (the
 * run stopped before it): it has no age yet. With none at all the oldest is 0: nothing is stale.
 */
export function recordCursorAges(metrics: Metrics, ecosystems: readonly string[], cursors: readonly EcosystemCursor[], now: Date): { readonly ages: Record<string, number>; readonly oldest: number } {
  const wanted = new Set(ecosystems);
  const ages: Record<string, number> = {};
  for (const cursor of cursors) {
    if (!wanted.has(cursor.ecosystem)) continue;
    const age = cursorAgeSeconds(cursor, now);
    if (age === undefined) continue;
    ages[cursor.ecosystem] = age;
    const single = metrics.singleMetric();
    single.addDimension('Ecosystem', cursor.ecosystem);
    single.addMetric(CURSOR_AGE_METRIC, MetricUnit.Seconds, age);
  }
  const oldest = Math.max(0, ...Object.values(ages));
  metrics.addMetric(OLDEST_CURSOR_AGE_METRIC, MetricUnit.Seconds, oldest);
  return { ages, oldest };
}

export function recordSyncCounts(metrics: Metrics, reports: readonly EcosystemSyncReport[]): void {
  const sum = (pick: (report: EcosystemSyncReport) => number): number => reports.reduce((total, report) => total + pick(report), 0);
  const written = sum((report) => report.written);
  const malformed = sum((report) => report.malformed.length);
  const retracted = sum((report) => report.retracted);
  if (written > 0) metrics.addMetric('AdvisoryRecordsWritten', MetricUnit.Count, written);
  if (malformed > 0) metrics.addMetric('AdvisoryRecordsMalformed', MetricUnit.Count, malformed);
  if (retracted > 0) metrics.addMetric('AdvisoryRecordsRetracted', MetricUnit.Count, retracted);
}

export function recordContinuation(metrics: Metrics): void {
  metrics.addMetric('SyncContinuations', MetricUnit.Count, 1);
}

export function recordRescansQueued(metrics: Metrics, result: QueueRescansResult): void {
  if (result.queued > 0) metrics.addMetric('RescansQueued', MetricUnit.Count, result.queued);
}
