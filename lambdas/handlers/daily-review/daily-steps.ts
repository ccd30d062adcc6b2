import type { ImageKey, ImageState, RepositoryKey } from '../../core/pipeline/model.ts';
import { messageOf } from '../../core/errors.ts';
import type { Clock, ImageStateStore, RegistryCatalog, RepositoryCatalogue } from '../../core/ports.ts';
import { backfillImages, type BackfillDeps } from '../../core/use-cases/backfill-images.ts';
import { reviewVerdicts, type DailyReviewDeps, type DailyReviewReport } from '../../core/use-cases/daily-review.ts';
import type { EvaluationRun } from '../../core/use-cases/evaluate-images.ts';
import { recordDailyCounts, type RecordDailyCountsDeps } from '../../core/use-cases/record-daily-counts.ts';
import { reindexImages, type ReindexImagesDeps } from '../../core/use-cases/reindex-images.ts';
import { mapLimit } from '../../core/util/map-limit.ts';
import { UntilDeadline } from './deadline.ts';
import { PartialStepFailure, type DailyStep } from './run-steps.ts';

const DAY_MS = 86_400_000;

/** The day a run belongs to: reruns and retries of that day share their run IDs (and backfill marks). */
export function runDay(now: Date): string {
  return now.toISOString().slice(0, 10);
}

export interface BackfillSummary {
  readonly runId: string;
  readonly pushedAfter?: string;
  readonly repositories: number;
  readonly images: number;
  readonly queued: number;
  readonly alreadyQueued: number;
  readonly alreadyScanned: number;
  /** Scanned by an older scanner version only: left to the rate-limited re-index, not queued here. */
  readonly leftToReindex: number;
  readonly withoutState: number;
  readonly olderThanBound: number;
  readonly tagsAdded: number;
  readonly tagsRemoved: number;
  readonly deletedMarked: number;
  readonly failedRepositories: readonly { readonly repository: string; readonly error: string }[];
  /** The deadline came before every repository was listed; the next run lists them again. */
  readonly stoppedEarly: boolean;
}

/**
 * (1) The daily enumeration: every watched image pushed within the bound with no committed scan at
 * all (its event was lost) is queued once a day (the run ID names the day and version), tags are
 * reconciled with ECR and images DescribeImages says are gone are marked deleted. Images scanned by
 * an older scanner version are not queued here: after an upgrade that would be every recent image
 * at once, past the re-index's rate limit; the re-index takes them, oldest first.
 */
export function backfillStep(options: { readonly maxAgeDays?: number }, deps: BackfillDeps): DailyStep<BackfillSummary> {
  return {
    name: 'backfill',
    run: async (deadline) => {
      const now = deps.clock.now();
      const repositories = new UntilDeadline(deps.catalog.repositories(), deadline);
      const catalog: RegistryCatalog = { repositories: () => repositories, images: (repository) => deps.catalog.images(repository) };
      const runId = `daily-${runDay(now)}-${deps.scannerVersion}`;
      const pushedAfter = options.maxAgeDays !== undefined ? new Date(now.getTime() - options.maxAgeDays * DAY_MS) : undefined;
      const report = await backfillImages({ runId, reconcile: true, skip: 'scanned-by-any-version', ...(pushedAfter ? { pushedAfter } : {}) }, { ...deps, catalog });
      const failedRepositories = report.byRepository.flatMap((entry) => (entry.error !== undefined ? [{ repository: entry.repository, error: entry.error }] : []));
      const summary: BackfillSummary = {
        runId,
        ...(report.pushedAfter !== undefined ? { pushedAfter: report.pushedAfter } : {}),
        repositories: report.repositories,
        images: report.images,
        queued: report.queued,
        alreadyQueued: report.alreadyQueued,
        alreadyScanned: report.alreadyScanned,
        leftToReindex: report.leftToReindex,
        withoutState: report.withoutState,
        olderThanBound: report.olderThanBound,
        tagsAdded: report.tagsAdded,
        tagsRemoved: report.tagsRemoved,
        deletedMarked: report.deletedMarked,
        failedRepositories,
        stoppedEarly: repositories.stopped,
      };
      if (failedRepositories.length > 0) throw new PartialStepFailure(`backfill failed in ${String(failedRepositories.length)} repositories: ${failedRepositories.map((entry) => entry.repository).join(', ')}`, summary);
      return summary;
    },
  };
}

