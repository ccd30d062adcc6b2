import { compareSeverity } from '../findings/severity-order.ts';
import type { Severity } from '../findings/model.ts';
import type { VerdictValue } from './verdict-model.ts';

/**
 * Worst first: how one platform's verdict decides an index's. A failing platform fails the index; a
 * scan that could not finish outranks a pass (never fail open); attestation manifests are
 * NOT_AN_IMAGE, last, so they never decide an index that has a real platform.
 */
export const VERDICT_ORDER: readonly VerdictValue[] = ['FAIL', 'FAILED', 'ADVISORIES_UNAVAILABLE', 'PASS', 'UNSUPPORTED', 'NOT_AN_IMAGE'];

/** Negative when `a` is worse than `b`. */
export function compareVerdicts(a: VerdictValue, b: VerdictValue): number {
  return VERDICT_ORDER.indexOf(a) - VERDICT_ORDER.indexOf(b);
}

/** What orders findings worst first: severity, then ID, then package name (then where, for a total order). */
export interface RankedFinding {
  readonly severity: Severity;
  readonly id: string;
  readonly packageName: string;
  readonly manifestDigest: string;
  readonly key: string;
}

export function compareFindings(a: RankedFinding, b: RankedFinding): number {
  return compareSeverity(a.severity, b.severity) || compareText(a.id, b.id) || compareText(a.packageName, b.packageName) || compareText(a.manifestDigest, b.manifestDigest) || compareText(a.key, b.key);
}

/** Code-unit order: the same on every machine, unlike localeCompare. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
