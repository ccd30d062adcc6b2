import type { ImageKey, ImageState, RepositoryKey } from '../../pipeline/model.ts';
import type { ImageStateStore, RescanQueue } from '../../ports.ts';
import type { BackfillDeps } from '../../use-cases/backfill-images.ts';
import type { EvaluateCall, EvaluationRun } from '../../use-cases/evaluate-images.ts';
import type { AffectedImages } from '../../use-cases/find-affected-images.ts';
import type { ReleaseOutcome, ReleaseRequest } from '../../use-cases/release-image.ts';
import type { RouteImplementations } from '../api-context.ts';
import type { ActionLog, ExceptionStore } from '../api-ports.ts';
import { addExceptionAction, removeExceptionAction } from './exception-actions.ts';
import { releaseImageAction } from './release-image-action.ts';
import { rescanImageAction } from './rescan-image-action.ts';
import { startBackfillAction } from './start-backfill-action.ts';

/** What the action routes act through: the API's own stores and the pipeline's use cases, bound. */
export interface ActionRouteDeps {
  /** Every action is recorded here before it acts and again with its outcome. */
  readonly actions: ActionLog;
  /** Image states: a rescan or release of an unknown image is a 404. */
  readonly images: Pick<ImageStateStore, 'get'>;
  /** The rescan Lambda's queue: an API rescan is a RescanMessage with `all`. */
  readonly rescans: RescanQueue;
  /**
   * backfillImages' dependencies (the registry catalogue among them: its `repositories()` are the
   * watched ones; the route narrows them to the body's, or to those the caller may act on).
   */
  readonly backfill: BackfillDeps;
  /** releaseImage bound to its dependencies (judging-deps' `release`). */
  readonly release: (request: ReleaseRequest) => Promise<ReleaseOutcome>;
  readonly exceptions: ExceptionStore;
  /** findAffectedImages bound to the advisory ID index and the scan results. */
  readonly affected: (vulnerability: string) => Promise<AffectedImages>;
  /** Every repository holding a digest (the image state store's imagesWithDigest). */
  readonly holders: { imagesWithDigest(digest: ImageKey['digest']): Promise<readonly ImageState[]> };
  /** evaluateImages bound to its dependencies (judging-deps' `judge`), over the exception-aware policy. */
  readonly judge: (keys: readonly ImageKey[], call?: EvaluateCall) => Promise<EvaluationRun>;
  /** The exception-aware policy source: made to re-read the exceptions before the affected images are judged. */
  readonly policies?: { forceRefresh(): void };
  /** Random, URL-safe IDs for actions and exceptions; default crypto random. */
  readonly newId?: () => string;
  /** Wall-clock milliseconds for deadlines; default Date.now. */
  readonly nowMs?: () => number;
  readonly options?: ActionRouteOptions;
}

export interface ActionRouteOptions {
  /** Time a backfill call runs before it answers `complete: false` (the API has ~30 s). Default 20 s. */
  readonly backfillBudgetMs?: number;
  /** Time spent re-judging the images an exception affects; the daily pass judges the rest. Default 15 s. */
  readonly reevaluateBudgetMs?: number;
  /** Images judged per evaluation run when re-judging. Default 25. */
  readonly reevaluateBatchSize?: number;
}

/** The repository an action touches, for the action log's per-repository listing. */
export type ActionRepository = RepositoryKey;

/** The findings API's action routes. Each records an ActionEntry before acting and after. */
export function actionRoutes(deps: ActionRouteDeps): Pick<RouteImplementations, 'rescanImage' | 'startBackfill' | 'releaseImage' | 'addException' | 'removeException'> {
  return {
    rescanImage: (input, context) => rescanImageAction(input, context, deps),
    startBackfill: (input, context) => startBackfillAction(input, context, deps),
    releaseImage: (input, context) => releaseImageAction(input, context, deps),
    addException: (input, context) => addExceptionAction(input, context, deps),
    removeException: (input, context) => removeExceptionAction(input, context, deps),
  };
}
