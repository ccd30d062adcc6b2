import type { ApiAccessRule } from '../../../lambdas/core/api/access-rules.ts';
import type { RouteImplementations } from '../../../lambdas/core/api/api-context.ts';
import type { ActionEntry, ActionLog } from '../../../lambdas/core/api/api-ports.ts';
import { routes, type OperationId } from '../../../lambdas/core/api/routes.ts';
import type { Clock } from '../../../lambdas/core/ports.ts';
import { createFindingsApiHandler } from '../../../lambdas/handlers/findings-api-handler.ts';
import { apiEvent } from '../../support/api-events.ts';
import { ACCOUNT, REGION } from '../../support/ecr-events.ts';

/** A caller as API Gateway reports it: the role a rule names, the session it signed with. */
export interface TestPrincipal {
  readonly arn: string;
  readonly display: string;
}

export function rolePrincipal(role: string): TestPrincipal {
  return { arn: `arn:aws:iam::${ACCOUNT}:role/${role}`, display: `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/session-1` };
}

export interface ApiCall {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  readonly principal: TestPrincipal;
}

export interface ApiAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/**
 * The findings API's Lambda handler (the API Gateway v2 event read as API Gateway sends it, route
 * match, the route table's validation, repository authorization, error mapping) over the action
 * routes under test; the read routes are not wired here and fail if asked.
 */
export function actionApi(actions: Pick<RouteImplementations, 'rescanImage' | 'startBackfill' | 'releaseImage' | 'addException' | 'removeException'>, rules: readonly ApiAccessRule[], clock: Clock) {
  const missing = Object.fromEntries((Object.keys(routes) as OperationId[]).map((id) => [id, () => Promise.reject(new Error(`${id} is not wired in this test`))]));
  const implementations = { ...missing, ...actions } as RouteImplementations;
  const handler = createFindingsApiHandler({ implementations, rules, pageTokenKeys: { keys: () => Promise.reject(new Error('no listing under test')) }, clock, region: REGION, account: ACCOUNT });
  return async (call: ApiCall): Promise<ApiAnswer> => {
    const event = apiEvent({ method: call.method, path: call.path, ...(call.query ? { query: call.query } : {}), ...(call.body !== undefined ? { body: call.body } : {}), principalArn: call.principal.display });
    const result = await handler(event);
    return { status: result.statusCode ?? 0, body: JSON.parse(result.body ?? '{}') as Record<string, unknown> };
  };
}

/** Every entry of the action log, newest first, read page by page as GET /actions reads it. */
export async function everyAction(log: Pick<ActionLog, 'page'>): Promise<ActionEntry[]> {
  const entries: ActionEntry[] = [];
  let position: unknown;
  do {
    const page = await log.page(undefined, 100, position);
    entries.push(...page.items);
    position = page.next;
  } while (position !== undefined);
  return entries;
}

/** A dependency the routes under test must not touch: any use of it fails the test. */
export function untouched<T extends object>(name: string): T {
  return new Proxy({} as T, {
    get: (_target, property) => {
      if (property === 'then') return undefined;
      throw new Error(`${name}.${String(property)} was used`);
    },
  });
}
