import type { z } from 'zod';
import { isCustomsError } from '../errors.ts';
import type { Clock } from '../ports.ts';
import { accessFor, canAct, canRead, type ApiAccessRule } from './access-rules.ts';
import type { ApiCallContext, ApiRequest, ApiResponse, RouteImplementations } from './api-context.ts';
import { ApiError, badRequest } from './api-error.ts';
import type { PageTokenKeySource } from './api-ports.ts';
import { decodePageToken, encodePageToken, PageTokenError, type PageScope } from './page-token.ts';
import type { RouteDefinition } from './route-definition.ts';
import { routes, type OperationId } from './routes.ts';

/** What the router logs: an unexpected failure, with the request it failed. */
export interface ApiLog {
  error(message: string, details: Record<string, unknown>): void;
}

export interface HandleApiRequestDeps {
  readonly implementations: RouteImplementations;
  readonly rules: readonly ApiAccessRule[];
  readonly pageTokenKeys: PageTokenKeySource;
  readonly home: ApiCallContext['home'];
  readonly clock: Clock;
  readonly log?: ApiLog;
}

/**
 * HTTP APIs cap a Lambda's answer at 6 MB, base64 included; an answer past this is refused as an
 * error rather than cut short (large documents go through presigned URLs instead).
 */
export const MAX_ANSWER_BYTES = 5_500_000;

const HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' } as const;

interface Matched {
  readonly operationId: OperationId;
  readonly definition: RouteDefinition;
  readonly pathParameters: Record<string, string>;
}

/**
 * One request through the findings API: route, validate with the route's own schemas, authorize the
 * repository the query names (before anything runs, so a refused action changes nothing), run the
 * implementation, and answer JSON; page positions travel signed inside `nextToken`.
 */
export async function handleApiRequest(request: ApiRequest, deps: HandleApiRequestDeps): Promise<ApiResponse> {
  try {
    return await answer(request, deps);
  } catch (error) {
    return errorResponse(error, request, deps);
  }
}

async function answer(request: ApiRequest, deps: HandleApiRequestDeps): Promise<ApiResponse> {
  const matched = matchRoute(request.method, request.rawPath);
  const { definition } = matched;
  const path = parseWith(definition.pathParameters, matched.pathParameters, '');
  const query = parseWith(definition.query, request.query, '') as Record<string, unknown>;
  const body = definition.body === undefined ? undefined : parseWith(definition.body, bodyJson(request.body), 'body');

  const access = accessFor(request.principal, deps.rules);
  // A caller no rule names gets nothing, not even the registry-wide answers (advisory status, coverage).
  if (access.read.length === 0) throw new ApiError('FORBIDDEN', `no access rule names ${request.principal.display}`);
  const repository = query['repository'];
  if (typeof repository === 'string') {
    const allowed = definition.access === 'act' ? canAct(access, repository) : canRead(access, repository);
    if (!allowed) throw new ApiError('FORBIDDEN', `${request.principal.display} may not ${definition.access} repository ${repository}`);
  }

  const now = deps.clock.now();
  const scope = definition.paginated ? pageScope(definition, query) : undefined;
  const token = query['nextToken'];
  const position = scope && typeof token === 'string' ? decodePageToken(token, scope, await deps.pageTokenKeys.keys(), now) : undefined;
  const context: ApiCallContext = { principal: request.principal, access, now, requestId: request.requestId, home: deps.home, position };

  const implementation = deps.implementations[matched.operationId] as (input: unknown, context: ApiCallContext) => Promise<unknown>;
  const result = await implementation({ path, query, body }, context);
  const output = scope ? await withNextToken(result, scope, deps, now) : result;
  const checked = definition.response.safeParse(output);
  if (!checked.success) throw new Error(`${matched.operationId} answered outside its schema: ${issueText(checked.error)}`);
  const text = JSON.stringify(checked.data);
  if (Buffer.byteLength(text, 'utf8') > MAX_ANSWER_BYTES) {
    throw new ApiError('PAYLOAD_TOO_LARGE', `the answer is over the ${MAX_ANSWER_BYTES}-byte response cap: ask for a smaller page (limit)`);
  }
  return { status: definition.status, headers: HEADERS, body: text };
}

