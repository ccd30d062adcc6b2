import type { RepositoryKey } from '../../pipeline/model.ts';
import type { ListedImage, RegistryCatalog } from '../../ports.ts';
import { backfillImages } from '../../use-cases/backfill-images.ts';
import { canAct } from '../access-rules.ts';
import type { ApiCallContext } from '../api-context.ts';
import { badRequest, forbidden } from '../api-error.ts';
import type { RouteInput, RouteOutput } from '../route-definition.ts';
import type { Routes } from '../routes.ts';
import type { ActionRouteDeps } from './action-routes.ts';
import { actionRecordOf } from '../record-answers.ts';
import { randomId, recordAction } from './record-action.ts';

type Route = Routes['startBackfill'];

const DEFAULT_BUDGET_MS = 20_000;
const DAY_MS = 86_400_000;

/**
 * Queues the images of the watched repositories (the body's, or every one the caller may act on)
 * that this scanner version has not scanned, as the CLI's backfill does, without reconciling tags.
 * A Lambda behind the HTTP API has 30 s: past the budget no further repository or image is listed
 * and the answer says `complete: false` with a runId naming the run and how many repositories (in
 * name order) it finished. A POST naming that runId goes on from the first unfinished one; the
 * run's marks queue nothing twice, so a repository listed again (a crash, a repeat) costs reads only.
 * A single repository whose listing outlasts the budget is listed from its start on each call: the
 * CLI's `customs backfill` has no such bound.
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
  body.repositories?.forEach((name, index) => {
    if (!watched.some((repository) => repository.repository === name)) throw badRequest(`body.repositories.${index}`, `${name} is not a watched repository`);
  });
  const chosen = watched.filter((repository) => (named ? named.has(repository.repository) : canAct(context.access, repository.repository))).sort(byKey);
  if (chosen.length === 0 && watched.length > 0) throw forbidden('no watched repository the caller may act on');
  const resumed = body.runId ? parseRunId(body.runId) : undefined;

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
      const runId = resumed?.base ?? `api-${recorded.entry.id}`;
      const bounded = boundedCatalog(deps.backfill.catalog, chosen.slice(resumed?.finished ?? 0), () => nowMs() >= deadline);
      const report = await backfillImages(
        { runId, reconcile: false, ...(body.maxAgeDays !== undefined ? { pushedAfter: new Date(context.now.getTime() - body.maxAgeDays * DAY_MS) } : {}) },
        { ...deps.backfill, catalog: bounded.catalog },
      );
      // Finished: listed to the end without an error, counted from the first repository on.
      const failed = new Set(report.byRepository.filter((entry) => entry.error !== undefined).map((entry) => `${entry.account}/${entry.region}/${entry.repository}`));
      const prefix = firstUnfinished(bounded.repositories, bounded.listedToEnd(), failed);
      const complete = !bounded.cut() && report.failed === 0;
      const answerRunId = complete ? runId : `${runId}.${String((resumed?.finished ?? 0) + prefix)}`;
      const skipped = report.alreadyScanned + report.alreadyQueued + report.olderThanBound + report.leftToReindex;
      const done = await recorded.finish(complete ? 'complete' : 'incomplete', { runId, queued: String(report.queued), ...(complete ? {} : { next: answerRunId }) });
      return { action: actionRecordOf(done), runId: answerRunId, repositories: report.repositories, queued: report.queued, skipped, complete };
    },
  );
}

/** `api-<id>` or `api-<id>.<repositories finished>`. */
function parseRunId(runId: string): { base: string; finished: number } {
  const dot = runId.lastIndexOf('.');
  return dot < 0 ? { base: runId, finished: 0 } : { base: runId.slice(0, dot), finished: Number(runId.slice(dot + 1)) };
}

function keyOf(repository: RepositoryKey): string {
  return `${repository.account}/${repository.region}/${repository.repository}`;
}

function byKey(a: RepositoryKey, b: RepositoryKey): number {
  const left = keyOf(a);
  const right = keyOf(b);
  return left < right ? -1 : left > right ? 1 : 0;
}

/** How many repositories from the first were listed to the end without failing. */
function firstUnfinished(repositories: readonly RepositoryKey[], listedToEnd: readonly boolean[], failed: ReadonlySet<string>): number {
  const index = repositories.findIndex((repository, position) => !listedToEnd[position] || failed.has(keyOf(repository)));
  return index < 0 ? repositories.length : index;
}

/** The chosen repositories' listings, stopping (and saying so) once `late()`: the rest waits for the next call. */
function boundedCatalog(catalog: RegistryCatalog, repositories: readonly RepositoryKey[], late: () => boolean) {
  let cut = false;
  const listedToEnd = repositories.map(() => false);
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
      const position = repositories.findIndex((entry) => keyOf(entry) === keyOf(repository));
      if (position >= 0) listedToEnd[position] = true;
    },
  };
  return { catalog: bounded, repositories, cut: () => cut, listedToEnd: () => listedToEnd };
}
