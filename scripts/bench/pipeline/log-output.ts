import { z } from 'zod';

/**
 * What the handler printed, as CloudWatch Logs ingests it: one event per line, billed on its bytes
 * (the bench adds the 26 bytes per event PutLogEvents counts, so it errs high); EMF lines also make
 * custom metrics, one per namespace, name and dimension values.
 */
export interface LogOutput {
  readonly events: number;
  readonly bytes: number;
  readonly emfEvents: number;
  readonly metricSeries: ReadonlySet<string>;
  /** Each metric's values summed over the lines, by name (`ScanDuration` in ms). */
  readonly metricSums: Readonly<Record<string, number>>;
}

export const LOG_EVENT_OVERHEAD_BYTES = 26;

const emfSchema = z.looseObject({
  _aws: z.object({ CloudWatchMetrics: z.array(z.object({ Namespace: z.string(), Dimensions: z.array(z.array(z.string())), Metrics: z.array(z.object({ Name: z.string() })) })) }),
});

export function readLogOutput(lines: readonly string[]): LogOutput {
  const series = new Set<string>();
  const sums: Record<string, number> = {};
  let bytes = 0;
  let emfEvents = 0;
  for (const line of lines) {
    bytes += Buffer.byteLength(line) + LOG_EVENT_OVERHEAD_BYTES;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      continue;
    }
    const emf = emfSchema.safeParse(parsed);
    if (!emf.success) continue;
    emfEvents++;
    const values = emf.data as Record<string, unknown>;
    for (const directive of emf.data._aws.CloudWatchMetrics) {
      for (const dimensions of directive.Dimensions) {
        const dims = dimensions.map((name) => `${name}=${String(values[name])}`).join(',');
        for (const metric of directive.Metrics) series.add(`${directive.Namespace}/${metric.Name}{${dims}}`);
      }
      for (const metric of directive.Metrics) {
        const value = values[metric.Name];
        const numbers = Array.isArray(value) ? value : [value];
        for (const number of numbers) if (typeof number === 'number') sums[metric.Name] = (sums[metric.Name] ?? 0) + number;
      }
    }
  }
  return { events: lines.length, bytes, emfEvents, metricSeries: series, metricSums: sums };
}
