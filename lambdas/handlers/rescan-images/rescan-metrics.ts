import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { RescanRun } from '../../core/use-cases/rescan-images.ts';

/**
 * EMF metrics of one rescan message, without dimensions (a digest or repository would be a paid
 * series of its own). Each is added even when zero, so a graph shows rescans that changed nothing.
 */
export function recordRescan(metrics: Metrics, run: RescanRun): void {
  const { counts } = run;
  metrics.addMetric('ImagesRescanned', MetricUnit.Count, counts.touched + counts.untouched);
  metrics.addMetric('FindingsAdded', MetricUnit.Count, counts.added);
  metrics.addMetric('FindingsResolved', MetricUnit.Count, counts.resolved);
  metrics.addMetric('RescanAlerts', MetricUnit.Count, counts.alerts);
  metrics.addMetric('ImagesQuarantined', MetricUnit.Count, counts.quarantined);
  metrics.addMetric('ImagesReleased', MetricUnit.Count, counts.released);
}