export interface ReviewSummary extends Omit<DailyReviewReport, 'keys' | 'deletedCheck'> {
  /** Due images not handed to evaluation because the deadline came first (still due tomorrow). */
  readonly leftForLater: number;
}

/** (2) reviewVerdicts in parallel batches; a batch reached after the deadline is left for the next run. */
export function reviewStep(options: { readonly batchSize: number; readonly concurrency: number }, deps: DailyReviewDeps): DailyStep<ReviewSummary> {
  return {
    name: 'review',
    run: async (deadline) => {
      let leftForLater = 0;
      const evaluate = async (keys: readonly ImageKey[]): Promise<EvaluationRun> => {
        if (deadline.expired()) {
          leftForLater += keys.length;
          return { images: [], published: { alerts: 0, events: 0 } };
        }
        return deps.evaluate(keys);
      };
      // Deletions were checked by the enumeration (DescribeImages on the watched repositories).
      const report = await reviewVerdicts({ batchSize: options.batchSize, concurrency: options.concurrency, checkDeleted: false }, { ...deps, evaluate });
      const { keys: _keys, deletedCheck: _deleted, ...rest } = report;
      return { ...rest, leftForLater };
    },
  };
}

export interface ReindexSummary {
  readonly queued: number;
  readonly skipped: number;
  /** Older scans remain past this run's limit (or its deadline). */
  readonly more: boolean;
  readonly stoppedEarly: boolean;
}

/** (3) Scans by older scanner versions queued again, oldest first, at most `limit` a run. */
export function reindexStep(options: { readonly limit: number; readonly clock: Clock }, deps: ReindexImagesDeps): DailyStep<ReindexSummary> {
  return {
    name: 'reindex',
    run: async (deadline) => {
      let stopped: UntilDeadline<unknown> | undefined;
      const versions: ReindexImagesDeps['versions'] = {
        outdated: (current) => {
          const source = new UntilDeadline(deps.versions.outdated(current), deadline);
          stopped = source;
          return source;
        },
      };
      const report = await reindexImages({ limit: options.limit, runId: `reindex-${runDay(options.clock.now())}` }, { ...deps, versions });
      const stoppedEarly = stopped?.stopped === true;
      return { queued: report.queued.length, skipped: report.skipped.length, more: report.more || stoppedEarly, stoppedEarly };
    },
  };
}

export interface RetentionSummary {
  readonly retentionDays?: number;
  /** Deleted images the table held when read (never judged, rescanned or alerted). */
  readonly deleted: number;
  /** Of those, deleted longer ago than the retention. */
  readonly pastRetention: number;
  /** Of those, forgotten by this run (state, verdict, tag pointers; catalogue counts down). */
  readonly forgotten: number;
  /** Past retention but not forgotten: pushed again (restored) or deleted again since the read. */
  readonly kept: number;
  /** Forgets that threw (retried by the next run). */
  readonly failed: number;
  /** The oldest deletion still kept after this run. */
  readonly oldestDeletedAt?: string;
  readonly stoppedEarly: boolean;
}

export interface RetentionDeps {
  readonly catalogue: RepositoryCatalogue;
  readonly states: { imagesOf(repository: RepositoryKey): Promise<readonly ImageState[]> };
  readonly images: Pick<ImageStateStore, 'forgetDeleted'>;
  readonly clock: Clock;
}

