import { apiEvent } from '../../../test/support/api-events.ts';
import { RequestMeter, type MeterLine } from '../pipeline/request-meter.ts';
import { planCalls, type ApiCall } from './api-calls.ts';
import { printApiReport, type RouteMeasure } from './api-report.ts';
import { apiWorld, createApiResources, startApiServices, type ApiWorld } from './api-world.ts';
import { GENERATIONS, REPOSITORIES } from './registry-fleet.ts';
import { seedRegistry } from './seed-registry.ts';

type Log = (line: string) => void;

/** Warm runs timed per route, and metered runs counted per route (their mean is reported). */
export const TIMED_RUNS = 30;
export const METERED_RUNS = 3;
const WARM_UP_RUNS = 2;
export const BASELINE = 'GET /verdict';

/**
 * The findings API part of `npm run bench`: the API Lambda as `handler` builds it
 * (createApiDeps + createFindingsApiHandler) on DynamoDB Local and moto, over a registry seeded
 * through the pipeline's stores and judged by its judging deps, driven with API Gateway v2 IAM
 * events. Each route is run warm: on metered clients (requests and units counted, as the pipeline
 * bench counts them) and on plain clients (wall and CPU time), then priced per 1,000 requests.
 */
export async function runApiBench(options: { log: Log }): Promise<void> {
  const { log } = options;
  const started = performance.now();
  log('api:');
  const services = await startApiServices();
  try {
    const resources = await createApiResources(services);
    log(`  seeding ${REPOSITORIES.map((repository) => `${repository.name} (${repository.images})`).join(', ')} through the stores, judged by the scanner's judging deps…`);
    const seeded = await seedRegistry(resources, apiWorld(services, resources));
    const { fleet } = seeded;
    const packages = fleet.images.reduce((sum, image) => sum + image.packages.length, 0) / fleet.images.length;
    log(`  ${fleet.images.length} images (${GENERATIONS} base generations, ${fmt(packages)} packages each on average), ${fmt(seeded.findings)} findings from ${fleet.advisories.length} SYNTHETIC advisories; verdicts ${Object.entries(seeded.verdicts).map(([verdict, count]) => `${verdict} ${count}`).join(', ')}; ${seeded.quarantined.length} quarantined; seeded in ${seeded.seconds.toFixed(0)} s`);

    const plan = planCalls(fleet);
    const { image, rare, exception } = plan.subjects;
    log(`  subjects: ${image.repository}@${image.digest.slice(0, 19)}… (${image.findings.length} findings), rare CVE ${rare}, exception on ${exception.vulnerability} for ${exception.prefix} (${exception.images} images re-judged)`);
    const meter = new RequestMeter();
    const metered = apiWorld(services, resources, meter);
    const plain = apiWorld(services, resources);
    // One world at a time: an exception added is removed by the next call, on the same world.
    for (const world of [metered, plain]) {
      for (let run = 0; run < WARM_UP_RUNS; run++) for (const call of plan.calls) await invoke(world, call);
    }
    meter.take();

    const lines = plan.calls.map((): MeterLine[] => []);
    const sizes = plan.calls.map(() => ({ request: 0, response: 0 }));
    for (let run = 0; run < METERED_RUNS; run++) {
      for (const [n, call] of plan.calls.entries()) {
        const answer = await invoke(metered, call);
        lines[n]!.push(...meter.take());
        sizes[n] = { request: answer.requestBytes, response: answer.responseBytes };
      }
    }
    const timings = plan.calls.map(() => ({ wallMs: [] as number[], cpuMs: [] as number[] }));
    // Round-robin, so drift on the machine spreads over every route alike.
    for (let run = 0; run < TIMED_RUNS; run++) {
      for (const [n, call] of plan.calls.entries()) {
        const answer = await invoke(plain, call);
        timings[n]!.wallMs.push(answer.wallMs);
        timings[n]!.cpuMs.push(answer.cpuMs);
      }
    }
    const measures: RouteMeasure[] = plan.calls.map((call, n) => ({ label: call.label, status: call.status, lines: merge(lines[n]!), meteredRuns: METERED_RUNS, wallMs: timings[n]!.wallMs, cpuMs: timings[n]!.cpuMs, requestBytes: sizes[n]!.request, responseBytes: sizes[n]!.response }));
    printApiReport(measures, { runs: TIMED_RUNS, baseline: BASELINE }, log);
    log('');
    log(`api part: ${((performance.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    await services.stop();
  }
}

interface Answer {
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly requestBytes: number;
  readonly responseBytes: number;
}

/** One request through the handler, timed (wall and this process's CPU); a wrong status or answer stops the bench. */
async function invoke(world: ApiWorld, call: ApiCall): Promise<Answer> {
  const event = apiEvent(call.event());
  const cpu = process.cpuUsage();
  const wall = performance.now();
  const result = await world.handler(event);
  const wallMs = performance.now() - wall;
  const used = process.cpuUsage(cpu);
  const text = result.body ?? '';
  if (result.statusCode !== call.status) throw new Error(`${call.label} answered ${String(result.statusCode)}: ${text.slice(0, 300)}`);
  const problem = call.check?.(JSON.parse(text) as Record<string, unknown>);
  if (problem) throw new Error(`${call.label}: ${problem}`);
  const requestBytes = Buffer.byteLength(event.rawPath) + Buffer.byteLength(event.rawQueryString) + Buffer.byteLength(event.body ?? '');
  return { wallMs, cpuMs: (used.user + used.system) / 1000, requestBytes, responseBytes: Buffer.byteLength(text) };
}

/** The lines of several runs of one route summed per service and operation. */
function merge(lines: readonly MeterLine[]): MeterLine[] {
  const merged = new Map<string, MeterLine>();
  for (const line of lines) {
    const key = `${line.service} ${line.operation}`;
    const into = merged.get(key);
    if (!into) {
      merged.set(key, { ...line, kinds: { ...line.kinds } });
      continue;
    }
    into.calls += line.calls;
    into.billedRequests += line.billedRequests;
    into.readUnits += line.readUnits;
    into.writeUnits += line.writeUnits;
    into.indexWriteUnits += line.indexWriteUnits;
    into.localReportedUnits += line.localReportedUnits;
    into.localUnreported += line.localUnreported;
    into.items += line.items;
    into.bytes += line.bytes;
    for (const [kind, count] of Object.entries(line.kinds)) into.kinds[kind] = (into.kinds[kind] ?? 0) + count;
  }
  return [...merged.values()];
}

const fmt = (value: number, digits = 0): string => value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
