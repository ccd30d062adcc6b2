import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { AdvisoryChanges, EcosystemSyncReport } from '../../core/advisories/sync-model.ts';
import { isCustomsError, messageOf } from '../../core/errors.ts';
import type { AdvisoryLoadRequests, RescanMarks, RescanQueue, ScanResultStore } from '../../core/ports.ts';
import { queueRescans, type ConfirmableRescanMarks, type QueueRescansResult } from '../../core/use-cases/queue-rescans.ts';
import { syncAdvisories, type SyncAdvisoriesDeps } from '../../core/use-cases/sync-advisories.ts';
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
  /**
   * How long a (syncId, digest) mark claimed but never confirmed blocks another claim (the marks'
   * claimLeaseMs; default 5 minutes). A failed fan-out's continuation waits this long and a little
   * more, so the digests it claimed without sending can be claimed and sent again.
   */
  readonly rescanClaimLeaseMs?: number;
}

export const DEFAULT_RESCAN_CLAIM_LEASE_MS = 5 * 60_000;

export interface SyncRunDeps extends Omit<SyncAdvisoriesDeps, 'options'> {
  readonly loadRequests: Pick<AdvisoryLoadRequests, 'list'>;
  readonly results: Pick<ScanResultStore, 'digestsWithPackage' | 'digestsWaitingFor'>;
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
  | { readonly outcome: 'continued'; readonly syncId: string; readonly ecosystems: readonly string[]; readonly reports: readonly EcosystemSyncReport[] }
  | {
      readonly outcome: 'complete';
      readonly syncId: string;
      readonly ecosystems: readonly string[];
      readonly reports: readonly EcosystemSyncReport[];
      /** The fan-out, when the sync changed anything or images waited for an ecosystem it loaded. */
      readonly rescans?: QueueRescansResult;
      /** The fan-out failed and was handed to a continuation of the same sync, which does it again. */
      readonly fanOutDeferred?: boolean;
    };

const DEFAULT_LEASE_MS = 180_000;
/** Malformed IDs per log line: every one is logged, in lines of bounded size. */
const IDS_PER_LINE = 100;

/** Seconds a failed fan-out's continuation waits: past the claim lease, within SQS's 15-minute limit. */
export function fanOutRetryDelaySeconds(claimLeaseMs: number): number {
  return Math.min(900, Math.ceil(claimLeaseMs / 1000) + 5);
}

/**
 * One sync invocation: which ecosystems (configured, or derived from the stored cursors and the
 * scanner's load requests), syncAdvisories under the lease with the invocation's deadline, then
 * either a continuation (out of time: the next invocation starts at once, same syncId) or the
 * rescan fan-out of everything the sync changed plus the images waiting for an ecosystem it loaded.
 * The cursor ages are emitted whatever happened, so the alarm always has a value from each run.
 *
 * A fan-out that fails is handed on as a continuation of the same sync, delayed past the marks'
 * claim lease: that run finds the sync's change set stored, adds whatever changed since and fans
 * out all of it again, re-claiming the digests the failed fan-out claimed but never sent, while the
 * confirmed marks keep the others queued once. Only when that cannot be sent either is it thrown.
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
  const run = await syncAdvisories(
    { holder: request.holder, ...(request.syncId !== undefined ? { syncId: request.syncId } : {}) },
    {
      source: deps.source,
      writer: deps.writer,
      cursors: deps.cursors,
      lease: deps.lease,
      changeSets: deps.changeSets,
      clock: deps.clock,
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

  if (!run.complete) {
    // Out of time before a single ecosystem was even started: a continuation would do the same.
    if (run.reports.length === 0 && ecosystems.length > 0) throw new Error(`sync ${run.syncId}: out of time before any ecosystem; the function's timeout leaves no time for one group of records`);
    await deps.continuation.send(run.syncId);
    recordContinuation(deps.metrics);
    log.info('out of time; continued through the continuation queue', { ecosystems, done: run.reports.filter((report) => report.complete).map((report) => report.ecosystem) });
    return { outcome: 'continued', syncId: run.syncId, ecosystems, reports: run.reports };
  }

  const waitingFor = waitingEcosystems(ecosystems, requested);
  try {
    const rescans = await fanOut(run.syncId, run.changes, waitingFor, deps);
    if (rescans) {
      recordRescansQueued(deps.metrics, rescans);
      log.info('sync complete; rescans queued', { ecosystems, changedKeys: run.changes?.keys.length ?? 0, changedRecords: run.changes?.records.length ?? 0, retracted: run.changes?.retracted.length ?? 0, waitingFor, rescans });
    } else log.info('sync complete; nothing changed and no image waits', { ecosystems });
    return { outcome: 'complete', syncId: run.syncId, ecosystems, reports: run.reports, ...(rescans ? { rescans } : {}) };
  } catch (error) {
    const delaySeconds = fanOutRetryDelaySeconds(options.rescanClaimLeaseMs ?? DEFAULT_RESCAN_CLAIM_LEASE_MS);
    log.error('rescan fan-out failed; handing it to a continuation of this sync', { error: messageOf(error), delaySeconds });
    try {
      await deps.continuation.send(run.syncId, delaySeconds);
    } catch (sendError) {
      log.error('could not send the continuation either', { error: messageOf(sendError) });
      throw error;
    }
    recordContinuation(deps.metrics);
    return { outcome: 'complete', syncId: run.syncId, ecosystems, reports: run.reports, fanOutDeferred: true };
  }
}

/**
 * The sync's changes and the images waiting for what it loaded, marked and queued. With no changes
 * but waiting images, an empty change set is stored first: the rescan reads the sync's change set.
 */
async function fanOut(syncId: string, changes: AdvisoryChanges | undefined, waitingFor: readonly string[], deps: SyncRunDeps): Promise<QueueRescansResult | undefined> {
  let handed = changes;
  if (!handed) {
    const waiting = await Promise.all(waitingFor.map((ecosystem) => deps.results.digestsWaitingFor(ecosystem)));
    if (waiting.every((digests) => digests.length === 0)) return undefined;
    handed = { syncId, keys: [], records: [], retracted: [] };
    await deps.changeSets.put(handed);
  }
  return queueRescans(handed, { results: deps.results, marks: deps.marks, queue: deps.rescanQueue, options: { digestsPerMessage: deps.options.digestsPerMessage } }, { waitingFor });
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
