import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { EcosystemSyncReport } from '../../core/advisories/sync-model.ts';
import { isCustomsError, messageOf } from '../../core/errors.ts';
import type { Digest } from '../../core/digest.ts';
import type { AdvisoryLoadRequests, PendingFanOuts, RescanMarks, RescanMessage, RescanQueue, ScanResultStore } from '../../core/ports.ts';
import { queueRescans, type ConfirmableRescanMarks, type QueueRescansResult } from '../../core/use-cases/queue-rescans.ts';
import { syncAdvisories, type SyncAdvisoriesDeps, type SyncFanOut } from '../../core/use-cases/sync-advisories.ts';
import type { ContinuationQueue } from './continuation-queue.ts';
import { deriveEcosystems, waitingEcosystems } from './sync-ecosystems.ts';
import { recordContinuation, recordCursorAges, recordRescansQueued, recordSyncCounts } from './sync-metrics.ts';

export interface SyncRunOptions {
  /** `derived`, or the bases to sync. */
  readonly ecosystems: 'derived' | readonly string[];
  readonly overlapMs: number;
  readonly fullCompareEveryMs: number;
  /** The export's base URL: named in each stored record's source and in the freshness items. */
  readonly sourceName: string;
  readonly digestsPerMessage: number;
  /** The sync lease, renewed after every durable group (default 3 minutes: a group, all.zip's download included, takes far less). */
  readonly leaseMs?: number;
  readonly groupSize?: number;
  readonly fetchConcurrency?: number;
}

export interface SyncRunDeps extends Omit<SyncAdvisoriesDeps, 'options' | 'pending' | 'fanOut'> {
  readonly loadRequests: Pick<AdvisoryLoadRequests, 'list'>;
  readonly results: Pick<ScanResultStore, 'digestsWithPackage' | 'digestsWaitingFor'>;
  /** Each sync's fan-out, pending until every digest it affects is queued (see syncAdvisories). */
  readonly pending: PendingFanOuts;
  /**
   * Only the sync lease's holder fans out, so a mark claimed but never confirmed is a dead run's:
   * these marks should take one again at once (a claim lease of 0), not leave it skipped.
   */
  readonly marks: RescanMarks | ConfirmableRescanMarks;
  readonly rescanQueue: RescanQueue;
  readonly continuation: ContinuationQueue;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly options: SyncRunOptions;
}

export interface SyncRunRequest {
  /** Who holds the lease: the Lambda request id. */
  readonly holder: string;
  /** A continuation's sync; absent for a scheduled run. */
  readonly syncId?: string;
  /** Milliseconds left in the invocation (context.getRemainingTimeInMillis); absent: no limit. */
  readonly remainingMs?: () => number;
}

export type SyncRunOutcome =
  /** Another run holds the lease: nothing was done (its own run finishes or continues the work). */
  | { readonly outcome: 'lease-held'; readonly ecosystems: readonly string[] }
  /** Out of time: a continuation `{syncId}` was sent to go on at once. */
  | { readonly outcome: 'continued'; readonly syncId: string; readonly ecosystems: readonly string[]; readonly reports: readonly EcosystemSyncReport[]; readonly pendingFinished: readonly FinishedFanOut[] }
  | {
      readonly outcome: 'complete';
      readonly syncId: string;
      readonly ecosystems: readonly string[];
      readonly reports: readonly EcosystemSyncReport[];
      /** The fan-out, when the sync changed anything or images waited for an ecosystem it loaded. */
      readonly rescans?: QueueRescansResult;
      readonly pendingFinished: readonly FinishedFanOut[];
    };

/** An earlier sync's fan-out, left pending by a run that died, finished by this one. */
export interface FinishedFanOut {
  readonly syncId: string;
  /** Absent when that sync changed nothing. */
  readonly rescans?: QueueRescansResult;
}

/** Earlier syncs' fan-outs failed again (still pending): thrown after the run's own work, so the invocation fails and is retried. */
export class PendingFanOutError extends Error {
  override readonly name = 'PendingFanOutError';
}

const DEFAULT_LEASE_MS = 180_000;
/** Malformed IDs per log line: every one is logged, in lines of bounded size. */
const IDS_PER_LINE = 100;

/**
 * One sync invocation: which ecosystems (configured, or derived from the stored cursors and the
 * scanner's load requests), syncAdvisories under the lease with the invocation's deadline, then
 * either a continuation (out of time: the next invocation starts at once, same syncId) or the
 * rescan fan-out of everything the sync changed plus the images waiting for an ecosystem it loaded.
 * The cursor ages are emitted whatever happened, so the alarm always has a value from each run.
 *
 * The fan-out runs inside syncAdvisories, under the lease and a pending mark: one that fails (or
 * an invocation killed before it ends) leaves the mark, the invocation fails, and Lambda's retry,
 * SQS's redelivery or the next tick fans that sync out before its own. The marks keep a digest a
 * dead fan-out confirmed from being queued again; one it claimed without confirming is sent again.
 */
