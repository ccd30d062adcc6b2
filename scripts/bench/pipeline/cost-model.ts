import type { DeployedResources } from './deployed-resources.ts';
import type { LogOutput } from './log-output.ts';
import { PRICES } from './price-table.ts';
import { SCAN_PHASE, type MeterLine } from './request-meter.ts';

/** Requests, units, compute and logs of one scan, priced line by line at PRICES. */
export interface CostLine {
  readonly service: string;
  readonly item: string;
  readonly quantity: string;
  /** What DynamoDB Local reported for the same calls, to compare (not used in the price). */
  readonly localReported?: string;
  readonly usd: number;
}

export interface Compute {
  readonly initMs: number;
  readonly durationMs: number;
}

const GB = 2 ** 30;
const fmt = (value: number, digits = 0): string => value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** What a line's kinds were: `FAILED_POLICY 1`, `Customs Finding 12, Customs Verdict 1`. */
const kindsOf = (line: MeterLine): string =>
  Object.entries(line.kinds)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([kind, count]) => `${kind} ${fmt(count)}`)
    .join(', ');

/** Each metered line priced; a line of the verdict step is named with it (`verdict: GetItem verdicts`). */
export function requestLines(lines: readonly MeterLine[]): CostLine[] {
  return lines.flatMap((line) => {
    const priced = priceLine(line);
    return line.phase === SCAN_PHASE ? priced : priced.map((cost) => ({ ...cost, item: `${line.phase}: ${cost.item}` }));
  });
}

function priceLine(line: MeterLine): CostLine[] {
  switch (line.service) {
    case 'DynamoDB': {
      const units = [line.writeUnits > 0 ? `${fmt(line.writeUnits, 1)} WRU${line.indexWriteUnits > 0 ? ` (${fmt(line.indexWriteUnits, 1)} GSI)` : ''}` : '', line.readUnits > 0 ? `${fmt(line.readUnits, 1)} RRU` : ''].filter(Boolean).join(', ');
      const reported = line.localUnreported === line.calls ? 'not reported' : `${fmt(line.localReportedUnits, 1)} units${line.localUnreported > 0 ? ` (${line.localUnreported} calls unreported)` : ''}`;
      return [
        {
          service: 'DynamoDB',
          item: line.operation,
          quantity: `${fmt(line.calls)} calls, ${fmt(line.items)} items (${fmt(line.bytes / 1024, 1)} KiB); ${units || '0 units'}`,
          localReported: reported,
          usd: line.writeUnits * PRICES.dynamodbWriteUnit.usd + line.readUnits * PRICES.dynamodbReadUnit.usd,
        },
      ];
    }
    case 'S3': {
      const price = line.operation === 'GetObject' || line.operation === 'HeadObject' ? PRICES.s3Get : PRICES.s3Put;
      return [{ service: 'S3', item: line.operation, quantity: `${fmt(line.calls)} requests`, usd: line.calls * price.usd }];
    }
    case 'SQS':
      return [{ service: 'SQS', item: line.operation, quantity: `${fmt(line.billedRequests)} requests`, usd: line.billedRequests * PRICES.sqsRequest.usd }];
    case 'ECR':
      return [{ service: 'ECR', item: line.operation, quantity: `${fmt(line.calls)} calls (not billed)`, usd: 0 }];
    case 'SNS':
      return [
        {
          service: 'SNS',
          item: line.operation,
          quantity: `${fmt(line.calls)} calls, ${fmt(line.items)} messages (${kindsOf(line)}), ${fmt(line.bytes)} bytes: ${fmt(line.billedRequests)} billed requests`,
          usd: line.billedRequests * PRICES.snsPublish.usd,
        },
        // The topic's customer-managed key: SNS asks KMS for a data key to encrypt what is published.
        { service: 'KMS', item: 'alerts topic key (estimate)', quantity: `${fmt(line.calls)} GenerateDataKey (assumed one per publish call)`, usd: line.calls * PRICES.kmsRequest.usd },
      ];
    case 'EventBridge':
      return [{ service: 'EventBridge', item: line.operation, quantity: `${fmt(line.calls)} calls, ${fmt(line.items)} entries (${kindsOf(line)}), ${fmt(line.bytes)} bytes: ${fmt(line.billedRequests)} billed events`, usd: line.billedRequests * PRICES.eventBridgeCustomEvent.usd }];
    case 'SSM':
      return [{ service: 'SSM', item: line.operation, quantity: `${fmt(line.calls)} calls, ${fmt(line.bytes)} bytes (standard throughput: not billed)`, usd: 0 }];
  }
}

