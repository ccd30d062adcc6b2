import { buildQuarantineAlert } from '../alerts/build-quarantine-alert.ts';
import type { ImageKey, RepositoryKey } from '../pipeline/model.ts';
import {
  isQuarantineMarker,
  quarantineMarkerOf,
  type KeptTag,
  type QuarantineMethod,
  type QuarantinePolicy,
  type QuarantineRecord,
  type QuarantineTrigger,
  type StorageStatus,
} from '../pipeline/quarantine-model.ts';
import type { Verdict } from '../pipeline/verdict-model.ts';
import type { PolicyCatalogue } from '../policy/repository-policy.ts';
import type {
  AlertPublisher,
  Clock,
  EventPublisher,
  PendingQuarantineAlert,
  PolicySource,
  QuarantineRegistry,
  QuarantineStore,
  StoredQuarantine,
  VerdictStore,
} from '../ports.ts';
import { planQuarantine } from '../quarantine/plan-quarantine.ts';
import { pendingQuarantineAlert, publishQuarantineAlerts, type PendingEntry } from '../quarantine/publish-quarantine-alert.ts';
import { quarantineIdOf } from '../quarantine/quarantine-ids.ts';
import { enforcedVerdictOf, keyText, mergeKept, mergeWarnings } from '../quarantine/quarantine-records.ts';
import { putMarkerAndRemoveTags } from '../quarantine/quarantine-steps.ts';
import { mapLimit } from '../util/map-limit.ts';

export interface EnforceRequest {
  readonly key: ImageKey;
  readonly trigger: QuarantineTrigger;
}

export interface EnforceVerdictsOptions {
  /** The repository's identifier in events (an ECR repository ARN on AWS). */
  readonly repositoryId: (key: ImageKey) => string;
  /** planDelivery's cap: per-image messages emailed per group; the rest go to machines only. */
  readonly emailImageCap: number;
  /** A pending alert older than this is taken to be a dead writer's and republished. Default 20 s, as evaluate-images. */
  readonly pendingGraceMs?: number;
  /** Images enforced at once. Default 4. */
  readonly concurrency?: number;
}

export interface EnforceVerdictsDeps {
  readonly verdicts: Pick<VerdictStore, 'get'>;
  readonly quarantines: QuarantineStore;
  readonly registry: QuarantineRegistry;
  readonly policies: PolicySource;
  readonly alerts: AlertPublisher;
  readonly events?: EventPublisher;
  readonly clock: Clock;
  readonly options: EnforceVerdictsOptions;
}

export type EnforcementOutcome =
  | { readonly key: ImageKey; readonly action: 'none'; readonly why: string }
  | {
      readonly key: ImageKey;
      readonly action: 'quarantined';
      readonly method: QuarantineMethod;
      /** What this step removed (a re-tag: only the new tags). */
      readonly removedTags: readonly string[];
      readonly keptTags: readonly KeptTag[];
      readonly storage?: StorageStatus;
      readonly alertId: string;
    }
  | { readonly key: ImageKey; readonly action: 'skipped'; readonly reason: string; readonly alertId?: string }
  /** A release is in progress, or another enforcement is publishing this image's alert: left for a later event. */
  | { readonly key: ImageKey; readonly action: 'busy'; readonly why: string };

export class QuarantineBusyError extends Error {
  override readonly name = 'QuarantineBusyError';
}

const DEFAULT_GRACE_MS = 20_000;
/** Conflicting writes (another writer got in) before giving up; the queue's retry starts over. */
const MAX_CONFLICTS = 4;
/** Reads and writes of one image's record per call: intent, result, a republish, conflicts. */
const MAX_ROUNDS = 12;

/**
 * Enforce mode: quarantines each image whose stored verdict FAILs in `enforce` mode (on a push; on
 * a rescan only where the policy opts in), as the policy and the repository's settings allow.
 *
 * Every state change is a conditional write of the image's quarantine record: the intent
 * (QUARANTINING, with the tags about to be removed) before any registry call, the result with its
 * alert (the outbox) after them, then the alert is published and confirmed. Each registry call is
 * idempotent, so a crash between any two calls converges on the rerun: it reads the intent and
 * finishes it, and republishes an alert left pending (same alertId). A conflicting write re-reads
 * and decides again.
 *
 * Alerts of the whole call are published together (grouped and capped for people), then events,
 * then confirmed. Throws what the ports throw (retry the call: it converges).
 */