export async function runSync(request: SyncRunRequest, deps: SyncRunDeps): Promise<SyncRunOutcome> {
  const requested = (await deps.loadRequests.list()).map((entry) => entry.ecosystem);
  const ecosystems = await resolveEcosystems(requested, deps);
  try {
    return await syncAndHandOn(request, ecosystems, requested, deps);
  } finally {
    // Whatever the run did: the alarm reads the oldest age once per run. A failed read is logged,
    // never thrown over the run's own outcome (the missing value is what the alarm then sees).
    try {
      const ages = recordCursorAges(deps.metrics, ecosystems, await deps.cursors.list(), deps.clock.now());
      deps.logger.info('advisory cursor ages', { ecosystems, cursorAgeSeconds: ages.ages, oldestCursorAgeSeconds: ages.oldest });
    } catch (error) {
      deps.logger.error('could not read the cursors for their ages', { error: messageOf(error) });
    }
  }
}

async function syncAndHandOn(request: SyncRunRequest, ecosystems: readonly string[], requested: readonly string[], deps: SyncRunDeps): Promise<SyncRunOutcome> {
  const { options } = deps;
  const deadline = deadlineOf(request.remainingMs);
  const waitingFor = waitingEcosystems(ecosystems, requested);
  let own: QueueRescansResult | undefined;
  const finished = new Map<string, QueueRescansResult | undefined>();
  const fanOut = async (sync: SyncFanOut): Promise<void> => {
    const log = deps.logger.createChild({ persistentKeys: { syncId: sync.syncId } });
    // An earlier sync's waiting images are this run's too: its own fan-out queues them.
    const rescans = await fanOutSync(sync, sync.own ? waitingFor : [], deps);
    if (rescans) recordRescansQueued(deps.metrics, rescans);
    const counts = { changedKeys: sync.changes?.keys.length ?? 0, changedRecords: sync.changes?.records.length ?? 0, retracted: sync.changes?.retracted.length ?? 0 };
    if (sync.own) {
      own = rescans;
      if (rescans) log.info('sync complete; rescans queued', { ecosystems, ...counts, waitingFor, rescans });
      else log.info('sync complete; nothing changed and no image waits', { ecosystems });
    } else {
      finished.set(sync.syncId, rescans);
      log.info('pending rescan fan-out of an earlier sync finished', { ...counts, ...(rescans ? { rescans } : {}) });
    }
  };
  const run = await syncAdvisories(
    { holder: request.holder, ...(request.syncId !== undefined ? { syncId: request.syncId } : {}) },
    {
      source: deps.source,
      writer: deps.writer,
      cursors: deps.cursors,
      lease: deps.lease,
      changeSets: deps.changeSets,
      clock: deps.clock,
      pending: deps.pending,
      fanOut,
      options: {
        ecosystems,
        overlapMs: options.overlapMs,
        fullCompareEveryMs: options.fullCompareEveryMs,
        leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS,
        sourceName: options.sourceName,
        ...(deadline ? { deadline } : {}),
        ...(options.groupSize !== undefined ? { groupSize: options.groupSize } : {}),
        ...(options.fetchConcurrency !== undefined ? { fetchConcurrency: options.fetchConcurrency } : {}),
      },
    },
  );
  if (!run.leaseHeld) {
    deps.logger.info('another run holds the sync lease; nothing done', { ...(request.syncId !== undefined ? { syncId: request.syncId } : {}), ecosystems });
    return { outcome: 'lease-held', ecosystems };
  }
  const log = deps.logger.createChild({ persistentKeys: { syncId: run.syncId } });
  for (const report of run.reports) logReport(log, report);
  recordSyncCounts(deps.metrics, run.reports);
  const pendingFinished = run.pendingFinished.map((syncId): FinishedFanOut => {
    const rescans = finished.get(syncId);
    return { syncId, ...(rescans ? { rescans } : {}) };
  });

  let outcome: SyncRunOutcome;
  if (!run.complete) {
    // Out of time before a single ecosystem was even started: a continuation would do the same.
    if (run.reports.length === 0 && ecosystems.length > 0) throw new Error(`sync ${run.syncId}: out of time before any ecosystem; the function's timeout leaves no time for one group of records`);
    await deps.continuation.send(run.syncId);
    recordContinuation(deps.metrics);
    log.info('out of time; continued through the continuation queue', { ecosystems, done: run.reports.filter((report) => report.complete).map((report) => report.ecosystem) });
    outcome = { outcome: 'continued', syncId: run.syncId, ecosystems, reports: run.reports, pendingFinished };
  } else outcome = { outcome: 'complete', syncId: run.syncId, ecosystems, reports: run.reports, ...(own ? { rescans: own } : {}), pendingFinished };

  if (run.pendingFailed.length > 0) {
    for (const failed of run.pendingFailed) log.error('pending rescan fan-out of an earlier sync failed; still pending', { pendingSyncId: failed.syncId, error: failed.reason });
    throw new PendingFanOutError(`rescan fan-out still pending for ${run.pendingFailed.map((failed) => `${failed.syncId} (${failed.reason})`).join(', ')}`);
  }
  return outcome;
}

