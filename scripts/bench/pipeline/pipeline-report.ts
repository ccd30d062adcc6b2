import { median } from '../measure.ts';
import { computeLines, fixedMonthly, logLines, requestLines, storageLines, sum, type CostLine } from './cost-model.ts';
import type { DeployedResources } from './deployed-resources.ts';
import { readLogOutput } from './log-output.ts';
import type { MeteredScan } from './metered-run.ts';
import { BUDGET, PRICE_REGION, PRICES, PRICES_AS_OF } from './price-table.ts';
import type { PushedBenchImage } from './push-image.ts';
import type { MeterLine } from './request-meter.ts';
import type { TimedScan } from './timed-run.ts';
import { describeVerdictStep, verdictStep } from './verdict-step.ts';
import { QUARANTINE_PHASE, type StepTime } from './metered-run.ts';
import { ENFORCE_POLICY, RELEASE_PHASE, summarizeStep, type QuarantineRun, type StepSummary } from './quarantine-step.ts';

export interface ImageRun {
  readonly pushed: PushedBenchImage;
  readonly metered: MeteredScan;
  readonly timed: readonly TimedScan[];
}

type Log = (line: string) => void;
const usd = (value: number): string => `$${value.toFixed(value >= 0.01 ? 4 : 7)}`;
const fmt = (value: number, digits = 0): string => value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const verdict = (value: number, budget: number): string => (value <= budget ? `PASS (${fmt((100 * value) / budget)}% of the budget)` : `MISS by ${usd(value - budget)} (${fmt(value / budget, 1)}× the budget)`);

function table(lines: readonly CostLine[], log: Log): void {
  log('| service | item | quantity | DynamoDB Local reported | USD |');
  log('|---|---|---|---|---:|');
  for (const line of lines) log(`| ${line.service} | ${line.item} | ${line.quantity} | ${line.localReported ?? ''} | ${usd(line.usd)} |`);
}

/** Medians over the timed runs of each phase's init and handler time, wall and CPU. */
function timings(timed: readonly TimedScan[]) {
  const m = (pick: (run: TimedScan) => number): number => median(timed.map(pick));
  return {
    first: { wall: { initMs: m((r) => r.cold.initMs), durationMs: m((r) => r.cold.invocations[0]!.durationMs) }, cpu: { initMs: m((r) => r.cold.initCpuMs), durationMs: m((r) => r.cold.invocations[0]!.cpuMs) } },
    warmRepeat: { wall: { initMs: 0, durationMs: m((r) => r.cold.invocations[1]!.durationMs) }, cpu: { initMs: 0, durationMs: m((r) => r.cold.invocations[1]!.cpuMs) } },
    coldRepeat: { wall: { initMs: m((r) => r.coldRepeat.initMs), durationMs: m((r) => r.coldRepeat.invocations[0]!.durationMs) }, cpu: { initMs: m((r) => r.coldRepeat.initCpuMs), durationMs: m((r) => r.coldRepeat.invocations[0]!.cpuMs) } },
    maxRssMiB: m((r) => r.maxRssMiB),
    // The handler's time outside the scan (ScanDuration): judging and announcing, plus the ECR
    // DescribeImages stub, the batch processor and logging, which are a few ms.
    outsideScanMs: { first: m((r) => outsideScan(r.cold.invocations[0]!)), warmRepeat: m((r) => outsideScan(r.cold.invocations[1]!)) },
  };
}

function outsideScan(invocation: TimedScan['cold']['invocations'][number]): number {
  const scan = readLogOutput(invocation.logLines).metricSums.ScanDuration ?? 0;
  return Math.max(0, invocation.durationMs - scan);
}

export function printPricesTable(log: Log): void {
  log(`prices: ${PRICE_REGION} list prices as of ${PRICES_AS_OF}`);
  log('| price | per | source |');
  log('|---:|---|---|');
  for (const price of Object.values(PRICES)) log(`| $${price.usd.toPrecision(6).replace(/\.?0+$/, '')} | ${price.per} | ${price.source} |`);
}

