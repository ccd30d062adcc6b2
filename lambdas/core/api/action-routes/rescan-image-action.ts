import type { RescanMessage } from '../../ports.ts';
import type { ApiCallContext } from '../api-context.ts';
import { notFound } from '../api-error.ts';
import type { RouteInput, RouteOutput } from '../route-definition.ts';
import type { Routes } from '../routes.ts';
import type { ActionRouteDeps } from './action-routes.ts';
import { imageKeyOf, repositoryOf } from './image-key.ts';
import { actionRecordOf } from '../record-answers.ts';
import { randomId, recordAction } from './record-action.ts';

type Route = Routes['rescanImage'];

/**
 * Queues an on-demand rescan: every package of the image's stored SBOM (an index: of each of its
 * platform manifests) matched again against the advisories as they are now, then judged, alerted and
 * enforced as a sync-driven rescan is. The rescan Lambda does the work; this answers 202 at once.
 */
export async function rescanImageAction(input: RouteInput<Route>, context: ApiCallContext, deps: ActionRouteDeps): Promise<RouteOutput<Route>> {
  const key = imageKeyOf(input.path.digest, input.query, context);
  const state = await deps.images.get(key);
  if (!state || state.deletedAt) throw notFound(`no image ${key.digest} in ${key.repository}`);
  const reason = input.body?.reason;
  return recordAction(
    deps.actions,
    context,
    { action: 'rescan', ...(reason !== undefined ? { reason } : {}), target: { repository: key.repository, digest: key.digest }, repository: repositoryOf(key) },
    deps.newId ?? randomId,
    async (recorded) => {
      const digests = [...new Set([key.digest, ...state.children])];
      const message: RescanMessage = { syncId: `request-${recorded.entry.id}`, digests, all: true };
      await deps.rescans.send([message]);
      const done = await recorded.finish('queued', { syncId: message.syncId });
      return { action: actionRecordOf(done), queued: digests };
    },
  );
}