export async function enforceVerdicts(requests: readonly EnforceRequest[], deps: EnforceVerdictsDeps): Promise<readonly EnforcementOutcome[]> {
  if (requests.length === 0) return [];
  const catalogue = await deps.policies.current();
  const toPublish: PendingEntry[] = [];
  const outcomes = await mapLimit(distinctRequests(requests), deps.options.concurrency ?? 4, async (request) => {
    const result = await enforceOne(request, catalogue, deps);
    if (result.publish) toPublish.push({ key: request.key, pending: result.publish });
    return result.outcome;
  });
  await publishQuarantineAlerts(toPublish, deps, deps.options.emailImageCap);
  return outcomes;
}

interface OneResult {
  readonly outcome: EnforcementOutcome;
  readonly publish?: PendingQuarantineAlert;
}

interface Context {
  readonly key: ImageKey;
  readonly trigger: QuarantineTrigger;
  readonly verdict: Verdict;
  readonly policy: QuarantinePolicy;
  readonly deps: EnforceVerdictsDeps;
}

/** What one round decided: an answer, or a write (the last one of a quarantine carries the answer). */
type Step =
  | { readonly kind: 'answer'; readonly outcome: EnforcementOutcome }
  | {
      readonly kind: 'write';
      readonly record: QuarantineRecord;
      readonly pending?: PendingQuarantineAlert;
      readonly outcome?: EnforcementOutcome;
    };

async function enforceOne(request: EnforceRequest, catalogue: PolicyCatalogue, deps: EnforceVerdictsDeps): Promise<OneResult> {
  const { key } = request;
  const verdict = (await deps.verdicts.get(key))?.verdict;
  if (!verdict) return { outcome: { key, action: 'none', why: 'no verdict stored' } };
  if (verdict.verdict !== 'FAIL' || verdict.mode !== 'enforce') return { outcome: { key, action: 'none', why: `verdict ${verdict.verdict} in ${verdict.mode} mode` } };
  const context: Context = { key, trigger: request.trigger, verdict, policy: catalogue.policyFor(key.repository).quarantine, deps };
  const grace = deps.options.pendingGraceMs ?? DEFAULT_GRACE_MS;
  let conflicts = 0;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const stored = await deps.quarantines.get(key);
    if (stored?.pending && deps.clock.now().getTime() - stored.pending.createdAt.getTime() >= grace) {
      // Its writer died or its publish failed: out first, under its own alertId, before anything new is decided.
      await publishQuarantineAlerts([{ key, pending: stored.pending }], deps, deps.options.emailImageCap);
      continue;
    }
    const step = await decide(stored, context);
    if (step.kind === 'answer') return { outcome: step.outcome };
    const write = { record: step.record, ...(step.pending ? { pending: step.pending } : {}) };
    if (!(await deps.quarantines.put(key, write, stored?.revision))) {
      if (++conflicts >= MAX_CONFLICTS) break;
      continue;
    }
    if (step.outcome) return { outcome: step.outcome, ...(step.pending ? { publish: step.pending } : {}) };
  }
  throw new QuarantineBusyError(`quarantine of ${keyText(key)} kept changing under ${conflicts} conflicting writes`);
}

