import { CustomsError } from '../errors.ts';
import { SEVERITIES, type Severity } from './model.ts';

/** Sort comparator, worst first: CRITICAL, HIGH, MEDIUM, LOW, then UNKNOWN. */
export function compareSeverity(a: Severity, b: Severity): number {
  return SEVERITIES.indexOf(a) - SEVERITIES.indexOf(b);
}

/**
 * Whether `severity` meets a gate or filter `threshold`. UNKNOWN ranks below LOW: an unrated
 * vulnerability fails a gate only when the threshold is UNKNOWN itself.
 */
export function isAtLeast(severity: Severity, threshold: Severity): boolean {
  return compareSeverity(severity, threshold) <= 0;
}

/** A severity as a user types it (`high`, `Critical`); `MODERATE` is GitHub's word for MEDIUM. */
export function parseSeverity(text: string): Severity {
  const upper = text.trim().toUpperCase();
  const severity = upper === 'MODERATE' ? 'MEDIUM' : upper;
  if ((SEVERITIES as readonly string[]).includes(severity)) return severity as Severity;
  throw new CustomsError('usage', `unknown severity ${JSON.stringify(text)}: expected one of ${SEVERITIES.join(', ')}`);
}