/** Every route whose template the path fits; 404 when none, 405 when only the method is wrong. */
function matchRoute(method: string, rawPath: string): Matched {
  const segments = rawPath.split('/').slice(1);
  let pathFits = false;
  for (const [operationId, definition] of Object.entries(routes) as [OperationId, RouteDefinition][]) {
    const parameters = matchTemplate(definition.path, segments);
    if (!parameters) continue;
    pathFits = true;
    if (definition.method === method.toUpperCase()) return { operationId, definition, pathParameters: parameters };
  }
  if (pathFits) throw new ApiError('METHOD_NOT_ALLOWED', `${method} is not allowed on ${rawPath}`);
  throw new ApiError('NOT_FOUND', `no route ${rawPath}`);
}

function matchTemplate(template: string, segments: readonly string[]): Record<string, string> | undefined {
  const parts = template.split('/').slice(1);
  if (parts.length !== segments.length) return undefined;
  const parameters: Record<string, string> = {};
  for (const [index, part] of parts.entries()) {
    const segment = segments[index]!;
    const name = /^\{(\w+)\}$/.exec(part)?.[1];
    if (name === undefined) {
      if (segment !== part) return undefined;
      continue;
    }
    // `sha256:…` arrives as sent or percent-encoded (`sha256%3A…`).
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      throw badRequest(name, `${name} is not a valid percent-encoded path segment`);
    }
    if (decoded === '') return undefined;
    parameters[name] = decoded;
  }
  return parameters;
}

function bodyJson(body: string | undefined): unknown {
  if (body === undefined || body.trim() === '') return undefined;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw badRequest('body', 'the body is not JSON');
  }
}

/** Parses with a route schema; the first issue becomes a 400 naming its field (`body.<path>` for the body). */
function parseWith(schema: z.ZodType, value: unknown, root: '' | 'body'): unknown {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
  const path = [...issue.path.map(String), ...(keys.length > 0 ? [keys[0]!] : [])];
  const field = root === 'body' ? ['body', ...path].join('.') : path.join('.') || 'query';
  const message = issue.code === 'unrecognized_keys' ? `unknown ${root === 'body' ? 'field' : 'parameter'} ${keys.join(', ')}` : issue.message;
  throw badRequest(field, `${field}: ${message}`);
}

function pageScope(definition: RouteDefinition, query: Record<string, unknown>): PageScope {
  const filters: Record<string, string | number | boolean | undefined> = {};
  for (const [name, value] of Object.entries(query)) {
    if (name === 'nextToken') continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') filters[name] = value;
  }
  return { route: `${definition.method} ${definition.path}`, query: filters };
}

async function withNextToken(result: unknown, scope: PageScope, deps: HandleApiRequestDeps, now: Date): Promise<unknown> {
  if (typeof result !== 'object' || result === null) return result;
  const { next, ...rest } = result as { next?: unknown };
  if (next === undefined) return rest;
  return { ...rest, nextToken: encodePageToken(next as z.core.util.JSONType, scope, await deps.pageTokenKeys.keys(), now) };
}

function errorResponse(error: unknown, request: ApiRequest, deps: HandleApiRequestDeps): ApiResponse {
  const known =
    error instanceof ApiError
      ? error
      : error instanceof PageTokenError
        ? badRequest('nextToken', error.message)
        : isCustomsError(error) && error.code === 'not-found'
          ? new ApiError('NOT_FOUND', error.message)
          : undefined;
  if (known) return { status: known.status, headers: HEADERS, body: JSON.stringify(known.body()) };
  deps.log?.error('findings API request failed', { requestId: request.requestId, method: request.method, path: request.rawPath, error: error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : String(error) });
  const internal = new ApiError('INTERNAL', `internal error (request ${request.requestId})`);
  return { status: internal.status, headers: HEADERS, body: JSON.stringify(internal.body()) };
}

function issueText(error: z.ZodError): string {
  const issue = error.issues[0]!;
  return `${issue.path.join('.')}: ${issue.message}`;
}