/** The next step for the image against its stored record. */
async function decide(stored: StoredQuarantine | undefined, context: Context): Promise<Step> {
  const { key } = context;
  const record = stored?.record;
  // A fresh pending alert is another enforcement's, publishing now: a new write would replace it.
  const publishing = stored?.pending !== undefined;
  const busy: Step = { kind: 'answer', outcome: { key, action: 'busy', why: 'another enforcement of this image is publishing its alert' } };
  if (record?.state === 'RELEASING') return { kind: 'answer', outcome: { key, action: 'busy', why: 'a release is in progress' } };
  // An intent already written is finished whatever the trigger: the registry may be half way.
  if (record?.state === 'QUARANTINING') return publishing ? busy : finish(record, context);
  if (context.trigger === 'rescan' && !context.policy.enforceOnRescan) return none(key, 'rescan: alert only (enforceOnRescan is off)');
  if (record?.state === 'QUARANTINED') {
    return record.method === 'untag' ? retag(record, publishing, context) : rearchive(record, publishing, context);
  }
  if (record?.state === 'RELEASED') {
    const released = new Set(record.release?.failingIds ?? []);
    if (context.verdict.failingIds.every((id) => released.has(id))) return none(key, 'released with these failures');
  }
  const { registry } = context.deps;
  const image = await registry.describe(key);
  if (!image.exists) return none(key, 'the image is no longer in the registry');
  const plan = planQuarantine({ settings: await registry.settings(repositoryOf(key)), tags: image.tags, policy: context.policy, supportsArchive: registry.supportsArchive });
  if (plan.action === 'nothing') return none(key, plan.why);
  if (plan.action === 'skip' && record?.state === 'SKIPPED' && record.skippedReason === plan.reason) return none(key, `skipped already: ${plan.reason}`);
  if (publishing) return busy;
  const now = context.deps.clock.now();
  const start = {
    key,
    id: quarantineIdOf(key, record?.id, now),
    trigger: context.trigger,
    verdict: enforcedVerdictOf(context.verdict),
    startedAt: now,
    removedTags: [],
    updatedAt: now,
  };
  if (plan.action === 'skip') {
    const skipped: QuarantineRecord = { ...start, state: 'SKIPPED', method: context.policy.method, removing: [], keptTags: [], warnings: plan.warnings, skippedReason: plan.reason };
    const pending = alertOf(skipped, 'QUARANTINE_SKIPPED', { imageTags: image.tags.filter((tag) => !isQuarantineMarker(tag)), tags: [], keptTags: [], step: [plan.reason] }, context);
    return { kind: 'write', record: skipped, pending, outcome: { key, action: 'skipped', reason: plan.reason, alertId: pending.alert.alertId } };
  }
  const intent: QuarantineRecord = {
    ...start,
    state: 'QUARANTINING',
    method: plan.method,
    ...(plan.method === 'untag' ? { marker: quarantineMarkerOf(key.digest) } : {}),
    removing: plan.remove,
    keptTags: plan.keptTags,
    warnings: plan.warnings,
  };
  return { kind: 'write', record: intent };
}

/**
 * A quarantined digest with tags again (pushed under a new tag, or an old one pushed back): they are
 * removed too, on the same record, after a new intent. New immutable tags follow the policy as a
 * first quarantine does: archive (the record then does both) or, alert-only, left with the reason.
 */
async function retag(record: QuarantineRecord, publishing: boolean, context: Context): Promise<Step> {
  const { key, deps } = context;
  const image = await deps.registry.describe(key);
  if (!image.exists) return none(key, 'the image is no longer in the registry');
  const added = image.tags.filter((tag) => !isQuarantineMarker(tag));
  if (added.length === 0) return none(key, 'quarantined already');
  const plan = planQuarantine({ settings: await deps.registry.settings(repositoryOf(key)), tags: added, policy: { ...context.policy, method: 'untag' }, supportsArchive: deps.registry.supportsArchive });
  if (plan.action !== 'quarantine') return none(key, `quarantined; tags ${added.join(', ')} pushed since are left: ${plan.action === 'skip' ? plan.reason : plan.why}`);
  if (publishing) return { kind: 'answer', outcome: { key, action: 'busy', why: 'another enforcement of this image is publishing its alert' } };
  const now = deps.clock.now();
  const intent: QuarantineRecord = {
    ...record,
    state: 'QUARANTINING',
    method: plan.method,
    removing: plan.remove,
    keptTags: mergeKept(record.keptTags, plan.keptTags),
    warnings: mergeWarnings(record.warnings, plan.warnings),
    updatedAt: now,
  };
  return { kind: 'write', record: intent };
}

