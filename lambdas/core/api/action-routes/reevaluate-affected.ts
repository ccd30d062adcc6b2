import type { ImageKey } from '../../pipeline/model.ts';
import { exceptionCovers } from '../../policy/exception-rules.ts';
import { mapLimit } from '../../util/map-limit.ts';
import type { ActionRouteDeps } from './action-routes.ts';

const DEFAULT_BUDGET_MS = 15_000;
const DEFAULT_BATCH = 25;

/**
 * Judges again the live images an exception change can alter: those whose committed findings name
 * the vulnerability (findAffectedImages: no table scan), in the repositories the exception covers,
 * with the indexes listing them. Bounded by time: images left when the budget runs out are judged
 * by the daily pass, which sees their policy version changed. Answers how many were judged.
 */
export async function reevaluateAffected(vulnerability: string, scope: { readonly repositoryPrefix?: string }, deps: ActionRouteDeps): Promise<number> {
  const nowMs = deps.nowMs ?? Date.now;
  const deadline = nowMs() + (deps.options?.reevaluateBudgetMs ?? DEFAULT_BUDGET_MS);
  deps.policies?.forceRefresh();
  const affected = await deps.affected(vulnerability);
  const holders = await mapLimit(affected.images, 8, (image) => (nowMs() < deadline ? deps.holders.imagesWithDigest(image.digest) : Promise.resolve([])));
  const keys = new Map<string, ImageKey>();
  for (const state of holders.flat()) {
    if (state.deletedAt || !exceptionCovers(scope, state.repository)) continue;
    const own: ImageKey = { account: state.account, region: state.region, repository: state.repository, digest: state.digest };
    for (const key of [own, ...state.parents.map((digest) => ({ ...own, digest }))]) keys.set(`${key.account}/${key.region}/${key.repository}@${key.digest}`, key);
  }
  const all = [...keys.values()];
  const size = deps.options?.reevaluateBatchSize ?? DEFAULT_BATCH;
  let judged = 0;
  for (let start = 0; start < all.length && nowMs() < deadline; start += size) {
    const run = await deps.judge(all.slice(start, start + size));
    judged += run.images.filter((image) => image.outcome === 'judged').length;
  }
  return judged;
}
