import type { AnnouncedVerdict, Verdict, VerdictValue } from '../pipeline/verdict-model.ts';
import type { AlertEventType } from './alert-model.ts';

/**
 * What to do with a freshly computed verdict, against what was last announced for the image:
 * - an event type: announce it (alert and events), then record the new state;
 * - `silent`: record the new state without an alert (a first PASS, a platform manifest an index
 *   speaks for, a change in failing IDs that leaves the verdict as it was);
 * - `none`: nothing changed; write nothing.
 */
export type AnnouncementDecision = AlertEventType | 'silent' | 'none';

export interface AnnouncementInput {
  readonly verdict: Verdict;
  readonly announced?: AnnouncedVerdict;
  /**
   * False for an untagged platform manifest an index covers and for an untagged digest-only push:
   * their state is kept, but people hear about the index or the tagged image instead.
   */
  readonly announceable: boolean;
  /**
   * What made the verdict change: a scan of a pushed image (the default), or a rescan of an image
   * already in the registry (advisories changed), whose changes are told as NEW_FINDINGS / RESOLVED.
   */
  readonly cause?: EvaluationCause;
}

export type EvaluationCause = 'scan' | 'rescan';

export function decideAnnouncement(input: AnnouncementInput): AnnouncementDecision {
  const { verdict, announced } = input;
  if (announced && sameState(verdict, announced)) return 'none';
  if (!input.announceable) return 'silent';
  if (!announced) return firstAnnouncement(verdict.verdict);
  const rescan = input.cause === 'rescan';
  if (verdict.verdict !== announced.verdict) return (rescan ? rescanVerdictChange(verdict.verdict, announced.verdict) : undefined) ?? verdictChange(verdict.verdict, announced.verdict);
  return sameVerdictChange(verdict, announced, rescan);
}

/** Nothing to record: the verdict, its failing IDs and the policy it used are what was announced. */
function sameState(verdict: Verdict, announced: AnnouncedVerdict): boolean {
  return verdict.verdict === announced.verdict && verdict.policyVersion === announced.policyVersion && sameIds(verdict.failingIds, announced.failingIds);
}

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  const left = [...new Set(a)].sort();
  const right = [...new Set(b)].sort();
  return left.length === right.length && left.every((id, index) => id === right[index]);
}

function firstAnnouncement(value: VerdictValue): AnnouncementDecision {
  switch (value) {
    case 'FAIL':
      return 'FAILED_POLICY';
    case 'FAILED':
      return 'SCAN_FAILED';
    case 'ADVISORIES_UNAVAILABLE':
      return 'ADVISORIES_UNAVAILABLE';
    // Recorded, not alerted: nobody needs to hear that a new image passes or is not an image.
    case 'PASS':
    case 'NOT_AN_IMAGE':
    case 'UNSUPPORTED':
      return 'silent';
  }
}

function verdictChange(value: VerdictValue, previous: VerdictValue): AlertEventType {
  if (value === 'FAILED') return 'SCAN_FAILED';
  if (value === 'ADVISORIES_UNAVAILABLE') return 'ADVISORIES_UNAVAILABLE';
  // Before, the image could not be judged (a failed scan, missing advisories): this is its first FAIL.
  if (value === 'FAIL' && previous !== 'PASS') return 'FAILED_POLICY';
  // PASS → FAIL (a new advisory, an ignore entry expired), FAIL → PASS, a judged image now unjudgeable…
  return 'VERDICT_CHANGED';
}

/**
 * A rescan's PASS → FAIL is new findings, FAIL → PASS their resolution; anything else (a judged
 * image now unjudgeable, or judgeable again) is told as any verdict change is.
 */
function rescanVerdictChange(value: VerdictValue, previous: VerdictValue): AlertEventType | undefined {
  if (previous === 'PASS' && value === 'FAIL') return 'NEW_FINDINGS';
  if (previous === 'FAIL' && value === 'PASS') return 'RESOLVED';
  return undefined;
}

/**
 * Same verdict, different failing IDs or policy version. After a scan it is recorded silently; after
 * a rescan, a FAIL that gains failing IDs is NEW_FINDINGS (even if it lost others) and one that only
 * lost some is RESOLVED. The alert's `changes` names which IDs.
 */
function sameVerdictChange(verdict: Verdict, announced: AnnouncedVerdict, rescan: boolean): AnnouncementDecision {
  if (!rescan || verdict.verdict !== 'FAIL') return 'silent';
  const before = new Set(announced.failingIds);
  const now = new Set(verdict.failingIds);
  if ([...now].some((id) => !before.has(id))) return 'NEW_FINDINGS';
  if ([...before].some((id) => !now.has(id))) return 'RESOLVED';
  return 'silent';
}
