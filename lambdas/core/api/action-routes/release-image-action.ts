import { QuarantineBusyError } from '../../use-cases/enforce-verdicts.ts';
import type { ApiCallContext } from '../api-context.ts';
import { ApiError, notFound } from '../api-error.ts';
import type { RouteInput, RouteOutput } from '../route-definition.ts';
import type { Routes } from '../routes.ts';
import type { ActionRouteDeps } from './action-routes.ts';
import { imageKeyOf, repositoryOf } from './image-key.ts';
import { actionRecordOf } from '../record-answers.ts';
import { randomId, recordAction } from './record-action.ts';

type Route = Routes['releaseImage'];

/**
 * Releases a quarantined image through the release use case: each removed tag is restored unless
 * it was pushed again meanwhile (kept, named in `keptTags`), by the caller, for the reason given.
 * Asked again after a release, it answers the same release (the use case is idempotent).
 */
export async function releaseImageAction(input: RouteInput<Route>, context: ApiCallContext, deps: ActionRouteDeps): Promise<RouteOutput<Route>> {
  const key = imageKeyOf(input.path.digest, input.query, context);
  if (!(await deps.images.get(key))) throw notFound(`no image ${key.digest} in ${key.repository}`);
  const reason = input.body.reason;
  return recordAction(
    deps.actions,
    context,
    { action: 'release', reason, target: { repository: key.repository, digest: key.digest }, repository: repositoryOf(key) },
    deps.newId ?? randomId,
    async (recorded) => {
      const outcome = await deps.release({ key, by: context.principal.display, reason, trigger: 'request' }).catch((error: unknown) => {
        if (error instanceof QuarantineBusyError) throw new ApiError('CONFLICT', 'the quarantine record kept changing: ask again');
        throw error;
      });
      if (outcome.action === 'not-quarantined') {
        throw new ApiError('CONFLICT', outcome.state === 'QUARANTINING' ? 'the image is being quarantined right now: ask again later' : `the image is not quarantined${outcome.state ? ` (${outcome.state})` : ''}`);
      }
      const kept = outcome.keptTags.map((tag) => ({ tag: tag.tag, reason: keptReason(tag.why), ...(tag.digest ? { digest: tag.digest } : {}) }));
      const done = await recorded.finish('released', {
        ...(outcome.restoredTags.length > 0 ? { restoredTags: outcome.restoredTags.join(',') } : {}),
        ...(kept.length > 0 ? { keptTags: kept.map((tag) => tag.tag).join(',') } : {}),
      });
      return { action: actionRecordOf(done), outcome: 'released', restoredTags: [...outcome.restoredTags], keptTags: kept };
    },
  );
}

function keptReason(why: 'moved' | 'pushed-since' | 'immutable' | 'gone'): string {
  switch (why) {
    case 'moved':
      return 'moved: the tag names another digest now (pushed again); the newer push wins';
    case 'pushed-since':
      return 'pushed-since: the tag was pushed to another digest after the quarantine removed it';
    case 'immutable':
      return 'immutable: the tag was never removed';
    case 'gone':
      return 'gone: no longer in the registry';
  }
}
