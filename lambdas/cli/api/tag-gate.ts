import type { RouteOutput } from '../../core/api/route-definition.ts';
import type { Routes } from '../../core/api/routes.ts';
import { SEVERITIES, type Severity } from '../../core/findings/model.ts';

export type TagAnswer = RouteOutput<Routes['getTag']>;

export interface GateDecision {
  readonly pass: boolean;
  /** One line for the CI log. */
  readonly reason: string;
}

/** The severities at or above a threshold (SEVERITIES runs worst first, UNKNOWN last). */
export function severitiesAtLeast(threshold: Severity): readonly Severity[] {
  return SEVERITIES.slice(0, SEVERITIES.indexOf(threshold) + 1);
}

/**
 * The deploy gate on a tag's stored verdict. It passes only what is known to be fine: a PASS verdict
 * with no unsuppressed finding at the threshold or worse. Anything not judged, judged without
 * advisories, failed, quarantined or naming nothing fails closed.
 */
export function tagGate(answer: TagAnswer, failOn: Severity): GateDecision {
  const name = `${answer.repository}:${answer.tag}`;
  if (answer.digest === undefined) return { pass: false, reason: `${name} names no image now (deleted or quarantined)` };
  if (answer.quarantined) return { pass: false, reason: `${name} (${answer.digest}) is quarantined` };
  const verdict = answer.verdict;
  if (verdict === undefined) return { pass: false, reason: `${name} (${answer.digest}) is not judged yet` };
  if (verdict.verdict === 'ADVISORIES_UNAVAILABLE') return { pass: false, reason: `${name} was judged without advisories (ADVISORIES_UNAVAILABLE)${verdict.reason ? `: ${verdict.reason}` : ''}` };
  if (verdict.verdict === 'FAIL') {
    const ids = verdict.failingIds.slice(0, 5).join(', ');
    return { pass: false, reason: `${name} fails its repository policy (fail on ${verdict.failOn}): ${verdict.failingCount} failing${ids ? ` (${ids}${verdict.failingIds.length > 5 ? ', …' : ''})` : ''}` };
  }
  if (verdict.verdict !== 'PASS') return { pass: false, reason: `${name} is not known to be safe: verdict ${verdict.verdict}${verdict.reason ? ` (${verdict.reason})` : ''}` };
  const over = severitiesAtLeast(failOn).filter((severity) => verdict.counts[severity] > 0);
  if (over.length > 0) {
    const listed = over.map((severity) => `${verdict.counts[severity]} ${severity}`).join(', ');
    return { pass: false, reason: `${name} has unsuppressed findings at ${failOn} or worse: ${listed}` };
  }
  return { pass: true, reason: `${name} (${answer.digest}) passes: verdict PASS, no unsuppressed finding at ${failOn} or worse` };
}
