import type { z } from 'zod';
import type { RouteOutput, RouteRequest } from '../../core/api/route-definition.ts';
import { routes, type OperationId, type Routes } from '../../core/api/routes.ts';
import { ApiClientError } from './api-client-error.ts';
import type { Authenticator } from './authenticator.ts';
import { requestUrl, type QueryValues } from './request-url.ts';

export interface CustomsApiClientOptions {
  /** The API's invoke URL, with its stage path if any: `https://abc.execute-api.eu-west-1.amazonaws.com`. */
  readonly baseUrl: string;
  readonly authenticator: Authenticator;
  readonly fetch?: typeof fetch;
  /** Per request; API Gateway gives up at 30 s. Default 35 s. */
  readonly timeoutMs?: number;
}

/** Operations whose query takes `nextToken`: the listings `pages` follows. */
export type PaginatedOperationId = { [K in OperationId]: 'nextToken' extends keyof z.input<Routes[K]['query']> ? K : never }[OperationId];

/**
 * The findings API, typed from the route table: the request is what the route's schemas accept,
 * the answer is checked against the route's response schema before it is returned.
 */
export class CustomsApiClient {
  private readonly fetch: typeof fetch;
  private readonly timeoutMs: number;

  constructor(private readonly options: CustomsApiClientOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
    this.timeoutMs = options.timeoutMs ?? 35_000;
    // Fail at construction on a malformed URL, not on the first call.
    requestUrl(options.baseUrl, { path: '/' }, {}, {});
  }

  async call<K extends OperationId>(operationId: K, request: RouteRequest<Routes[K]>): Promise<RouteOutput<Routes[K]>> {
    const route: Routes[K] = routes[operationId];
    const url = requestUrl(this.options.baseUrl, route, request.path as Record<string, string>, request.query as QueryValues);
    const body = request.body === undefined ? undefined : JSON.stringify(request.body);
    const headers = await this.options.authenticator.authenticate({
      method: route.method,
      url,
      headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body }),
    });
    let answer: Response;
    let text: string;
    try {
      answer = await this.fetch(url, { method: route.method, headers, ...(body === undefined ? {} : { body }), signal: AbortSignal.timeout(this.timeoutMs) });
      text = await answer.text();
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      throw new ApiClientError(0, timedOut ? 'TIMEOUT' : 'NETWORK', `${route.method} ${url.pathname}: ${timedOut ? `no answer in ${this.timeoutMs} ms` : describe(error)}`, undefined, undefined, { cause: error });
    }
    const requestId = answer.headers.get('apigw-requestid') ?? answer.headers.get('x-request-id') ?? undefined;
    if (answer.status < 200 || answer.status > 299) throw ApiClientError.fromAnswer(answer.status, text, requestId);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ApiClientError(answer.status, 'INVALID_RESPONSE', `${operationId}: the answer is not JSON`, undefined, requestId);
    }
    const parsed = route.response.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ApiClientError(answer.status, 'INVALID_RESPONSE', `${operationId}: the answer does not match its schema (${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'})`, undefined, requestId);
    }
    return parsed.data as RouteOutput<Routes[K]>;
  }

  /** Each page of a listing, following `nextToken` from the request's until the API gives none. */
  async *pages<K extends PaginatedOperationId>(operationId: K, request: RouteRequest<Routes[K]>): AsyncGenerator<RouteOutput<Routes[K]>, void, undefined> {
    let query: Record<string, string | undefined> = { ...(request.query as QueryValues) };
    const seen = new Set<string>();
    for (;;) {
      const page = (await this.call(operationId, { ...request, query } as RouteRequest<Routes[K]>)) as RouteOutput<Routes[K]> & { nextToken?: string };
      yield page;
      const next = page.nextToken;
      if (next === undefined) return;
      // A token handed back twice would loop for ever; the API never does that, a broken proxy might.
      if (seen.has(next)) throw new ApiClientError(200, 'INVALID_RESPONSE', `${operationId}: the same nextToken came back twice`);
      seen.add(next);
      query = { ...query, nextToken: next };
    }
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}
