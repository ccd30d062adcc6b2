import { requestLines } from '../pipeline/cost-model.ts';
import { PRICE_REGION, PRICES, PRICES_AS_OF } from '../pipeline/price-table.ts';
import type { MeterLine } from '../pipeline/request-meter.ts';
import { concurrencyFor, lambdaDurationMs, MEMORY_PER_VCPU_MB, NEW_TABLE_WRITES_PER_SECOND, projectWallTime, type ProjectionInput } from './wall-time-model.ts';

type Log = (line: string) => void;

/** The issue's goals for a rescan. */
export const RESCAN_GOALS = { wallSeconds: 60, usdPerImage: 0.0001 } as const;

export interface TimedMessage {
  readonly digests: number;
  readonly wallMs: number;
  readonly cpuMs: number;
}

export interface RescanReportInput {
  readonly fleet: {
    readonly stored: number;
    readonly affected: number;
    readonly unaffectedStored: number;
    readonly issueImages: number;
    readonly packagesPerImage: number;
    readonly storeSeconds: number;
    readonly fullImagesPerSecond: number;
    readonly indexEntriesDropped: number;
    readonly findingsBefore: number;
  };
  readonly changedRecords: readonly string[];
  readonly fanOut: { readonly wallMs: number; readonly cpuMs: number; readonly messages: number };
  readonly lines: readonly MeterLine[];
  readonly meteredImages: number;
  readonly meteredMessages: number;
  readonly timed: readonly TimedMessage[];
  readonly defaults: { readonly digestsPerMessage: number; readonly maxConcurrency: number; readonly memoryMb: number; readonly syncMemoryMb: number };
  readonly phases: { readonly fanOut: string; readonly rescan: string; readonly poller: string };
}

interface PerImageLine {
  readonly item: string;
  readonly quantity: string;
  readonly usd: number;
}

const fmt = (value: number, digits = 0): string => value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const usd = (value: number): string => `$${value.toFixed(8)}`;
const goal = (met: boolean, text: string): string => `${met ? 'MET' : 'MISSED'}: ${text}`;

