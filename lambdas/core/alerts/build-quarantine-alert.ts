import type { KeptTag, QuarantineRecord, QuarantineWarning } from '../pipeline/quarantine-model.ts';
import type { Verdict } from '../pipeline/verdict-model.ts';
import { quarantineAlertIdOf } from '../quarantine/quarantine-ids.ts';
import type { ImageAlert, QuarantineAlertDetail } from './alert-model.ts';
import { buildImageAlert, MAX_CHANGED_IDS } from './build-image-alert.ts';

export type QuarantineEventType = 'QUARANTINED' | 'RELEASED' | 'QUARANTINE_SKIPPED';

export interface QuarantineAlertInput {
  readonly eventType: QuarantineEventType;
  /** The record as this step leaves it. */
  readonly record: QuarantineRecord;
  /** The image's current verdict (the one enforced, or the one released under). */
  readonly verdict: Verdict;
  /** The image's tags as the alert names it: those it had when quarantined, or has after release. */
  readonly imageTags: readonly string[];
  /** What this step removed (QUARANTINED) or put back (RELEASED). */
  readonly tags: readonly string[];
  readonly keptTags: readonly KeptTag[];
  readonly warnings: readonly QuarantineWarning[];
  /** What makes this step's alert ID (see quarantineAlertIdOf): read from the stored record, so a retry repeats it. */
  readonly step: readonly string[];
  readonly time: Date;
}

/**
 * A quarantine step's alert: the same image, verdict, counts and worst findings a verdict alert
 * carries, plus `quarantine` saying what was done and how to read it. For RELEASED, `changes` is
 * measured against the failing IDs the image was quarantined for.
 */
export function buildQuarantineAlert(input: QuarantineAlertInput): ImageAlert {
  const { record, verdict } = input;
  const kind = verdict.platforms.some((platform) => platform.digest !== record.key.digest) ? 'index' : 'image';
  const base = buildImageAlert({ eventType: input.eventType, key: record.key, tags: input.imageTags, kind, verdict, time: input.time });
  const release = record.release;
  const changes =
    input.eventType === 'RELEASED' && release
      ? {
          newlyFailing: sorted(verdict.failingIds.filter((id) => !release.failingIds.includes(id))),
          noLongerFailing: sorted(release.failingIds.filter((id) => !verdict.failingIds.includes(id))),
        }
      : base.changes;
  const quarantine: QuarantineAlertDetail = {
    id: record.id,
    state: record.state,
    method: record.method,
    trigger: record.trigger,
    tags: [...new Set(input.tags)].sort(),
    keptTags: [...input.keptTags].sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0)),
    ...(record.marker !== undefined ? { marker: record.marker } : {}),
    ...(record.storage !== undefined ? { storage: record.storage } : {}),
    warnings: input.warnings,
    ...(record.skippedReason !== undefined ? { skippedReason: record.skippedReason } : {}),
    ...(input.eventType === 'RELEASED' && release ? { release: { by: release.by, reason: release.reason, trigger: release.trigger } } : {}),
  };
  return { ...base, alertId: quarantineAlertIdOf(record, input.eventType, input.step), changes, quarantine };
}

function sorted(values: readonly string[]): string[] {
  return [...new Set(values)].sort().slice(0, MAX_CHANGED_IDS);
}
