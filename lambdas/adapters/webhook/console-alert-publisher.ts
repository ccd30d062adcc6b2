import type { Alert, AlertSeverity, OutgoingAlert } from '../../core/alerts/alert-model.ts';
import { shortDigest } from '../../core/digest.ts';
import { SEVERITIES } from '../../core/findings/model.ts';
import type { AlertPublisher } from '../../core/ports.ts';

export interface ConsoleAlertPublisherOptions {
  readonly write: (line: string) => void;
  /** ANSI colours (a terminal); false writes plain text (logs, pipes). */
  readonly colour: boolean;
}

const RESET = '\u001b[0m';
const COLOURS: Readonly<Record<AlertSeverity, string>> = {
  CRITICAL: '\u001b[1;31m',
  HIGH: '\u001b[31m',
  MEDIUM: '\u001b[33m',
  LOW: '\u001b[36m',
  UNKNOWN: '\u001b[35m',
  NONE: '\u001b[32m',
};

/**
 * Alerts as one line each, for the local stack's console: what happened, to which image, how bad,
 * and the alertId to look it up by. Names come from registries and advisories, so anything that is
 * not printable is replaced before it reaches a terminal.
 */
export class ConsoleAlertPublisher implements AlertPublisher {
  constructor(private readonly options: ConsoleAlertPublisherOptions) {}

  publish(alerts: readonly OutgoingAlert[]): Promise<void> {
    for (const { alert } of alerts) this.options.write(this.lineOf(alert));
    return Promise.resolve();
  }

  private lineOf(alert: Alert): string {
    const label = `${alert.eventType} ${alert.verdict.value} ${alert.severity}`;
    const head = this.options.colour ? `${COLOURS[alert.severity]}${label}${RESET}` : label;
    return `[customs] ${head} ${subjectOf(alert)} ${detailOf(alert)} alert=${printable(alert.alertId)}`;
  }
}

function subjectOf(alert: Alert): string {
  const name = printable(alert.repository.name);
  if (alert.kind === 'group') return `${name} (${alert.images.total} images, ${printable(alert.advisory)})`;
  const tag = alert.image.tags[0];
  return `${name}${tag !== undefined ? `:${printable(tag)}` : ''}@${shortDigest(alert.image.digest)}`;
}

function detailOf(alert: Alert): string {
  if (alert.kind === 'group') return `listed=${alert.images.listed.length}`;
  const counts = SEVERITIES.filter((severity) => alert.counts[severity] > 0).map((severity) => `${severity.toLowerCase()}=${alert.counts[severity]}`);
  return [...(counts.length > 0 ? counts : ['findings=0']), `failing=${alert.failingCount}`, `suppressed=${alert.suppressedCount}`].join(' ');
}

/** Control characters (ANSI escapes, newlines) out, length capped. */
function printable(value: string): string {
  const cleaned = value.replace(/[\p{Cc}\p{Cf}\u2028\u2029]/gu, '?');
  return cleaned.length > 200 ? `${cleaned.slice(0, 197)}...` : cleaned;
}
