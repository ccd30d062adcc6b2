import { requestLines } from '../pipeline/cost-model.ts';
import { PRICES } from '../pipeline/price-table.ts';
import type { MeterLine } from '../pipeline/request-meter.ts';
import { accessLogBytes, API_MEMORY_MB, API_PRICES, billedApiRequests, PRICE_REGION, PRICES_AS_OF, VCPU_SHARE } from './api-prices.ts';

type Log = (line: string) => void;

/** What the bench measured of one route. */
export interface RouteMeasure {
  readonly label: string;
  readonly status: number;
  /** Metered runs: every line counted over `meteredRuns` calls. */
  readonly lines: readonly MeterLine[];
  readonly meteredRuns: number;
  /** Timed runs on plain clients, warm. */
  readonly wallMs: readonly number[];
  readonly cpuMs: readonly number[];
  readonly requestBytes: number;
  readonly responseBytes: number;
}

export interface RoutePrice {
  readonly label: string;
  readonly dynamodbCalls: number;
  readonly readUnits: number;
  readonly writeUnits: number;
  readonly s3: number;
  readonly sqs: number;
  readonly otherCalls: number;
  readonly wall: { readonly median: number; readonly p95: number };
  readonly cpuMedian: number;
  readonly lambdaMs: number;
  /** USD per request, by part. */
  readonly usd: { readonly apiGateway: number; readonly lambda: number; readonly dynamodb: number; readonly other: number; readonly logs: number; readonly total: number };
}

const GB = 2 ** 30;
const fmt = (value: number, digits = 0): string => value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const usd = (value: number): string => `$${value < 0.01 ? value.toFixed(5) : value.toFixed(4)}`;

export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/**
 * One route priced per request: API Gateway (512 KB increments), Lambda at the configured memory
 * (the handler's CPU stretched to that memory's vCPU share, plus its measured waiting, billed by
 * the millisecond), the metered requests at the pipeline's price table, and the access log line.
 */
export function priceRoute(measure: RouteMeasure): RoutePrice {
  const per = (value: number): number => value / measure.meteredRuns;
  const sumOf = (service: MeterLine['service'], field: 'calls' | 'readUnits' | 'writeUnits' | 'billedRequests'): number => per(measure.lines.filter((line) => line.service === service).reduce((sum, line) => sum + line[field], 0));
  const priced = requestLines(measure.lines);
  const dynamodb = per(priced.filter((line) => line.service === 'DynamoDB').reduce((sum, line) => sum + line.usd, 0));
  const other = per(priced.filter((line) => line.service !== 'DynamoDB').reduce((sum, line) => sum + line.usd, 0));
  // Per sample, then the median: a sample's waiting is its wall less its CPU.
  const lambdaSamples = measure.wallMs.map((wall, n) => Math.ceil(measure.cpuMs[n]! / VCPU_SHARE + Math.max(0, wall - measure.cpuMs[n]!)));
  const lambdaMs = quantile(lambdaSamples, 0.5);
  const wallMedian = quantile(measure.wallMs, 0.5);
  const lambda = (API_MEMORY_MB / 1024) * (lambdaMs / 1000) * PRICES.lambdaArmGbSecond.usd + PRICES.lambdaRequest.usd;
  const apiGateway = billedApiRequests(measure.requestBytes, measure.responseBytes) * API_PRICES.httpApiRequest.usd;
  const logs = (accessLogBytes(measure.label.split(' ').slice(0, 2).join(' '), measure.status, measure.responseBytes, wallMedian) / GB) * PRICES.logsIngestGb.usd;
  return {
    label: measure.label,
    dynamodbCalls: sumOf('DynamoDB', 'calls'),
    readUnits: sumOf('DynamoDB', 'readUnits'),
    writeUnits: sumOf('DynamoDB', 'writeUnits'),
    s3: sumOf('S3', 'calls'),
    sqs: sumOf('SQS', 'billedRequests'),
    otherCalls: sumOf('SNS', 'calls') + sumOf('EventBridge', 'calls') + sumOf('SSM', 'calls'),
    wall: { median: wallMedian, p95: quantile(measure.wallMs, 0.95) },
    cpuMedian: quantile(measure.cpuMs, 0.5),
    lambdaMs,
    usd: { apiGateway, lambda, dynamodb, other, logs, total: apiGateway + lambda + dynamodb + other + logs },
  };
}

