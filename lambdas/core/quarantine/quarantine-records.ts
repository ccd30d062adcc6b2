import type { ImageKey } from '../pipeline/model.ts';
import type { EnforcedVerdict, KeptTag, QuarantineRecord, QuarantineWarning } from '../pipeline/quarantine-model.ts';
import type { Verdict } from '../pipeline/verdict-model.ts';

/** The verdict a quarantine enforces, copied so the record reads on its own. */
export function enforcedVerdictOf(verdict: Verdict): EnforcedVerdict {
  return {
    policyVersion: verdict.policyVersion,
    policySource: verdict.policySource,
    failOn: verdict.failOn,
    failingCount: verdict.failingCount,
    failingIds: verdict.failingIds,
    ...(verdict.reason !== undefined ? { reason: verdict.reason } : {}),
    evaluatedAt: verdict.evaluatedAt,
  };
}

/**
 * A verdict to alert with when the image's own is gone from the store: the record's copy, without
 * findings or platforms (the alert still says which policy and how many failed).
 */
export function verdictFromRecord(record: QuarantineRecord): Verdict {
  const enforced = record.verdict;
  return {
    verdict: 'FAIL',
    ...(enforced.reason !== undefined ? { reason: enforced.reason } : {}),
    policyVersion: enforced.policyVersion,
    policySource: enforced.policySource,
    mode: 'enforce',
    failOn: enforced.failOn,
    counts: { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, UNKNOWN: 0 },
    failingCount: enforced.failingCount,
    failingIds: enforced.failingIds,
    failing: [],
    worst: [],
    suppressedCount: 0,
    suppressions: [],
    platforms: [],
    evaluatedAt: enforced.evaluatedAt,
  };
}

/** Warnings by code, the first of each kept (a later step repeats what an earlier one said). */
export function mergeWarnings(...lists: readonly (readonly QuarantineWarning[])[]): QuarantineWarning[] {
  const seen = new Map<string, QuarantineWarning>();
  for (const warning of lists.flat()) if (!seen.has(warning.code)) seen.set(warning.code, warning);
  return [...seen.values()];
}

/** Kept tags by tag, the later entry winning (it says where the tag points now). */
export function mergeKept(...lists: readonly (readonly KeptTag[])[]): KeptTag[] {
  const byTag = new Map<string, KeptTag>();
  for (const kept of lists.flat()) byTag.set(kept.tag, kept);
  return [...byTag.values()];
}

export function sameKey(a: ImageKey, b: ImageKey): boolean {
  return a.account === b.account && a.region === b.region && a.repository === b.repository && a.digest === b.digest;
}

export function keyText(key: ImageKey): string {
  return `${key.account}/${key.region}/${key.repository}@${key.digest}`;
}