/** Prints the reference image's tables; answers its first scan's all-in (CPU-time and wall-time compute). */
export function printReferenceReport(run: ImageRun, resources: DeployedResources, metricSeries: number, log: Log): { allInCpu: number; allInWall: number } {
  const t = timings(run.timed);
  const { memoryMiB } = resources;
  const volume = resources.config.monthlyScanVolume;
  const fixed = fixedMonthly(resources, metricSeries);
  const fixedShare = fixed.monthlyUsd / volume;
  const first = run.timed[0]!.cold;
  const firstLogs = readLogOutput([...first.initLogLines, ...first.invocations[0]!.logLines]);
  const repeatLogs = readLogOutput(first.invocations[1]!.logLines);

  const firstStep = verdictStep(run.metered.firstScan);
  const repeatStep = verdictStep(run.metered.repeatedPush);

  log(`### First scan of ${run.pushed.image.spec.name} (cold start; medians of ${run.timed.length} timed runs)`);
  const requests = [...requestLines(run.metered.firstScan), ...logLines(firstLogs)];
  const computeCpu = computeLines(t.first.cpu, memoryMiB, 'CPU time on one core');
  const computeWall = computeLines(t.first.wall, memoryMiB, 'wall time against the local stand-ins');
  table([...requests, ...computeCpu, computeWall[0]!], log);
  log('');
  log(`Fixed monthly costs, spread over monthlyScanVolume = ${fmt(volume)} scans:`);
  table(fixed.lines, log);
  log('');
  log('Storage a first scan adds (not in the all-in: per month the items and the SBOM are kept):');
  table(storageLines(run.metered.firstScan), log);
  log('');
  const requestUsd = sum(requests) + PRICES.lambdaRequest.usd;
  const firstStepAll = firstStep.usd + computeLines({ initMs: 0, durationMs: t.outsideScanMs.first }, memoryMiB, '')[0]!.usd;
  const allInCpu = requestUsd + computeCpu[0]!.usd + fixedShare;
  const allInWall = requestUsd + computeWall[0]!.usd + fixedShare;
  log('| first scan | USD | budget |');
  log('|---|---:|---|');
  log(`| requests (DynamoDB, S3, SQS, SNS, EventBridge, SSM, Lambda request) and CloudWatch Logs | ${usd(requestUsd)} | |`);
  log(`| of which DynamoDB | ${usd(sum(requests.filter((line) => line.service === 'DynamoDB')))} | |`);
  log(`| of which the verdict step (DynamoDB ${usd(firstStep.dynamodb.usd)}, SNS with the key estimate ${usd(firstStep.alerts.usd)}, EventBridge ${usd(firstStep.events.usd)}, SSM free) | ${usd(firstStep.usd)} | |`);
  log(`| Lambda compute, CPU time (${fmt(t.first.cpu.initMs)} + ${fmt(t.first.cpu.durationMs)} ms) | ${usd(computeCpu[0]!.usd)} | ${verdict(computeCpu[0]!.usd, BUDGET.firstScanCompute)} |`);
  log(`| Lambda compute, wall time on the stand-ins (${fmt(t.first.wall.initMs)} + ${fmt(t.first.wall.durationMs)} ms) | ${usd(computeWall[0]!.usd)} | ${verdict(computeWall[0]!.usd, BUDGET.firstScanCompute)} |`);
  log(`| fixed monthly ${usd(fixed.monthlyUsd)} ÷ ${fmt(volume)} | ${usd(fixedShare)} | |`);
  log(`| **all-in, CPU-time compute** | **${usd(allInCpu)}** | ${verdict(allInCpu, BUDGET.firstScanAllIn)} |`);
  log(`| **all-in, wall-time compute** | **${usd(allInWall)}** | ${verdict(allInWall, BUDGET.firstScanAllIn)} |`);
  log(`| verdict step, all told: its requests + ${fmt(t.outsideScanMs.first)} ms of handler time outside the scan (wall) | ${usd(firstStepAll)} | ${fmt((100 * firstStepAll) / allInCpu, 1)}% of the CPU-time all-in |`);
  log(`| Inspector, first scan | ${usd(PRICES.inspectorFirstScan.usd)} | ${fmt(PRICES.inspectorFirstScan.usd / allInWall, 0)}–${fmt(PRICES.inspectorFirstScan.usd / allInCpu, 0)}× Customs |`);
  log('');
  log(`Scan result: ${run.metered.result.status}, ${fmt(run.metered.result.packageCount)} packages, ${fmt(run.metered.result.findingCount)} findings; peak RSS of the timed process ${fmt(t.maxRssMiB)} MiB (configured ${fmt(memoryMiB)} MB).`);
  log('');
  log(`Verdict step of the first scan: ${describeVerdictStep(firstStep, run.metered.verdicts.firstScan)}`);
  log('');

  log(`### Repeated push of the same digest (medians of ${run.timed.length})`);
  const repeatRequests = [...requestLines(run.metered.repeatedPush), ...logLines(repeatLogs)];
  const warm = computeLines(t.warmRepeat.cpu, memoryMiB, 'warm, CPU time');
  const warmWall = computeLines(t.warmRepeat.wall, memoryMiB, 'warm, wall time');
  const cold = computeLines(t.coldRepeat.wall, memoryMiB, 'cold start, wall time');
  table([...repeatRequests, ...warm, warmWall[0]!, cold[0]!], log);
  log('');
  log(`Verdict step of the repeated push: ${describeVerdictStep(repeatStep, run.metered.verdicts.repeatedPush)}`);
  log('');
  const repeatRequestUsd = sum(repeatRequests) + PRICES.lambdaRequest.usd;
  const repeatStepAll = repeatStep.usd + computeLines({ initMs: 0, durationMs: t.outsideScanMs.warmRepeat }, memoryMiB, '')[0]!.usd;
  log('| repeated push | USD | budget |');
  log('|---|---:|---|');
  log(`| requests and logs | ${usd(repeatRequestUsd)} | |`);
  log(`| of which the verdict step (${fmt(repeatStep.dynamodb.calls)} DynamoDB calls, ${fmt(repeatStep.dynamodb.readUnits, 1)} RRU, ${fmt(repeatStep.dynamodb.writeUnits, 1)} WRU; ${fmt(repeatStep.alerts.entries)} alerts) | ${usd(repeatStep.usd)} | |`);
  log(`| verdict step, all told: its requests + ${fmt(t.outsideScanMs.warmRepeat)} ms of warm handler time outside the scan (wall) | ${usd(repeatStepAll)} | ${fmt((100 * repeatStepAll) / BUDGET.repeatedPush)}% of the budget |`);
  for (const [label, compute] of [['warm, CPU time', warm[0]!], ['warm, wall time', warmWall[0]!], ['cold start, wall time', cold[0]!]] as const) {
    const total = repeatRequestUsd + compute.usd;
    log(`| **total, ${label}** | **${usd(total)}** | ${verdict(total, BUDGET.repeatedPush)} |`);
  }
  log(`| Inspector, rescan | ${usd(PRICES.inspectorRescan.usd)} | ${fmt(PRICES.inspectorRescan.usd / (repeatRequestUsd + warmWall[0]!.usd), 0)}× Customs (warm) |`);
  log('');
  return { allInCpu, allInWall };
}

