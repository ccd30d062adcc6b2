import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { EnforcementOutcome } from '../../core/use-cases/enforce-verdicts.ts';
import type { EvaluationRun } from '../../core/use-cases/evaluate-images.ts';
import type { ScanImageResult } from '../../core/use-cases/scan-image.ts';
import type { LayerCacheCounters } from '../../adapters/s3/s3-layer-analysis-cache.ts';
import type { RejectionReason } from '../../adapters/ecr/ecr-image-event.ts';

/**
 * EMF metrics of the scanner. Dimensions are low-cardinality on purpose (status, severity, reason):
 * never a repository or digest, each of which would be a metric of its own. Every series is a
 * custom metric paid monthly ($0.30), a third of a first scan's fixed cost at 10,000 scans a month,
 * so series are chosen: findings as a total plus CRITICAL and HIGH (what alarms watch; the rest is
 * in each result and log line), and of the manifests not scanned only contention (`busy`), not the
 * duplicates every repeated push produces.
 */
const ALARMED_SEVERITIES: ReadonlySet<string> = new Set(['CRITICAL', 'HIGH']);

export function recordScanMetrics(metrics: Metrics, result: ScanImageResult, durationMs: number): void {
  metrics.addMetric('ScanDuration', MetricUnit.Milliseconds, durationMs);
  for (const manifest of result.manifests) {
    if (manifest.outcome === 'scanned') {
      counted(metrics, 'Status', manifest.status, 'ManifestsScanned');
      if (manifest.packageCount > 0) metrics.addMetric('Packages', MetricUnit.Count, manifest.packageCount);
      if (manifest.layerBytesRead > 0) metrics.addMetric('LayerBytesRead', MetricUnit.Bytes, manifest.layerBytesRead);
      const counts = Object.entries(manifest.severityCounts);
      const total = counts.reduce((sum, [, count]) => sum + count, 0);
      if (total > 0) metrics.addMetric('Findings', MetricUnit.Count, total);
      for (const [severity, count] of counts) if (ALARMED_SEVERITIES.has(severity)) counted(metrics, 'Severity', severity, 'Findings', count);
    } else if (manifest.outcome === 'busy') {
      metrics.addMetric('ScansBusy', MetricUnit.Count, 1);
    }
  }
}

export function recordRejection(metrics: Metrics, reason: RejectionReason): void {
  counted(metrics, 'Reason', reason, 'RecordsRejected');
}

/** A record whose event needed no scan: a DELETE, or a push of a digest that is gone again. */
export function recordTagChange(metrics: Metrics, action: string): void {
  counted(metrics, 'Action', action, 'ImageStateChanges');
}

/**
 * The persistent layer cache: hits, and problems (invalid objects, failed reads or writes), which
 * slow scans down without failing them, so they show only here. Two series, not one per outcome:
 * each series is a custom metric, paid monthly.
 */
export function recordLayerCache(metrics: Metrics, counters: LayerCacheCounters): void {
  const problems = counters.invalid + counters.readErrors + counters.writeErrors;
  if (counters.hits > 0) metrics.addMetric('LayerCacheHits', MetricUnit.Count, counters.hits);
  if (problems > 0) metrics.addMetric('LayerCacheProblems', MetricUnit.Count, problems);
}

/**
 * Alert messages handed to the topic by one record's evaluation. One series: the events put with
 * them are on the record's log line, not a second metric paid monthly.
 */
export function recordAlerts(metrics: Metrics, run: EvaluationRun): void {
  if (run.published.alerts > 0) metrics.addMetric('AlertsPublished', MetricUnit.Count, run.published.alerts);
}

/** What enforce mode did: images quarantined (or tags removed again), and quarantines that could not hold. */
export function recordEnforcement(metrics: Metrics, outcomes: readonly EnforcementOutcome[]): void {
  const quarantined = outcomes.filter((outcome) => outcome.action === 'quarantined').length;
  const skipped = outcomes.filter((outcome) => outcome.action === 'skipped').length;
  if (quarantined > 0) metrics.addMetric('ImagesQuarantined', MetricUnit.Count, quarantined);
  if (skipped > 0) metrics.addMetric('QuarantinesSkipped', MetricUnit.Count, skipped);
}

/** A publish to the alerts topic or the bus that failed (the record is retried; the alarm watches this). */
export function recordPublishFailure(metrics: Metrics): void {
  metrics.addMetric('AlertPublishFailures', MetricUnit.Count, 1);
}

export function recordRetry(metrics: Metrics): void {
  metrics.addMetric('TransientFailures', MetricUnit.Count, 1);
}

function counted(metrics: Metrics, dimension: string, value: string, name: string, count = 1): void {
  const single = metrics.singleMetric();
  single.addDimension(dimension, value);
  single.addMetric(name, MetricUnit.Count, count);
}
