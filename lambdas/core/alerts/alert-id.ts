import { createHash } from 'node:crypto';
import type { ImageKey } from '../pipeline/model.ts';
import type { AnnouncedVerdict, VerdictValue } from '../pipeline/verdict-model.ts';
import type { AlertEventType } from './alert-model.ts';

/** IDs are this many hex characters of a sha256: 128 bits, no collision in any realistic volume. */
const ID_LENGTH = 32;

/**
 * A stable ID over a list of parts. The parts are hashed as a JSON array, so no two different lists
 * (`['a:b']` and `['a', 'b']`) hash the same text.
 */
export function stableId(parts: readonly (string | null)[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, ID_LENGTH);
}

export interface AlertIdInput {
  readonly key: ImageKey;
  readonly eventType: AlertEventType;
  readonly verdict: VerdictValue;
  readonly policyVersion: string;
  readonly failingIds: readonly string[];
  /** The state the change is measured from; absent before anything was announced. */
  readonly announced?: AnnouncedVerdict;
}

/**
 * The ID of one change of one image's verdict. A retry, a duplicate event or a second tag decides
 * from the same stored state and so carries the same ID; any other change gets another.
 *
 * Besides the previous verdict value, the previous state's `at` is hashed: without it, FAIL → PASS →
 * FAIL with the same policy and IDs (an ignore entry added, then removed) would repeat the first
 * FAIL's ID, and subscribers de-duplicating on alertId would drop the second, real, change.
 */
export function alertIdOf(input: AlertIdInput): string {
  const { key, announced } = input;
  return stableId([
    'image-alert/v1',
    key.account,
    key.region,
    key.repository,
    key.digest,
    input.eventType,
    input.verdict,
    announced?.verdict ?? null,
    announced ? announced.at.toISOString() : null,
    input.policyVersion,
    ...[...new Set(input.failingIds)].sort(),
  ]);
}

/** A group's ID: its members', so the same storm summarised twice (a retried run) is one message. */
export function groupAlertIdOf(memberAlertIds: readonly string[]): string {
  return stableId(['group-alert/v1', ...[...new Set(memberAlertIds)].sort()]);
}

/** An EventBridge event's ID within one alert (a finding's state change, or the verdict itself). */
export function eventIdOf(alertId: string, ...parts: readonly string[]): string {
  return stableId(['event/v1', alertId, ...parts]);
}