export function printOtherImages(runs: readonly ImageRun[], resources: DeployedResources, metricSeries: number, log: Log): void {
  const fixedShare = fixedMonthly(resources, metricSeries).monthlyUsd / resources.config.monthlyScanVolume;
  log('### First scans of the other bench images (one timed run each)');
  log('| image | compressed MiB | packages | findings | DynamoDB calls | WRU | RRU | DynamoDB USD | verdict: alerts / events, USD | compute CPU s / wall s | all-in USD (CPU / wall) | Inspector ÷ Customs |');
  log('|---|---:|---:|---:|---:|---:|---:|---:|---|---|---|---:|');
  for (const run of runs) {
    const t = timings(run.timed);
    const dynamo = run.metered.firstScan.filter((line) => line.service === 'DynamoDB');
    const requests = [...requestLines(run.metered.firstScan), ...logLines(readLogOutput([...run.timed[0]!.cold.initLogLines, ...run.timed[0]!.cold.invocations[0]!.logLines]))];
    const base = sum(requests) + PRICES.lambdaRequest.usd + fixedShare;
    const cpu = base + computeLines(t.first.cpu, resources.memoryMiB, '')[0]!.usd;
    const wall = base + computeLines(t.first.wall, resources.memoryMiB, '')[0]!.usd;
    const step = verdictStep(run.metered.firstScan);
    const judged = `${run.metered.verdicts.firstScan?.verdict ?? 'none'}: ${fmt(step.alerts.entries)} / ${fmt(step.events.entries)}, ${usd(step.usd)}`;
    log(
      `| ${run.pushed.image.spec.name} | ${fmt(run.pushed.image.compressedBytes / 2 ** 20, 1)} | ${fmt(run.metered.result.packageCount)} | ${fmt(run.metered.result.findingCount)} | ${fmt(dynamo.reduce((s, l) => s + l.calls, 0))} | ${fmt(dynamo.reduce((s, l) => s + l.writeUnits, 0), 1)} | ${fmt(dynamo.reduce((s, l) => s + l.readUnits, 0), 1)} | ${usd(sum(requests.filter((line) => line.service === 'DynamoDB')))} | ${judged} | ${fmt((t.first.cpu.initMs + t.first.cpu.durationMs) / 1000, 2)} / ${fmt((t.first.wall.initMs + t.first.wall.durationMs) / 1000, 2)} | ${usd(cpu)} / ${usd(wall)} | ${fmt(PRICES.inspectorFirstScan.usd / wall, 0)}–${fmt(PRICES.inspectorFirstScan.usd / cpu, 0)}× |`,
    );
  }
  log('');
}

