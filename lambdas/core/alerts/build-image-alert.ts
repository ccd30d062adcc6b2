import type { ImageKey } from '../pipeline/model.ts';
import type { AnnouncedVerdict, Verdict, VerdictFinding } from '../pipeline/verdict-model.ts';
import { SEVERITIES } from '../findings/model.ts';
import { alertIdOf } from './alert-id.ts';
import { ALERT_SCHEMA, type AlertEventType, type AlertSeverity, type ImageAlert } from './alert-model.ts';
import { worstSeverity } from './severity-rank.ts';

/** Each "what changed" list is cut here (sorted first), so one alert stays far below SNS's 256 KiB. */
export const MAX_CHANGED_IDS = 100;

/** Advisory titles are the one free text an alert carries; cut so a hostile record cannot bloat it. */
export const MAX_TITLE_LENGTH = 300;

export interface ImageAlertInput {
  readonly eventType: AlertEventType;
  readonly key: ImageKey;
  readonly tags: readonly string[];
  readonly kind: 'image' | 'index';
  readonly verdict: Verdict;
  readonly announced?: AnnouncedVerdict;
  readonly time: Date;
}

/** The alert announcing `verdict` for one image, measured against what was last announced. */
export function buildImageAlert(input: ImageAlertInput): ImageAlert {
  const { key, verdict, announced } = input;
  const failing = new Set(verdict.failingIds);
  const before = new Set(announced?.failingIds ?? []);
  return {
    schema: ALERT_SCHEMA,
    kind: 'image',
    alertId: alertIdOf({
      key,
      eventType: input.eventType,
      verdict: verdict.verdict,
      policyVersion: verdict.policyVersion,
      failingIds: verdict.failingIds,
      ...(announced ? { announced } : {}),
    }),
    eventType: input.eventType,
    time: input.time.toISOString(),
    repository: { account: key.account, region: key.region, name: key.repository },
    image: { digest: key.digest, tags: [...new Set(input.tags)].sort(), kind: input.kind, platforms: verdict.platforms },
    verdict: {
      value: verdict.verdict,
      ...(announced ? { previous: announced.verdict } : {}),
      ...(verdict.reason !== undefined ? { reason: verdict.reason } : {}),
      policyVersion: verdict.policyVersion,
      policySource: verdict.policySource,
      mode: verdict.mode,
      failOn: verdict.failOn,
    },
    counts: verdict.counts,
    failingCount: verdict.failingCount,
    suppressedCount: verdict.suppressedCount,
    worstFindings: verdict.worst.map(withShortTitle),
    changes: {
      newlyFailing: firstSorted([...failing].filter((id) => !before.has(id))),
      noLongerFailing: firstSorted([...before].filter((id) => !failing.has(id))),
    },
    severity: alertSeverity(verdict),
  };
}

/** The finding with its title cut at MAX_TITLE_LENGTH characters (whole code points). */
export function withShortTitle(finding: VerdictFinding): VerdictFinding {
  if (finding.title === undefined) return finding;
  const chars = [...finding.title];
  return chars.length <= MAX_TITLE_LENGTH ? finding : { ...finding, title: `${chars.slice(0, MAX_TITLE_LENGTH - 3).join('')}...` };
}

function firstSorted(ids: string[]): string[] {
  return ids.sort().slice(0, MAX_CHANGED_IDS);
}

/**
 * The worst failing finding's severity; when nothing fails, the worst remaining one; NONE without
 * findings. The counts cover what the capped finding lists may have cut.
 */
function alertSeverity(verdict: Verdict): AlertSeverity {
  const failing = worstOf(verdict.failing);
  if (failing !== 'NONE') return failing;
  const remaining = worstOf(verdict.worst);
  if (remaining !== 'NONE') return remaining;
  return SEVERITIES.find((severity) => verdict.counts[severity] > 0) ?? 'NONE';
}

function worstOf(findings: readonly VerdictFinding[]): AlertSeverity {
  return worstSeverity(findings.map((finding) => finding.severity));
}
