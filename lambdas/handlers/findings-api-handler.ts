import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2WithIAMAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { ApiAccessRule } from '../core/api/access-rules.ts';
import { ApiError } from '../core/api/api-error.ts';
import { handleApiRequest } from '../core/api/handle-api-request.ts';
import { createApiClients, createApiDeps, type ApiDeps } from './findings-api/api-deps.ts';
import { accountOfFunctionArn, readApiEnvironment } from './findings-api/api-environment.ts';
import { apiRequestOf, apiResultOf } from './findings-api/api-event.ts';
import { lazyHandler } from './shared/lazy-handler.ts';

export const FINDINGS_API_SERVICE = { serviceName: 'customs-findings-api', namespace: 'Customs' } as const;

export interface FindingsApiHandlerDeps extends ApiDeps {
  readonly rules: readonly ApiAccessRule[];
  readonly region: string;
  /** The account image-scoped routes default to; the function's own (from its ARN) when absent. */
  readonly account?: string;
  readonly logger?: Pick<Logger, 'error'>;
}

export type FindingsApiHandler = (event: APIGatewayProxyEventV2WithIAMAuthorizer, context?: Pick<Context, 'invokedFunctionArn'>) => Promise<APIGatewayProxyStructuredResultV2>;

/** API Gateway (HTTP API, IAM authorization) → handleApiRequest → the JSON answer. */
export function createFindingsApiHandler(deps: FindingsApiHandlerDeps): FindingsApiHandler {
  let account = deps.account;
  const log = deps.logger ? { error: (message: string, details: Record<string, unknown>) => deps.logger!.error(message, details) } : undefined;
  return async (event, context) => {
    account ??= accountOfFunctionArn(context?.invokedFunctionArn ?? '');
    let request;
    try {
      request = apiRequestOf(event);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      return apiResultOf({ status: error.status, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }, body: JSON.stringify(error.body()) });
    }
    const response = await handleApiRequest(request, {
      implementations: deps.implementations,
      rules: deps.rules,
      pageTokenKeys: deps.pageTokenKeys,
      home: { account, region: deps.region },
      clock: deps.clock,
      ...(log ? { log } : {}),
    });
    return apiResultOf(response);
  };
}

/**
 * The findings API Lambda. Logger at module scope; clients and stores are built on the first
 * invocation, from the environment, and reused while warm (the page-token keys and policy cached).
 */
export const handler = lazyHandler(FINDINGS_API_SERVICE, ({ logger }) => {
  const env = readApiEnvironment(process.env);
  const deps = createApiDeps({ env, clients: createApiClients(env.region) });
  const api = createFindingsApiHandler({ ...deps, rules: env.accessRules, region: env.region, logger });
  return (event: APIGatewayProxyEventV2WithIAMAuthorizer, context: Context) => api(event, context);
});
