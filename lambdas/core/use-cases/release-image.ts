import { buildQuarantineAlert } from '../alerts/build-quarantine-alert.ts';
import type { ImageKey } from '../pipeline/model.ts';
import type { KeptTag, QuarantineRecord, QuarantineState, ReleaseRecord, StorageStatus } from '../pipeline/quarantine-model.ts';
import type { AlertPublisher, Clock, EventPublisher, QuarantineRegistry, QuarantineStore, StoredQuarantine, TagHistory, VerdictStore } from '../ports.ts';
import { pendingQuarantineAlert, publishQuarantineAlerts } from '../quarantine/publish-quarantine-alert.ts';
import { quarantineAlertIdOf } from '../quarantine/quarantine-ids.ts';
import { keyText, mergeWarnings, verdictFromRecord } from '../quarantine/quarantine-records.ts';
import { restoreTags, type RestoreResult } from '../quarantine/release-steps.ts';
import { QuarantineBusyError } from './enforce-verdicts.ts';

export interface ReleaseRequest {
  readonly key: ImageKey;
  /** An IAM principal; `customs` when the rescan found the failures resolved. */
  readonly by: string;
  readonly reason: string;
  readonly trigger: 'request' | 'findings-resolved';
}

export interface ReleaseImageOptions {
  readonly repositoryId: (key: ImageKey) => string;
  /**
   * An unfinished quarantine (QUARANTINING) younger than this is taken to be still running and is
   * not released under it (its deletes could land after the restores); older, its worker is taken to
   * have died and the release undoes whatever it did. Default 15 minutes, a Lambda's longest run.
   */
  readonly quarantiningGraceMs?: number;
}

export interface ReleaseImageDeps {
  readonly quarantines: QuarantineStore;
  readonly registry: QuarantineRegistry;
  readonly tags: TagHistory;
  readonly verdicts: Pick<VerdictStore, 'get'>;
  readonly alerts: AlertPublisher;
  readonly events?: EventPublisher;
  readonly clock: Clock;
  readonly options: ReleaseImageOptions;
}

export type ReleaseOutcome =
  | {
      readonly action: 'released';
      readonly restoredTags: readonly string[];
      readonly keptTags: readonly KeptTag[];
      readonly markerRemoved: boolean;
      readonly storage?: StorageStatus;
      readonly alertId: string;
    }
  /** Nothing to release (no record, a skip), or a quarantine still running (state QUARANTINING): ask again later. */
  | { readonly action: 'not-quarantined'; readonly state?: QuarantineState };

const DEFAULT_QUARANTINING_GRACE_MS = 15 * 60_000;
const MAX_CONFLICTS = 4;
const MAX_ROUNDS = 12;

/**
 * Releases a quarantined image: restores each removed tag unless somebody pushed that tag since (a
 * newer push wins), then removes the marker while another tag keeps the image; an archived image
 * goes back to standard storage (ACTIVATING until pulls work). Who, when and why are recorded, and
 * RELEASED is alerted.
 *
 * The request is written first (RELEASING, with the failing IDs it releases: the same failures do
 * not quarantine the image again), then the registry calls (each reads before it writes), then
 * RELEASED with its alert (the outbox), published and confirmed. A crash anywhere converges on the
 * rerun, which keeps the first request's who and why; a release already done answers the same again.
 */
