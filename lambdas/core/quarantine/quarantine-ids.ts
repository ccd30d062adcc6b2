import { stableId } from '../alerts/alert-id.ts';
import type { AlertEventType } from '../alerts/alert-model.ts';
import type { ImageKey } from '../pipeline/model.ts';
import type { QuarantineRecord } from '../pipeline/quarantine-model.ts';

/**
 * A new quarantine's record id: the image, the record it replaces (none, a release, a skip) and
 * when it started, so no two quarantines of one image share an id and their alerts never collide.
 */
export function quarantineIdOf(key: ImageKey, previousId: string | undefined, startedAt: Date): string {
  return stableId(['quarantine/v1', key.account, key.region, key.repository, key.digest, previousId ?? null, startedAt.toISOString()]);
}

/**
 * The ID of one quarantine step's alert: the record, the event type, and what the step did. `step`
 * is read from the stored record (the intent's write time and tags, a skip's reason), so a retry
 * after a crash at any point builds the same ID and subscribers de-duplicate it; the next step of
 * the same record (a re-tag, a second archive) was written at another time and gets another.
 */
export function quarantineAlertIdOf(record: Pick<QuarantineRecord, 'id'>, eventType: Extract<AlertEventType, 'QUARANTINED' | 'RELEASED' | 'QUARANTINE_SKIPPED'>, step: readonly string[]): string {
  return stableId(['quarantine-alert/v1', record.id, eventType, ...step]);
}