export function printRescanReport(input: RescanReportInput, log: Log): void {
  const { fleet, defaults, phases } = input;
  log('');
  log(`rescan throughput and cost (us-east-1 list prices as of ${PRICES_AS_OF}, ${PRICE_REGION}):`);
  log('');
  log(`fleet: ${fmt(fleet.stored)} images stored of the issue's ${fmt(fleet.issueImages)}, ${fleet.packagesPerImage} packages each (110 Debian 9, 190 npm): the ${fmt(fleet.affected)} affected (a tenth) and ${fmt(fleet.unaffectedStored)} unaffected stored whole.`);
  log(
    `scaled: the other ${fmt(fleet.issueImages - fleet.stored)} unaffected images are not stored. Stored whole, DynamoDB Local took ${fmt(fleet.fullImagesPerSecond, 1)} images/s (${fmt(fleet.fullImagesPerSecond * fleet.packagesPerImage)} index entries/s), so ${fmt(fleet.issueImages)} would take ${fmt(fleet.issueImages / fleet.fullImagesPerSecond / 60)} min; an unaffected image is in no changed key's index partition, so the fan-out never reaches it (the ${fmt(fleet.unaffectedStored)} stored whole show it), and the affected images were stored with only the changed packages' index entries (${fmt(fleet.indexEntriesDropped)} others dropped, never read by fan-out or rescan).`,
  );
  log(`changed advisories: ${input.changedRecords.join(', ')} (shared OSV fixtures); ${fmt(fleet.findingsBefore)} findings stored before the sync.`);
  log('');

  // Throughput on one CPU, from the plain (unmetered) messages.
  const timedImages = input.timed.reduce((sum, message) => sum + message.digests, 0);
  const timedCpuMs = input.timed.reduce((sum, message) => sum + message.cpuMs, 0);
  const timedWallMs = input.timed.reduce((sum, message) => sum + message.wallMs, 0);
  const perMessage = { cpuMs: timedCpuMs / input.timed.length, waitMs: Math.max(0, timedWallMs - timedCpuMs) / input.timed.length };
  const messageMs = lambdaDurationMs(perMessage, defaults.memoryMb);
  log(`re-evaluation: ${fmt(timedImages / (timedCpuMs / 1000), 1)} images/s on one CPU (${input.timed.length} timed messages, ${fmt(timedImages)} images, ${fmt(timedCpuMs)} ms CPU, ${fmt(timedWallMs)} ms wall; ${fmt(timedImages / (timedWallMs / 1000), 1)} images/s wall on the local stand-ins)`);
  log(`  per message of ${defaults.digestsPerMessage}: ${fmt(perMessage.cpuMs)} ms CPU + ${fmt(perMessage.waitMs)} ms waiting; in Lambda at ${defaults.memoryMb} MB (${fmt(defaults.memoryMb / MEMORY_PER_VCPU_MB, 2)} vCPU): ${fmt(messageMs)} ms`);
  log('');

  // Requests per rescanned image: the rescan's from the metered messages, the fan-out's and the poller's over every affected image.
  const perImage: PerImageLine[] = [];
  for (const line of input.lines) {
    const images = line.phase === phases.rescan ? input.meteredImages : fleet.affected;
    for (const priced of requestLines([line])) {
      const units = line.service === 'DynamoDB' ? `; ${fmt(line.writeUnits / images, 2)} WRU, ${fmt(line.readUnits / images, 2)} RRU` : line.billedRequests !== line.calls && line.billedRequests > 0 ? `; ${fmt(line.billedRequests / images, 3)} billed` : '';
      perImage.push({ item: `${priced.service} ${priced.item}`, quantity: priced.service === line.service ? `${fmt(line.calls / images, 3)} calls${units}` : priced.quantity.replace(/^([\d,]+)/, (count) => fmt(Number(count.replaceAll(',', '')) / images, 3)), usd: priced.usd / images });
    }
  }
  const gbSeconds = (memoryMb: number, ms: number): number => (memoryMb / 1024) * (ms / 1000);
  const rescanLambdaMs = input.timed.reduce((sum, message) => sum + lambdaDurationMs({ cpuMs: message.cpuMs, waitMs: Math.max(0, message.wallMs - message.cpuMs) }, defaults.memoryMb), 0);
  const rescanGbs = gbSeconds(defaults.memoryMb, rescanLambdaMs) / timedImages;
  perImage.push({ item: `Lambda rescan compute (${defaults.memoryMb} MB arm64)`, quantity: `${fmt(rescanLambdaMs / timedImages, 1)} ms = ${rescanGbs.toFixed(5)} GB-s`, usd: rescanGbs * PRICES.lambdaArmGbSecond.usd });
  perImage.push({ item: 'Lambda rescan request', quantity: `${fmt(input.timed.length / timedImages, 3)} invocations`, usd: (input.timed.length / timedImages) * PRICES.lambdaRequest.usd });
  const fanOutMs = lambdaDurationMs({ cpuMs: input.fanOut.cpuMs, waitMs: Math.max(0, input.fanOut.wallMs - input.fanOut.cpuMs) }, defaults.syncMemoryMb);
  const fanOutGbs = gbSeconds(defaults.syncMemoryMb, fanOutMs) / fleet.affected;
  perImage.push({ item: `Lambda fan-out compute (in the sync, ${defaults.syncMemoryMb} MB)`, quantity: `${fmt(fanOutMs / fleet.affected, 2)} ms = ${fanOutGbs.toFixed(6)} GB-s`, usd: fanOutGbs * PRICES.lambdaArmGbSecond.usd });
  const total = perImage.reduce((sum, line) => sum + line.usd, 0);
  log(`requests per rescanned image (${phases.rescan}: ${input.meteredMessages} metered messages, ${fmt(input.meteredImages)} images; ${phases.fanOut} and ${phases.poller}: over all ${fmt(fleet.affected)}):`);
  log('');
  log('| item | per image | USD per image |');
  log('|---|---|---:|');
  for (const line of perImage) log(`| ${line.item} | ${line.quantity} | ${usd(line.usd)} |`);
  log(`| **total** | | **${usd(total)}** |`);
  log('');
  log(`per rescanned image: ${usd(total)}, ${fmt((100 * total) / RESCAN_GOALS.usdPerImage)}% of the $${RESCAN_GOALS.usdPerImage} goal; Inspector charges $${PRICES.inspectorRescan.usd} per rescan (${fmt(PRICES.inspectorRescan.usd / total)}× this). CloudWatch Logs of the handler are not included (the handler is not run here).`);
  const top = [...perImage].sort((a, b) => b.usd - a.usd).slice(0, 3);
  log(`dominated by: ${top.map((line) => `${line.item} ${fmt((100 * line.usd) / total)}%`).join(', ')}`);
  log('');

  // Wall time in AWS.
  const rescanLines = input.lines.filter((line) => line.phase === phases.rescan && line.service === 'DynamoDB');
  const message = { writeUnits: rescanLines.reduce((sum, line) => sum + line.writeUnits, 0) / input.meteredMessages, readUnits: rescanLines.reduce((sum, line) => sum + line.readUnits, 0) / input.meteredMessages };
  const markWriteUnits = input.lines.filter((line) => line.phase === phases.fanOut && line.service === 'DynamoDB').reduce((sum, line) => sum + line.writeUnits, 0);
  const messages = Math.ceil(fleet.affected / defaults.digestsPerMessage);
  const projection: Omit<ProjectionInput, 'maxConcurrency'> = { messages, messageMs, message, fanOutMs, markWriteUnits };
  const atDefault = projectWallTime({ ...projection, maxConcurrency: defaults.maxConcurrency });
  log(`projected wall time in AWS: ${fmt(messages)} messages of ${defaults.digestsPerMessage} digests, ${fmt(messageMs)} ms each, ${fmt(message.writeUnits)} WRU and ${fmt(message.readUnits)} RRU each; the fan-out ${fmt(fanOutMs)} ms in Lambda (${fmt(markWriteUnits)} WRU of marks in one partition); the event source starts at 5 concurrent and adds 300 a minute; a new on-demand table takes ${fmt(NEW_TABLE_WRITES_PER_SECOND)} writes/s`);
  log('');
  log('| maxConcurrency | wall time | peak concurrency | peak WRU/s | table-limited |');
  log('|---:|---:|---:|---:|---|');
  const needed = concurrencyFor(RESCAN_GOALS.wallSeconds, projection);
  for (const concurrency of [...new Set([2, defaults.maxConcurrency, 10, 20, messages, ...(needed ? [needed] : [])])].sort((a, b) => a - b)) {
    const p = projectWallTime({ ...projection, maxConcurrency: concurrency });
    log(`| ${concurrency}${concurrency === defaults.maxConcurrency ? ' (default)' : ''} | ${fmt(p.seconds, 1)} s | ${p.peakConcurrency} | ${fmt(p.peakWritesPerSecond)} | ${p.tableLimited ? 'yes' : 'no'} |`);
  }
  log('');
  log(`concurrency needed for ${RESCAN_GOALS.wallSeconds} s: ${needed === undefined ? `none up to one invocation per message (${messages}): each message alone takes ${fmt(messageMs / 1000, 1)} s; fewer digests per message are needed` : String(needed)}`);
  log('');
  log('goals:');
  log(`  ${goal(atDefault.seconds <= RESCAN_GOALS.wallSeconds, `all ${fmt(fleet.affected)} affected images re-evaluated in ${fmt(atDefault.seconds, 1)} s projected at the default maxConcurrency ${defaults.maxConcurrency} (goal ${RESCAN_GOALS.wallSeconds} s)`)}`);
  log(`  ${goal(total <= RESCAN_GOALS.usdPerImage, `${usd(total)} per rescanned image (goal $${RESCAN_GOALS.usdPerImage})`)}`);
}
