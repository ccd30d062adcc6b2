import { execFileSync } from 'node:child_process';
import { BENCH_IMAGES } from '../bench-images.ts';
import { ensureBenchImage, type BenchImage } from '../build-bench-image.ts';
import { resolveImage } from '../image-sources.ts';
import { loadAdvisoryFixture } from './advisory-fixture.ts';
import { deployedResources } from './deployed-resources.ts';
import { startLocalServices, type LocalServices } from './local-services.ts';
import { readLogOutput } from './log-output.ts';
import { meteredScan } from './metered-run.ts';
import { printOtherImages, printPricesTable, printQuarantineReport, printReferenceReport, type ImageRun } from './pipeline-report.ts';
import { pushBenchImage } from './push-image.ts';
import { runQuarantine } from './quarantine-step.ts';
import { REFERENCE_IMAGE } from './reference-image.ts';
import { SYNTHETIC_LABEL } from './synthetic-debian-advisories.ts';
import { bundleLambda, pinnedCommand, timedScan, type Bundles } from './timed-run.ts';
import { verdictStep } from './verdict-step.ts';

/** The bench images scanned once through the pipeline beside the reference image. */
const OTHER_IMAGES = ['100MiB-1layer', 'npm-20k-3layers'];

type Log = (line: string) => void;

/**
 * The pipeline part of `npm run bench`: the scanner handler on local stand-ins of every service,
 * its requests counted and request units computed (metered run), its time measured on one CPU
 * (bundled handler in a fresh process), priced at list prices per first scan and per repeated push
 * of the reference image and per first scan of other bench images, beside Inspector's price; then
 * enforce mode's quarantine, a repeated push of the quarantined image and its release, priced alike.
 */
