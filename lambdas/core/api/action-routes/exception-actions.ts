import type { ApiCallContext } from '../api-context.ts';
import { ApiError } from '../api-error.ts';
import type { RouteInput, RouteOutput } from '../route-definition.ts';
import type { Routes } from '../routes.ts';
import type { ActionRouteDeps } from './action-routes.ts';

export async function addExceptionAction(_input: RouteInput<Routes['addException']>, _context: ApiCallContext, _deps: ActionRouteDeps): Promise<RouteOutput<Routes['addException']>> {
  throw new ApiError('INTERNAL', 'exceptions are not available yet');
}

export async function removeExceptionAction(_input: RouteInput<Routes['removeException']>, _context: ApiCallContext, _deps: ActionRouteDeps): Promise<RouteOutput<Routes['removeException']>> {
  throw new ApiError('INTERNAL', 'exceptions are not available yet');
}
