import type { RouteDefinition, RouteInput, RouteOutput } from './route-definition.ts';
import type { OperationId, Routes } from './routes.ts';

/**
 * What the findings API's core sees of one request, whichever door it came through: the Lambda
 * behind API Gateway (IAM principal from the request context) or the local stack (bearer token).
 */
export interface CallerPrincipal {
  /** The caller as configured access rules name it: an IAM ARN (an assumed-role session as its role's ARN) or `local`. */
  readonly arn: string;
  /** As the door reported it (the session ARN, the access key), for the action log. */
  readonly display: string;
  readonly account?: string;
}

/** One HTTP request, parsed only as far as the door parses it. */
export interface ApiRequest {
  readonly method: string;
  /** The raw path, percent-encoded as sent. */
  readonly rawPath: string;
  /** Query parameters decoded; a repeated parameter is refused (400) by the door. */
  readonly query: Readonly<Record<string, string>>;
  /** The body as text (the door decodes base64), absent when none. */
  readonly body?: string;
  readonly principal: CallerPrincipal;
  readonly requestId: string;
}

export interface ApiResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** JSON text. */
  readonly body: string;
}

/** Which repositories a principal may read and act on: prefixes of repository names ('' is all). */
export interface RepositoryAccess {
  readonly read: readonly string[];
  readonly act: readonly string[];
}

/** What every implementation gets besides its input. */
export interface ApiCallContext {
  readonly principal: CallerPrincipal;
  readonly access: RepositoryAccess;
  readonly now: Date;
  readonly requestId: string;
  /** The account and region an image-scoped route means when the query names none. */
  readonly home: { readonly account: string; readonly region: string };
  /**
   * For paginated routes: the store position the request's `nextToken` carried (verified), and how
   * the implementation hands back the next one (signed by the router into `nextToken`).
   */
  readonly position: unknown;
}

/** A paginated implementation answers its items and the store's next position (any JSON), not a token. */
export interface PageResult<T> {
  readonly items: readonly T[];
  readonly next?: unknown;
}

/** Listing routes (their answer has `items`) answer a PageResult and any other fields of the answer. */
type ImplementationResult<R extends RouteDefinition> =
  RouteOutput<R> extends { items: readonly (infer T)[] } ? PageResult<T> & Omit<RouteOutput<R>, 'items' | 'nextToken'> : RouteOutput<R>;

export type RouteImplementation<R extends RouteDefinition> = (input: RouteInput<R>, context: ApiCallContext) => Promise<ImplementationResult<R>>;

export type RouteImplementations = { readonly [K in OperationId]: RouteImplementation<Routes[K]> };