export async function runPipelineBench(options: { runs: number; imagesDir: string; scratch: string; log: Log }): Promise<void> {
  const { runs, imagesDir, scratch, log } = options;
  log('pipeline:');
  const started = performance.now();
  const resources = deployedResources();
  log(`  stack defaults: ${resources.lambdaArchitecture} Lambda at ${resources.memoryMiB} MB, monthlyScanVolume ${resources.config.monthlyScanVolume}, ${resources.alarms} alarms, ${resources.kmsKeys} KMS keys`);
  const reference = await ensureBenchImage(imagesDir, REFERENCE_IMAGE, log);
  const others: BenchImage[] = [];
  for (const spec of BENCH_IMAGES.filter((image) => OTHER_IMAGES.includes(image.name))) {
    const resolved = await resolveImage(spec);
    if ('source' in resolved) others.push(await ensureBenchImage(imagesDir, resolved.source, log));
  }
  const pinned = pinnedCommand();
  log(`  timed runs: ${pinned.pinned ? 'taskset -c 0 (one CPU), the stand-ins on the other CPU' : 'NOT pinned (no taskset): the timed process may use every CPU'}`);
  const services = await startPinnedAway(pinned.pinned);
  try {
    const fixture = await loadAdvisoryFixture(services.dynamodbClient(), log);
    log(`  advisory table loaded in ${fixture.seconds.toFixed(0)} s: ${fixture.report.written.toLocaleString('en-US')} records (${fixture.synthetic.linux.toLocaleString('en-US')} synthetic for linux)`);
    const bundles = await bundleLambda(scratch);
    const nodeArgs = benchNodeArgs(process.env);
    if (nodeArgs.length > 0) log(`  timed processes run with ${NODE_ARGS_ENV}: ${nodeArgs.join(' ')}`);
    log(`  handler bundle: ${(bundles.handlerBytes / 2 ** 20).toFixed(1)} MiB`);
    const referenceRun = await runImage(services, fixture.table, reference, bundles, runs, { scratch, memoryMiB: resources.memoryMiB, nodeArgs, expectAlert: 'FAILED_POLICY' }, log);
    const otherRuns: ImageRun[] = [];
    for (const image of others) otherRuns.push(await runImage(services, fixture.table, image, bundles, 1, { scratch, memoryMiB: resources.memoryMiB, nodeArgs }, log));
    // Enforce mode on the reference image: quarantined by its first push, pushed again, released.
    const quarantineRun = await runQuarantine(services, fixture.table, referenceRun.pushed, runs, log);

    // Metric series a busy month keeps alive: every one the scans here emitted (rare ones, such as rejections, are not).
    const series = new Set<string>();
    for (const run of [referenceRun, ...otherRuns]) {
      for (const timed of run.timed) for (const invocation of timed.cold.invocations) for (const name of readLogOutput(invocation.logLines).metricSeries) series.add(name);
    }
    log('');
    log(`pipeline cost (advisories: shared OSV fixtures + ${SYNTHETIC_LABEL}):`);
    log('');
    const image = referenceRun.pushed.image;
    log(`reference image ${image.spec.name}: ${image.layers.length} layers, ${(image.compressedBytes / 2 ** 20).toFixed(1)} MiB compressed, ${(image.uncompressedBytes / 2 ** 20).toFixed(1)} MiB uncompressed, ${image.files.toLocaleString('en-US')} files; ${JSON.stringify(image.spec.expect.packages)} packages`);
    log('');
    const referenceAllIn = printReferenceReport(referenceRun, resources, series.size, log);
    printQuarantineReport(quarantineRun, { run: referenceRun, allInCpu: referenceAllIn.allInCpu }, resources, series, log);
    printOtherImages(otherRuns, resources, series.size, log);
    log(`metric series: ${[...series].sort().join(', ')}`);
    log('');
    printPricesTable(log);
    log('');
    log(`pipeline part: ${((performance.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    await services.stop();
  }
}

async function runImage(services: LocalServices, advisoryTable: string, image: BenchImage, bundles: Bundles, runs: number, options: { scratch: string; memoryMiB: number; nodeArgs: readonly string[]; expectAlert?: string }, log: Log): Promise<ImageRun> {
  const pushed = await pushBenchImage(services.registry, image);
  const metered = await meteredScan(services, advisoryTable, pushed);
  const expected = Object.values(image.spec.expect.packages).reduce((sum, count) => sum + count, 0);
  if (metered.result.status !== 'SCANNED' || metered.result.packageCount !== expected) {
    throw new Error(`${image.spec.name}: the pipeline stored ${metered.result.status} with ${metered.result.packageCount} packages, expected SCANNED with ${expected}${metered.result.reason ? ` (${metered.result.reason})` : ''}`);
  }
  log(`  ${image.spec.name}: metered run ${metered.wallSeconds.toFixed(0)} s (${metered.result.packageCount.toLocaleString('en-US')} packages, ${metered.result.findingCount.toLocaleString('en-US')} findings packed in ${metered.packedFindings.chunks} item(s), ${(metered.packedFindings.bytes / 1024).toFixed(1)} KiB, ${metered.packedFindings.writeUnits} WRU)`);
  const alerts = checkAlerts(image.spec.name, metered, options.expectAlert);
  log(`  ${image.spec.name}: verdict ${metered.verdicts.firstScan?.verdict ?? 'none'}, first scan ${alerts.first} alert(s) and ${alerts.events} event(s), repeated push 0`);
  const timed = [];
  for (let run = 0; run < runs; run++) {
    const result = await timedScan(services, advisoryTable, pushed, bundles, options);
    timed.push(result);
    const first = result.cold.invocations[0]!;
    // The bundled handler must have announced what the metered one did, and the repeat nothing.
    const announced = [first, result.cold.invocations[1]!].map((invocation) => readLogOutput(invocation.logLines).metricSums.AlertsPublished ?? 0);
    if (announced[0] !== alerts.first || announced[1] !== 0) throw new Error(`${image.spec.name}: the timed handler published ${announced.join(' then ')} alerts, the metered one ${alerts.first} then 0`);
    log(`  ${image.spec.name}: timed run ${run + 1} of ${runs}: init ${result.cold.initMs.toFixed(0)} ms, first scan ${first.durationMs.toFixed(0)} ms wall / ${first.cpuMs.toFixed(0)} ms CPU, repeated push ${result.cold.invocations[1]!.durationMs.toFixed(0)} ms`);
  }
  return { pushed, metered, timed };
}

/** The alert path's invariants: the repeated push announces and writes nothing; the first scan announces what the bench expects. */
function checkAlerts(name: string, metered: ImageRun['metered'], expected: string | undefined): { first: number; events: number } {
  const first = verdictStep(metered.firstScan);
  const repeat = verdictStep(metered.repeatedPush);
  if (repeat.alerts.entries > 0 || repeat.events.entries > 0) throw new Error(`${name}: the repeated push published ${repeat.alerts.entries} alerts and ${repeat.events.entries} events; it must announce nothing`);
  // An unchanged image answers from its stored verdict: a write here is the rewrite-every-push regression.
  if (repeat.verdictItems.writes > 0) throw new Error(`${name}: the repeated push wrote the verdict item ${repeat.verdictItems.writes} time(s) (revision ${metered.verdicts.firstScan?.revision ?? '?'} → ${metered.verdicts.repeatedPush?.revision ?? '?'}); nothing changed, so it must not`);
  if (expected !== undefined && !((first.alerts.kinds[expected] ?? 0) > 0)) {
    throw new Error(`${name}: the first scan published no ${expected} alert (${JSON.stringify(first.alerts.kinds)}; verdict ${metered.verdicts.firstScan?.verdict ?? 'none'}): the bench policy no longer fails it`);
  }
  return { first: first.alerts.entries, events: first.events.entries };
}

/** Extra node flags for the timed processes, e.g. `--cpu-prof --cpu-prof-dir=DIR` to profile the scan. */
const NODE_ARGS_ENV = 'CUSTOMS_BENCH_NODE_ARGS';

function benchNodeArgs(env: NodeJS.ProcessEnv): string[] {
  return (env[NODE_ARGS_ENV] ?? '').split(/\s+/).filter((arg) => arg.length > 0);
}

/** The stand-ins inherit CPU 1 only, so the timed process has CPU 0 to itself (as far as this machine allows). */
async function startPinnedAway(pin: boolean): Promise<LocalServices> {
  const set = (cpus: string): void => void execFileSync('taskset', ['-p', '-c', cpus, String(process.pid)], { stdio: 'ignore' });
  if (!pin) return startLocalServices();
  set('1');
  try {
    return await startLocalServices();
  } finally {
    set('0-1');
  }
}