export function printApiReport(measures: readonly RouteMeasure[], context: { runs: number; baseline: string }, log: Log): RoutePrice[] {
  const prices = measures.map(priceRoute);
  const baseline = prices.find((price) => price.label === context.baseline)!;
  log(`findings API cost per route (${PRICE_REGION} list prices as of ${PRICES_AS_OF}; API Gateway HTTP API ${usd(API_PRICES.httpApiRequest.usd * 1e6)} per million, Lambda arm64 at ${fmt(API_MEMORY_MB)} MB = ${fmt(VCPU_SHARE, 2)} vCPU):`);
  log(`requests per call (metered runs) and handler latency (${context.runs} warm runs each, on DynamoDB Local and moto):`);
  log('| route | DynamoDB calls | RRU | WRU | S3 | SQS | SNS/EB/SSM | answer bytes | median ms | p95 ms | CPU ms | Lambda ms |');
  log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const [n, price] of prices.entries()) {
    const measure = measures[n]!;
    log(`| ${price.label} | ${fmt(price.dynamodbCalls, 1)} | ${fmt(price.readUnits, 1)} | ${fmt(price.writeUnits, 1)} | ${fmt(price.s3, 1)} | ${fmt(price.sqs, 1)} | ${fmt(price.otherCalls, 1)} | ${fmt(measure.responseBytes)} | ${fmt(price.wall.median, 1)} | ${fmt(price.wall.p95, 1)} | ${fmt(price.cpuMedian, 1)} | ${fmt(price.lambdaMs)} |`);
  }
  log(`price per 1,000 requests (× = against ${context.baseline}, measured in this run):`);
  log('| route | API Gateway | Lambda | DynamoDB | S3/SQS/SNS/EB | access log | total | × |');
  log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const price of prices) {
    const k = (value: number): string => usd(value * 1000);
    log(`| ${price.label} | ${k(price.usd.apiGateway)} | ${k(price.usd.lambda)} | ${k(price.usd.dynamodb)} | ${k(price.usd.other)} | ${k(price.usd.logs)} | **${k(price.usd.total)}** | ${fmt(price.usd.total / baseline.usd.total, 1)} |`);
  }
  log('what each route asked of DynamoDB, S3 and SQS, per call:');
  for (const measure of measures) {
    const parts = measure.lines.map((line) => {
      const units = [line.readUnits > 0 ? `${fmt(line.readUnits / measure.meteredRuns, 1)} RRU` : '', line.writeUnits > 0 ? `${fmt(line.writeUnits / measure.meteredRuns, 1)} WRU` : ''].filter(Boolean).join(' ');
      return `${line.service} ${line.operation} ×${fmt(line.calls / measure.meteredRuns, 1)}${units ? ` (${units})` : ''}`;
    });
    log(`  ${measure.label}: ${parts.join('; ') || 'nothing'}`);
  }
  const shares = (price: RoutePrice): string =>
    (['apiGateway', 'lambda', 'dynamodb', 'other', 'logs'] as const)
      .map((part) => [part, price.usd[part] / price.usd.total] as const)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 2)
      .map(([part, share]) => `${{ apiGateway: 'API Gateway', lambda: 'Lambda', dynamodb: 'DynamoDB', other: 'S3/SQS/SNS', logs: 'logs' }[part]} ${fmt(share * 100)}%`)
      .join(', ');
  log('dominated by:');
  for (const price of prices) log(`  ${price.label}: ${shares(price)}`);
  log(`unit: ${context.baseline} costs ${usd(baseline.usd.total * 1000)} per 1,000 (${usd(baseline.usd.total * 1e6)} per million admission checks); API Gateway alone is ${usd(API_PRICES.httpApiRequest.usd * 1000)} of that.`);
  const rescan = prices.find((price) => price.label.startsWith('POST /images/{digest}/rescan'));
  if (rescan) log(`POST rescan queues the image for ${usd(rescan.usd.total)} a request (the rescan itself is priced by --only rescan); Inspector's on-demand equivalent, a rescan, is ${usd(PRICES.inspectorRescan.usd)} (${fmt(PRICES.inspectorRescan.usd / rescan.usd.total)}× this request).`);
  return prices;
}