export async function releaseImage(request: ReleaseRequest, deps: ReleaseImageDeps): Promise<ReleaseOutcome> {
  const { key } = request;
  let conflicts = 0;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const stored = await deps.quarantines.get(key);
    if (!stored || stored.record.state === 'SKIPPED') return { action: 'not-quarantined', ...(stored ? { state: stored.record.state } : {}) };
    const { record } = stored;
    if (record.state === 'RELEASED') {
      // Asked again (a retry): the alert goes out again if it was not confirmed; at least once, same alertId.
      if (stored.pending) await publish(stored, deps);
      return releasedOutcome(record);
    }
    if (record.state === 'QUARANTINING' && deps.clock.now().getTime() - record.updatedAt.getTime() < (deps.options.quarantiningGraceMs ?? DEFAULT_QUARANTINING_GRACE_MS)) {
      return { action: 'not-quarantined', state: 'QUARANTINING' };
    }
    if (stored.pending) {
      // The quarantine's own alert goes out before its release replaces it.
      await publish(stored, deps);
      continue;
    }
    const next = record.state === 'RELEASING' ? await finish(record, deps) : { record: await requested(record, request, deps) };
    const write = { record: next.record, ...('pending' in next ? { pending: next.pending } : {}) };
    if (!(await deps.quarantines.put(key, write, stored.revision))) {
      if (++conflicts >= MAX_CONFLICTS) break;
      continue;
    }
    if ('pending' in next) {
      await publishQuarantineAlerts([{ key, pending: next.pending }], deps, 1);
      return releasedOutcome(next.record);
    }
  }
  throw new QuarantineBusyError(`release of ${keyText(key)} kept changing under ${conflicts} conflicting writes`);
}

/** The release request, written before any registry call. */
async function requested(record: QuarantineRecord, request: ReleaseRequest, deps: ReleaseImageDeps): Promise<QuarantineRecord> {
  const now = deps.clock.now();
  const current = (await deps.verdicts.get(record.key))?.verdict;
  const release: ReleaseRecord = {
    by: request.by,
    reason: request.reason,
    trigger: request.trigger,
    requestedAt: now,
    failingIds: current?.failingIds ?? record.verdict.failingIds,
    restoredTags: [],
    keptTags: [],
    markerRemoved: false,
  };
  return { ...record, state: 'RELEASING', release, updatedAt: now };
}

/** The registry calls of a written release request, and the RELEASED record with its alert. */
async function finish(record: QuarantineRecord, deps: ReleaseImageDeps) {
  const release = record.release!;
  const untagged = record.method === 'untag' || record.marker !== undefined || record.removedTags.length > 0 || record.removing.length > 0;
  const restored: RestoreResult = untagged ? await restoreTags(record, deps) : { restored: [], kept: [], markerRemoved: false, warnings: [] };
  const storage = record.method === 'archive' ? await deps.registry.setStorage(record.key, 'STANDARD') : undefined;
  const verdict = (await deps.verdicts.get(record.key))?.verdict ?? verdictFromRecord(record);
  const now = deps.clock.now();
  const done: QuarantineRecord = {
    ...record,
    state: 'RELEASED',
    removing: [],
    ...(storage !== undefined ? { storage } : {}),
    warnings: mergeWarnings(record.warnings, restored.warnings),
    release: {
      ...release,
      restoredTags: restored.restored,
      keptTags: restored.kept,
      markerRemoved: restored.markerRemoved,
      ...(storage !== undefined ? { storage } : {}),
      releasedAt: now,
    },
    updatedAt: now,
  };
  const alert = buildQuarantineAlert({
    eventType: 'RELEASED',
    record: done,
    verdict,
    imageTags: restored.restored,
    tags: restored.restored,
    keptTags: restored.kept,
    warnings: restored.warnings,
    step: releaseStep(release),
    time: now,
  });
  return { record: done, pending: pendingQuarantineAlert(alert, deps.options.repositoryId(record.key), now) };
}

function releaseStep(release: ReleaseRecord): string[] {
  return [release.requestedAt.toISOString()];
}

function releasedOutcome(record: QuarantineRecord): ReleaseOutcome {
  const release = record.release!;
  return {
    action: 'released',
    restoredTags: release.restoredTags,
    keptTags: release.keptTags,
    markerRemoved: release.markerRemoved,
    ...(release.storage !== undefined ? { storage: release.storage } : {}),
    alertId: quarantineAlertIdOf(record, 'RELEASED', releaseStep(release)),
  };
}

async function publish(stored: StoredQuarantine, deps: ReleaseImageDeps): Promise<void> {
  if (stored.pending) await publishQuarantineAlerts([{ key: stored.record.key, pending: stored.pending }], deps, 1);
}