/** An archived image back in standard storage (restored by hand, or by a lifecycle rule) is archived again. */
async function rearchive(record: QuarantineRecord, publishing: boolean, context: Context): Promise<Step> {
  const { key, deps } = context;
  const status = await deps.registry.storage(key);
  if (status !== 'ACTIVE') return none(key, `archived already (${status})`);
  if (publishing) return { kind: 'answer', outcome: { key, action: 'busy', why: 'another enforcement of this image is publishing its alert' } };
  return { kind: 'write', record: { ...record, state: 'QUARANTINING', updatedAt: deps.clock.now() } };
}

/** Carries out a written intent and answers the result with its alert. Safe to repeat. */
async function finish(record: QuarantineRecord, context: Context): Promise<Step> {
  const { key, deps } = context;
  const intentAt = record.updatedAt.toISOString();
  if (record.method === 'untag') {
    const marker = record.marker ?? quarantineMarkerOf(key.digest);
    const { removed, kept } = await putMarkerAndRemoveTags(deps.registry, key, marker, record.removing);
    const now = deps.clock.now();
    const done: QuarantineRecord = {
      ...record,
      state: 'QUARANTINED',
      marker,
      removing: [],
      removedTags: [...record.removedTags, ...removed.map((tag) => ({ tag, removedAt: now }))],
      keptTags: mergeKept(record.keptTags, kept),
      quarantinedAt: record.quarantinedAt ?? now,
      updatedAt: now,
    };
    const pending = alertOf(done, 'QUARANTINED', { imageTags: record.removing, tags: removed, keptTags: kept, step: ['untag', intentAt, ...[...record.removing].sort()] }, context);
    return { kind: 'write', record: done, pending, outcome: { key, action: 'quarantined', method: 'untag', removedTags: removed, keptTags: kept, alertId: pending.alert.alertId } };
  }
  const storage = await deps.registry.setStorage(key, 'ARCHIVE');
  const image = await deps.registry.describe(key);
  const now = deps.clock.now();
  const done: QuarantineRecord = { ...record, state: 'QUARANTINED', removing: [], storage, quarantinedAt: record.quarantinedAt ?? now, updatedAt: now };
  const imageTags = image.exists ? image.tags.filter((tag) => !isQuarantineMarker(tag)) : [];
  const pending = alertOf(done, 'QUARANTINED', { imageTags, tags: [], keptTags: record.keptTags, step: ['archive', intentAt] }, context);
  return {
    kind: 'write',
    record: done,
    pending,
    outcome: { key, action: 'quarantined', method: 'archive', removedTags: [], keptTags: record.keptTags, storage, alertId: pending.alert.alertId },
  };
}

function alertOf(
  record: QuarantineRecord,
  eventType: 'QUARANTINED' | 'QUARANTINE_SKIPPED',
  what: { readonly imageTags: readonly string[]; readonly tags: readonly string[]; readonly keptTags: readonly KeptTag[]; readonly step: readonly string[] },
  context: Context,
): PendingQuarantineAlert {
  const now = context.deps.clock.now();
  const alert = buildQuarantineAlert({ eventType, record, verdict: context.verdict, ...what, warnings: record.warnings, time: now });
  return pendingQuarantineAlert(alert, context.deps.options.repositoryId(context.key), now);
}

function none(key: ImageKey, why: string): Step {
  return { kind: 'answer', outcome: { key, action: 'none', why } };
}

function repositoryOf(key: ImageKey): RepositoryKey {
  return { account: key.account, region: key.region, repository: key.repository };
}

/** One request per image, in first-seen order; a push among its requests wins over a rescan. */
function distinctRequests(requests: readonly EnforceRequest[]): EnforceRequest[] {
  const byKey = new Map<string, EnforceRequest>();
  for (const request of requests) {
    const id = keyText(request.key);
    const seen = byKey.get(id);
    byKey.set(id, seen && seen.trigger === 'push' ? seen : request);
  }
  return [...byKey.values()];
}
