import { requestLines, sum } from './cost-model.ts';
import type { VerdictItem } from './metered-run.ts';
import { VERDICT_PHASE, type MeterLine } from './request-meter.ts';

/** What judging an image asked of AWS in one invocation (the metered lines of the verdict step). */
export interface VerdictStep {
  readonly usd: number;
  readonly dynamodb: { readonly calls: number; readonly readUnits: number; readonly writeUnits: number; readonly usd: number };
  /** Of `dynamodb`: the calls on verdict items. */
  readonly verdictItems: { readonly reads: number; readonly writes: number; readonly readUnits: number; readonly writeUnits: number };
  readonly alerts: Published;
  readonly events: Published;
  readonly policyReads: number;
}

export interface Published {
  readonly calls: number;
  readonly entries: number;
  readonly bytes: number;
  readonly billed: number;
  readonly kinds: Readonly<Record<string, number>>;
  readonly usd: number;
}

export function verdictStep(lines: readonly MeterLine[]): VerdictStep {
  const step = lines.filter((line) => line.phase === VERDICT_PHASE);
  const priced = (of: readonly MeterLine[]): number => sum(requestLines(of));
  const dynamodb = step.filter((line) => line.service === 'DynamoDB');
  const verdictLines = dynamodb.filter((line) => / verdicts( |$)/.test(line.operation));
  const isWrite = (line: MeterLine): boolean => /^(PutItem|UpdateItem|DeleteItem|BatchWriteItem|TransactWriteItems) /.test(line.operation);
  return {
    usd: priced(step),
    dynamodb: { calls: total(dynamodb, (line) => line.calls), readUnits: total(dynamodb, (line) => line.readUnits), writeUnits: total(dynamodb, (line) => line.writeUnits), usd: priced(dynamodb) },
    verdictItems: {
      reads: total(verdictLines.filter((line) => !isWrite(line)), (line) => line.calls),
      writes: total(verdictLines.filter(isWrite), (line) => line.calls),
      readUnits: total(verdictLines, (line) => line.readUnits),
      writeUnits: total(verdictLines, (line) => line.writeUnits),
    },
    // Priced with the topic key's KMS estimate that requestLines adds to each SNS line.
    alerts: published(step.filter((line) => line.service === 'SNS'), priced),
    events: published(step.filter((line) => line.service === 'EventBridge'), priced),
    policyReads: total(step.filter((line) => line.service === 'SSM'), (line) => line.calls),
  };
}

function published(lines: readonly MeterLine[], priced: (of: readonly MeterLine[]) => number): Published {
  const kinds: Record<string, number> = {};
  for (const line of lines) for (const [kind, count] of Object.entries(line.kinds)) kinds[kind] = (kinds[kind] ?? 0) + count;
  return { calls: total(lines, (line) => line.calls), entries: total(lines, (line) => line.items), bytes: total(lines, (line) => line.bytes), billed: total(lines, (line) => line.billedRequests), kinds, usd: priced(lines) };
}

const total = (lines: readonly MeterLine[], pick: (line: MeterLine) => number): number => lines.reduce((sum, line) => sum + pick(line), 0);

const fmt = (value: number, digits = 0): string => value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const kindsText = (kinds: Readonly<Record<string, number>>): string =>
  Object.entries(kinds)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([kind, count]) => `${fmt(count)} ${kind}`)
    .join(', ');

/** One sentence on what the verdict step did: the item, its writes and reads, what it published. */
export function describeVerdictStep(step: VerdictStep, item: VerdictItem | undefined): string {
  const verdict = item
    ? `verdict ${item.verdict} (${fmt(item.failingCount)} failing; item ${fmt(item.bytes / 1024, 1)} KiB, ${fmt(item.writeUnits)} WRU a put, revision ${item.revision}${item.pendingAlertId ? ', an alert still pending' : ''})`
    : 'no verdict item';
  const items = `verdict item: ${fmt(step.verdictItems.reads)} reads (${fmt(step.verdictItems.readUnits, 1)} RRU), ${fmt(step.verdictItems.writes)} writes (${fmt(step.verdictItems.writeUnits, 1)} WRU)`;
  const reads = `all DynamoDB calls of the step: ${fmt(step.dynamodb.calls)}, ${fmt(step.dynamodb.readUnits, 1)} RRU, ${fmt(step.dynamodb.writeUnits, 1)} WRU`;
  const alerts = step.alerts.entries > 0 ? `alerts: ${fmt(step.alerts.entries)} SNS messages (${kindsText(step.alerts.kinds)}) in ${fmt(step.alerts.calls)} PublishBatch, ${fmt(step.alerts.bytes)} bytes, ${fmt(step.alerts.billed)} billed publishes` : 'alerts: 0 published (no SNS call)';
  const events = step.events.entries > 0 ? `events: ${fmt(step.events.entries)} (${kindsText(step.events.kinds)}) in ${fmt(step.events.calls)} PutEvents, ${fmt(step.events.bytes)} bytes, ${fmt(step.events.billed)} billed events` : 'events: 0 put (no PutEvents call)';
  return `${verdict}; ${items}; ${reads}; ${alerts}; ${events}; policy: ${fmt(step.policyReads)} GetParameter.`;
}