/** ECR's pricing page: storage and data transfer are billed, its API requests are not. */
const ECR_PRICING = 'https://aws.amazon.com/ecr/pricing/';

/**
 * Enforce mode's steps for the reference image: each one's requests line by line, then side by
 * side with their compute (CPU time on the unmetered runs, medians), the quarantine step's share of
 * a first scan's all-in, and what Inspector offers instead (nothing: it only reports).
 */
export function printQuarantineReport(run: QuarantineRun, reference: { run: ImageRun; allInCpu: number }, resources: DeployedResources, auditSeries: ReadonlySet<string>, log: Log): void {
  const { memoryMiB } = resources;
  const cpuUsd = (ms: number): number => computeLines({ initMs: 0, durationMs: ms }, memoryMiB, '')[0]!.usd;
  const medianOf = (times: readonly StepTime[], pick: (time: StepTime) => number): number => median(times.map(pick));
  const steps: { label: string; lines: readonly MeterLine[]; phase: string; times: readonly StepTime[]; note: string }[] = [
    { label: 'quarantine, first push', lines: run.firstPush, phase: QUARANTINE_PHASE, times: run.times.quarantine, note: 'enforceVerdicts in the handler, after the verdict step' },
    { label: 'repeated push, quarantined', lines: run.repeatedPush, phase: QUARANTINE_PHASE, times: run.times.repeatedPush, note: 'the same push event again: the digest carries only its marker' },
    { label: 'release', lines: run.release, phase: RELEASE_PHASE, times: run.times.release, note: 'releaseImage on the same adapters, outside the handler' },
  ];
  log(`### Enforce mode: quarantine and release of ${reference.run.pushed.image.spec.name} (policy ${JSON.stringify(ENFORCE_POLICY)}; metered once, CPU medians of ${run.times.quarantine.length} unmetered runs)`);
  log('');
  const summaries = new Map<string, StepSummary>();
  for (const step of steps) {
    const phaseLines = step.lines.filter((line) => line.phase === step.phase);
    const summary = summarizeStep(step.lines, step.phase);
    summaries.set(step.label, summary);
    log(`${step.label} (${step.note}):`);
    table([...requestLines(phaseLines), { service: 'Lambda', item: 'compute, CPU time in this process', quantity: `${fmt(medianOf(step.times, (t) => t.cpuMs))} ms CPU (${fmt(medianOf(step.times, (t) => t.wallMs))} ms wall) at ${fmt(memoryMiB)} MB`, usd: cpuUsd(medianOf(step.times, (t) => t.cpuMs)) }], log);
    log('');
  }
  log(`ECR API calls are not billed (${ECR_PRICING}: storage and data transfer are); they are listed for the request volume and the IAM actions they need.`);
  log('');
  log('| step | ECR calls | DynamoDB calls (RRU / WRU) | SNS / EventBridge | requests USD | CPU ms (wall ms) | all told, CPU time | Inspector |');
  log('|---|---|---|---|---:|---|---:|---|');
  const allTold = new Map<string, number>();
  for (const step of steps) {
    const summary = summaries.get(step.label)!;
    const cpu = medianOf(step.times, (t) => t.cpuMs);
    const total = summary.usd + cpuUsd(cpu);
    allTold.set(step.label, total);
    const ecr = Object.entries(summary.ecr).map(([operation, calls]) => `${calls} ${operation}`).join(', ') || 'none';
    const dynamo = `${fmt(summary.dynamodb.reduce((all, line) => all + line.calls, 0))} (${fmt(summary.dynamodb.reduce((all, line) => all + line.readUnits, 0), 1)} / ${fmt(summary.dynamodb.reduce((all, line) => all + line.writeUnits, 0), 1)})`;
    const published = `${fmt(summary.alerts.entries)} (${kindsText(summary.alerts.kinds)}) / ${fmt(summary.events.entries)} (${kindsText(summary.events.kinds)})`;
    log(`| ${step.label} | ${ecr} | ${dynamo} | ${published} | ${usd(summary.usd)} | ${fmt(cpu)} (${fmt(medianOf(step.times, (t) => t.wallMs))}) | ${usd(total)} | no equivalent (Inspector does not quarantine) |`);
  }
  log('');
  const audit = summarizeStep(reference.run.metered.firstScan, QUARANTINE_PHASE);
  const quarantine = allTold.get(steps[0]!.label)!;
  const enforcedAllIn = reference.allInCpu - audit.usd + quarantine;
  log(`In audit mode the same step only reads the verdict: ${auditText(audit)}, ${usd(audit.usd)} of the first scan's requests.`);
  log(`First scan under the enforcing policy: the audit all-in (CPU-time compute) ${usd(reference.allInCpu)} less that read, plus the quarantine step all told ${usd(quarantine)} = ${usd(enforcedAllIn)}; the quarantine step is ${fmt((100 * quarantine) / enforcedAllIn, 1)}% of it.`);
  log(`A release invoked on its own (the API) adds a Lambda request (${usd(PRICES.lambdaRequest.usd)}) and its init, not counted above.`);
  const added = [...run.metricNames].filter((name) => ![...auditSeries].some((series) => series.includes(`/${name}{`)));
  if (added.length > 0) {
    const monthly = added.length * PRICES.customMetricMonth.usd;
    log(`Metric series enforce mode adds: ${added.join(', ')} (${usd(monthly)} a month in any month with a quarantine; ÷ ${fmt(resources.config.monthlyScanVolume)} scans = ${usd(monthly / resources.config.monthlyScanVolume)} a scan, outside the figures above).`);
  }
  log('');
}

function auditText(summary: StepSummary): string {
  const dynamo = summary.dynamodb.map((line) => `${line.calls} ${line.operation} (${fmt(line.readUnits, 1)} RRU)`).join(', ');
  return [dynamo, summary.policyReads > 0 ? `${summary.policyReads} GetParameter` : ''].filter(Boolean).join(', ') || 'nothing';
}

const kindsText = (kinds: Readonly<Record<string, number>>): string =>
  Object.entries(kinds)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([kind, count]) => `${fmt(count)} ${kind}`)
    .join(', ') || 'none';
