import { median } from '../measure.ts';
import { computeLines, fixedMonthly, logLines, requestLines, storageLines, sum, type CostLine } from './cost-model.ts';
import type { DeployedResources } from './deployed-resources.ts';
import { readLogOutput } from './log-output.ts';
import type { MeteredScan } from './metered-run.ts';
import { BUDGET, PRICE_REGION, PRICES, PRICES_AS_OF } from './price-table.ts';
import type { PushedBenchImage } from './push-image.ts';
import type { TimedScan } from './timed-run.ts';
import { describeVerdictStep, verdictStep } from './verdict-step.ts';

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

export function printReferenceReport(run: ImageRun, resources: DeployedResources, metricSeries: number, log: Log): void {
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