/** What the fan-out reads and writes. */
export type RescanFanOutDeps = Pick<SyncRunDeps, 'results' | 'marks' | 'rescanQueue' | 'changeSets'> & { readonly options: Pick<SyncRunOptions, 'digestsPerMessage'> };

/**
 * One sync's changes and the images waiting for what it loaded, marked and queued. With no changes
 * but waiting images, an empty change set is stored first: the rescan reads the sync's change set.
 */
export async function fanOutSync(sync: SyncFanOut, waitingFor: readonly string[], deps: RescanFanOutDeps): Promise<QueueRescansResult | undefined> {
  let handed = sync.changes;
  if (!handed) {
    const waiting = await Promise.all(waitingFor.map((ecosystem) => deps.results.digestsWaitingFor(ecosystem)));
    if (waiting.every((digests) => digests.length === 0)) return undefined;
    handed = { syncId: sync.syncId, keys: [], records: [], retracted: [] };
    await deps.changeSets.put(handed);
  }
  await sync.keepLease();
  const { marks } = deps;
  // queueRescans confirms a round after all of it is sent; confirming each SQS batch as it goes
  // instead means a run killed mid-round leaves unconfirmed only the batch it was sending.
  const confirm = 'confirm' in marks ? (digests: readonly Digest[]) => marks.confirm(sync.syncId, digests) : undefined;
  return queueRescans(
    handed,
    { results: deps.results, marks: { claim: (syncId, digests) => marks.claim(syncId, digests) }, queue: confirmingQueue(deps.rescanQueue, sync.keepLease, confirm), options: { digestsPerMessage: deps.options.digestsPerMessage } },
    { waitingFor },
  );
}

/** SQS's batch: the unit a send succeeds or fails in. */
const SEND_BATCH = 10;

/** The rescan queue with the lease renewed before each round and each batch's digests confirmed once it is sent. */
function confirmingQueue(queue: RescanQueue, keepLease: () => Promise<void>, confirm: ((digests: readonly Digest[]) => Promise<void>) | undefined): RescanQueue {
  return {
    async send(messages: readonly RescanMessage[]): Promise<void> {
      await keepLease();
      for (let at = 0; at < messages.length; at += SEND_BATCH) {
        const batch = messages.slice(at, at + SEND_BATCH);
        await queue.send(batch);
        await confirm?.(batch.flatMap((message) => message.digests));
      }
    },
  };
}

/**
 * Configured, or derived. A derived base never synced is checked against the export first (its
 * modified_id.csv): a load request for an ecosystem the export lacks must not fail every run.
 */
async function resolveEcosystems(requested: readonly string[], deps: SyncRunDeps): Promise<readonly string[]> {
  if (deps.options.ecosystems !== 'derived') return deps.options.ecosystems;
  const derived = deriveEcosystems((await deps.cursors.list()).map((cursor) => cursor.ecosystem), requested);
  for (const refused of derived.refused) deps.logger.warn('load request names no OSV ecosystem; not synced', refused);
  const missing = new Set<string>();
  for (const ecosystem of derived.new) {
    try {
      await deps.source.modified(ecosystem);
    } catch (error) {
      if (!isCustomsError(error) || error.code !== 'not-found') throw error;
      missing.add(ecosystem);
      deps.logger.warn('a load request names an ecosystem the export does not have; not synced', { ecosystem, error: error.message });
    }
  }
  return derived.ecosystems.filter((ecosystem) => !missing.has(ecosystem));
}

/** What syncAdvisories stops by: the time left less a margin for the continuation or fan-out and the metrics (a fifth, at most a minute). */
function deadlineOf(remainingMs: (() => number) | undefined): (() => number) | undefined {
  if (!remainingMs) return undefined;
  const margin = Math.min(60_000, remainingMs() / 5);
  return () => remainingMs() - margin;
}

function logReport(log: Logger, report: EcosystemSyncReport): void {
  const { malformed, ...counts } = report;
  const line = log.createChild({ persistentKeys: { ecosystem: report.ecosystem } });
  line.info('ecosystem synced', { ...counts, malformed: malformed.length });
  for (let at = 0; at < malformed.length; at += IDS_PER_LINE) {
    line.warn('malformed records skipped', { records: malformed.slice(at, at + IDS_PER_LINE) });
  }
}