export function computeLines(compute: Compute, memoryMiB: number, label: string): CostLine[] {
  const gbSeconds = (memoryMiB / 1024) * ((Math.ceil(compute.initMs) + Math.ceil(compute.durationMs)) / 1000);
  return [
    { service: 'Lambda', item: `compute, ${label}`, quantity: `${fmt(compute.initMs)} ms init + ${fmt(compute.durationMs)} ms handler at ${fmt(memoryMiB)} MB = ${fmt(gbSeconds, 3)} GB-s`, usd: gbSeconds * PRICES.lambdaArmGbSecond.usd },
    { service: 'Lambda', item: 'request', quantity: '1 invocation', usd: PRICES.lambdaRequest.usd },
  ];
}

export function logLines(logs: LogOutput): CostLine[] {
  return [{ service: 'CloudWatch Logs', item: 'ingest', quantity: `${logs.events} events (${logs.emfEvents} EMF), ${fmt(logs.bytes)} bytes`, usd: (logs.bytes / GB) * PRICES.logsIngestGb.usd }];
}

/** Lambda's SQS poller long-polls an idle queue: assumed 5 pollers × 20 s waits (AWS does not publish the number). */
export const IDLE_POLLS_PER_MONTH = 5 * 3 * 60 * 24 * 30;
/** DynamoDB asks KMS for each table's key at most about every 5 minutes while in use (an estimate, AWS-managed key). */
const KMS_REQUESTS_PER_TABLE_MONTH = 12 * 24 * 30;

export interface FixedMonthly {
  readonly lines: CostLine[];
  readonly monthlyUsd: number;
}

export function fixedMonthly(resources: DeployedResources, metricSeries: number): FixedMonthly {
  const lines: CostLine[] = [
    { service: 'CloudWatch', item: 'alarms', quantity: `${resources.alarms} standard alarms`, usd: resources.alarms * PRICES.alarmMonth.usd },
    { service: 'CloudWatch', item: 'custom metrics (EMF)', quantity: `${metricSeries} metric series a busy month keeps alive`, usd: metricSeries * PRICES.customMetricMonth.usd },
    { service: 'KMS', item: 'customer managed keys', quantity: `${resources.kmsKeys} (the topics' key; queueEncryption ${resources.config.queueEncryption})`, usd: resources.kmsKeys * PRICES.kmsKeyMonth.usd },
    { service: 'KMS', item: 'table key requests (estimate)', quantity: `${fmt(resources.tables * KMS_REQUESTS_PER_TABLE_MONTH)} requests (${resources.tables} tables, AWS-managed key)`, usd: resources.tables * KMS_REQUESTS_PER_TABLE_MONTH * PRICES.kmsRequest.usd },
    { service: 'SQS', item: 'idle long polls (estimate)', quantity: `${fmt(IDLE_POLLS_PER_MONTH)} requests`, usd: IDLE_POLLS_PER_MONTH * PRICES.sqsRequest.usd },
    {
      service: 'SSM',
      item: 'policy parameter',
      quantity: `${resources.parameters.standard} Standard (free), ${resources.parameters.advanced} Advanced`,
      usd: resources.parameters.advanced * PRICES.ssmAdvancedParameterMonth.usd,
    },
  ];
  return { lines, monthlyUsd: lines.reduce((sum, line) => sum + line.usd, 0) };
}

/** Storage a scan adds, per month it is kept: outside the issue's all-in (requests and fixed costs). */
export function storageLines(lines: readonly MeterLine[]): CostLine[] {
  const written = lines.filter((line) => line.service === 'DynamoDB' && line.writeUnits > 0 && !line.operation.includes('condition failed'));
  const items = written.reduce((sum, line) => sum + line.items, 0);
  // Every item carries 100 bytes of index overhead in storage; GSI copies are not counted here.
  const itemBytes = written.reduce((sum, line) => sum + line.bytes, 0) + 100 * items;
  const sbomBytes = lines.filter((line) => line.service === 'S3' && line.operation === 'PutObject').reduce((sum, line) => sum + line.bytes, 0);
  return [
    { service: 'DynamoDB', item: 'storage per month kept', quantity: `${fmt(items)} items, ${fmt(itemBytes / 1024, 1)} KiB`, usd: (itemBytes / GB) * PRICES.dynamodbStorageGbMonth.usd },
    { service: 'S3', item: 'SBOM storage per month kept', quantity: `${fmt(sbomBytes / 1024, 1)} KiB`, usd: (sbomBytes / GB) * PRICES.s3StorageGbMonth.usd },
  ];
}

export const sum = (lines: readonly CostLine[]): number => lines.reduce((total, line) => total + line.usd, 0);
