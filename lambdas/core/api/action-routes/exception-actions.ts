import { isCustomsError } from '../../errors.ts';
import { canAct } from '../access-rules.ts';
import type { ApiCallContext } from '../api-context.ts';
import { ApiError, forbidden, notFound } from '../api-error.ts';
import type { StoredException } from '../api-ports.ts';
import type { RouteInput, RouteOutput } from '../route-definition.ts';
import type { Routes } from '../routes.ts';
import type { ActionRouteDeps } from './action-routes.ts';
import { exceptionFromBody } from './exception-input.ts';
import { actionRecordOf, exceptionRecordOf } from '../record-answers.ts';
import { randomId, recordAction } from './record-action.ts';
import { reevaluateAffected } from './reevaluate-affected.ts';

/** An exception for every repository needs act on every repository (''), one for a prefix act on a prefix of it. */
function checkScope(repositoryPrefix: string | undefined, context: ApiCallContext): void {
  if (!canAct(context.access, repositoryPrefix ?? '')) {
    throw forbidden(repositoryPrefix === undefined ? 'an exception for every repository needs act permission on every repository' : `not allowed to act on repositories starting with ${repositoryPrefix}`);
  }
}

function scopeTarget(exception: StoredException): Record<string, string> {
  return { exception: exception.id, vulnerability: exception.vulnerability, scope: exception.repositoryPrefix ?? '(every repository)' };
}

/** Adds an exception, then judges the images it affects again (within a time budget). */
export async function addExceptionAction(input: RouteInput<Routes['addException']>, context: ApiCallContext, deps: ActionRouteDeps): Promise<RouteOutput<Routes['addException']>> {
  const body = input.body;
  checkScope(body.repositoryPrefix, context);
  const newId = deps.newId ?? randomId;
  const exception = exceptionFromBody(body, newId(), context.principal.display, context.now);
  return recordAction(deps.actions, context, { action: 'exception-add', reason: exception.reason, target: scopeTarget(exception) }, newId, async (recorded) => {
    await deps.exceptions.add(exception).catch((error: unknown) => {
      if (isCustomsError(error) && (error.code === 'limit' || error.code === 'usage')) throw new ApiError('CONFLICT', error.message);
      throw error;
    });
    const reevaluated = await reevaluateAffected(exception.vulnerability, exception, deps);
    const done = await recorded.finish('added', { reevaluated: String(reevaluated) });
    return { exception: exceptionRecordOf(exception, context.now), action: actionRecordOf(done), reevaluated };
  });
}

/** Removes an exception, then judges the images it covered again (within a time budget). */
export async function removeExceptionAction(input: RouteInput<Routes['removeException']>, context: ApiCallContext, deps: ActionRouteDeps): Promise<RouteOutput<Routes['removeException']>> {
  const stored = await deps.exceptions.get(input.query.id);
  if (!stored) throw notFound(`no exception ${input.query.id}`);
  checkScope(stored.repositoryPrefix, context);
  return recordAction(deps.actions, context, { action: 'exception-remove', reason: input.query.reason, target: scopeTarget(stored) }, deps.newId ?? randomId, async (recorded) => {
    // Removed concurrently by another call: that call answers for it; this one still re-judges.
    const removed = (await deps.exceptions.remove(stored.id)) ?? stored;
    const reevaluated = await reevaluateAffected(removed.vulnerability, removed, deps);
    const done = await recorded.finish('removed', { reevaluated: String(reevaluated) });
    return { exception: exceptionRecordOf(removed, context.now), action: actionRecordOf(done), reevaluated };
  });
}
