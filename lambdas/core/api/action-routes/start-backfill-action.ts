import type { RepositoryKey } from '../../pipeline/model.ts';
import type { ListedImage, RegistryCatalog } from '../../ports.ts';
import { backfillImages } from '../../use-cases/backfill-images.ts';
import { canAct } from '../access-rules.ts';
import type { ApiCallContext } from '../api-context.ts';
import { badRequest, forbidden } from '../api-error.ts';
import type { RouteInput, RouteOutput } from '../route-definition.ts';
import type { Routes } from '../routes.ts';
import type { ActionRouteDeps } from './action-routes.ts';
import { actionAnswer, randomId, recordAction } from './record-action.ts';

type Route = Routes['startBackfill'];

const DEFAULT_BUDGET_MS = 20_000;
const DAY_MS = 86_400_000;

/**
 * Queues the images of the watched repositories (the body's, or every one the caller may act on)
 * that this scanner version has not scanned, as the CLI's backfill does, without reconciling tags.
 * A Lambda behind the HTTP API has 30 s: past the budget no further repository or image is listed
 * and the answer says `complete: false` with the runId, which a POST naming it continues (the run's
 * marks queue nothing twice).
 */
export async function startBackfillAction(input: RouteInput<Route>, context: ApiCallContext, deps: ActionRouteDeps): Promise<RouteOutput<Route>> {
  const body = input.body;
  const nowMs = deps.nowMs ?? Date.now;
  const deadline = nowMs() + (deps.options?.backfillBudgetMs ?? DEFAULT_BUDGET_MS);
  body.repositories?.forEach((name, index) => {
    if (!canAct(context.access, name)) throw forbidden(`not allowed to act on repository ${name} (body.repositories.${index})`);
  });
  const watched: RepositoryKey[] = [];
  for await (const repository of deps.backfill.catalog.repositories()) watched.push(repository);
  const named = body.repositories ? new Set(body.repositories) : undefined;
  named?.forEach((name) => {
    if (!watched.some((repository) => repository.repository === name)) throw badRequest(`body.repositories.${body.repositories!.indexOf(name)}`, `${name} is not a watched repository`);
  });
  const chosen = watched.filter((repository) => (named ? named.has(repository.repository) : canAct(context.access, repository.repository)));
  if (chosen.length === 0 && watched.length > 0) throw forbidden('no watched repository the caller may act on');

  return recordAction(
    deps.actions,
    context,
    {
      action: 'backfill',
      ...(body.reason !== undefined ? { reason: body.reason } : {}),
      target: { repositories: named ? [...named].sort().join(',') : '(every repository the caller may act on)', ...(body.runId ? { continues: body.runId } : {}) },
      ...(chosen.length === 1 ? { repository: chosen[0]! } : {}),
    },
    deps.newId ?? randomId,
    async (recorded) => {
      const runId = body.runId ?? `api-${recorded.entry.id}`;
      const bounded = boundedCatalog(deps.backfill.catalog, chosen, () => nowMs() >= deadline);
      const report = await backfillImages(
        { runId, reconcile: false, ...(body.maxAgeDays !== undefined ? { pushedAfter: new Date(context.now.getTime() - body.maxAgeDays * DAY_MS) } : {}) },
        { ...deps.backfill, catalog: bounded.catalog },
      );
      const complete = !bounded.cut() && report.failed === 0;
      const skipped = report.alreadyScanned + report.alreadyQueued + report.olderThanBound + report.leftToReindex;
      const done = await recorded.finish(complete ? 'complete' : 'incomplete', { runId, queued: String(report.queued) });
      return { action: actionAnswer(done), runId, repositories: report.repositories, queued: report.queued, skipped, complete };
    },
  );
}

/** The chosen repositories' listings, stopping (and saying so) once `late()`: the rest waits for the next call. */
function boundedCatalog(catalog: RegistryCatalog, repositories: readonly RepositoryKey[], late: () => boolean): { catalog: RegistryCatalog; cut: () => boolean } {
  let cut = false;
  const bounded: RegistryCatalog = {
    repositories: async function* () {
      for (const repository of repositories) {
        if (late()) {
          cut = true;
          return;
        }
        yield repository;
      }
    },
    images: async function* (repository): AsyncGenerator<ListedImage> {
      for await (const image of catalog.images(repository)) {
        if (late()) {
          cut = true;
          return;
        }
        yield image;
      }
    },
  };
  return { catalog: bounded, cut: () => cut };
}