/**
 * (4) Retention. A deleted image is already out of every judgement, rescan and alert (evaluation
 * answers `gone`, rescans skip it); the retention says how long its state is kept. Past it, each is
 * forgotten (only repositories the catalogue says hold deleted ones are read), `concurrency` at a
 * time and none started after the deadline; a forget that fails is counted and the step fails at
 * the end, what was forgotten reported. Without a retention deleted images are kept (and counted).
 * A rerun finds the forgotten ones gone: nothing is forgotten twice.
 */
export function retentionStep(options: { readonly retentionDays?: number; readonly concurrency?: number }, deps: RetentionDeps): DailyStep<RetentionSummary> {
  return {
    name: 'retention',
    run: async (deadline) => {
      const now = deps.clock.now().getTime();
      const bound = options.retentionDays !== undefined ? now - options.retentionDays * DAY_MS : undefined;
      let deleted = 0;
      let pastRetention = 0;
      let forgotten = 0;
      let kept = 0;
      const failures: string[] = [];
      let oldest: Date | undefined;
      let stoppedEarly = false;
      const keep = (at: Date) => {
        if (!oldest || at < oldest) oldest = at;
      };
      for (const entry of await deps.catalogue.list()) {
        if (entry.deleted <= 0) continue;
        if (deadline.expired()) {
          stoppedEarly = true;
          break;
        }
        const past: ImageState[] = [];
        for (const state of await deps.states.imagesOf({ account: entry.account, region: entry.region, repository: entry.repository })) {
          if (!state.deletedAt) continue;
          deleted++;
          if (bound !== undefined && state.deletedAt.getTime() < bound) past.push(state);
          else keep(state.deletedAt);
        }
        pastRetention += past.length;
        await mapLimit(past, options.concurrency ?? DEFAULT_RETENTION_CONCURRENCY, async (state) => {
          const deletedAt = state.deletedAt!;
          if (deadline.expired()) {
            stoppedEarly = true;
            keep(deletedAt);
            return;
          }
          try {
            if (await deps.images.forgetDeleted({ account: state.account, region: state.region, repository: state.repository, digest: state.digest }, deletedAt)) forgotten++;
            else kept++;
          } catch (error) {
            failures.push(`${state.repository}@${state.digest}: ${messageOf(error)}`);
            keep(deletedAt);
          }
        });
      }
      const summary: RetentionSummary = {
        ...(options.retentionDays !== undefined ? { retentionDays: options.retentionDays } : {}),
        deleted,
        pastRetention,
        forgotten,
        kept,
        failed: failures.length,
        ...(oldest ? { oldestDeletedAt: oldest.toISOString() } : {}),
        stoppedEarly,
      };
      if (failures.length > 0) throw new PartialStepFailure(`retention could not forget ${String(failures.length)} deleted images: ${failures.slice(0, 5).join('; ')}`, summary);
      return summary;
    },
  };
}

/** Forgets in flight at once: each is a read per tag and one small transaction. */
const DEFAULT_RETENTION_CONCURRENCY = 4;

export interface CountsSummary {
  readonly date: string;
  readonly repositories: number;
  /** Repositories whose counts for the day were written. */
  readonly recorded: number;
  readonly images: number;
  readonly failedRepositories: readonly { readonly repository: string; readonly error: string }[];
  readonly stoppedEarly: boolean;
}

/**
 * (5) The day's counts per repository (`GET /history`), from the verdicts as the review left them.
 * A rerun the same day writes the day again; a repository that fails is reported and the step
 * fails at the end, what was recorded kept.
 */
export function countsStep(deps: RecordDailyCountsDeps): DailyStep<CountsSummary> {
  return {
    name: 'counts',
    run: async (deadline) => {
      const report = await recordDailyCounts({ shouldStop: () => deadline.expired() }, deps);
      const summary: CountsSummary = { date: report.date, repositories: report.repositories, recorded: report.recorded, images: report.images, failedRepositories: report.failed, stoppedEarly: report.stoppedEarly };
      if (report.failed.length > 0) throw new PartialStepFailure(`daily counts failed in ${String(report.failed.length)} repositories: ${report.failed.map((entry) => entry.repository).join(', ')}`, summary);
      return summary;
    },
  };
}
