import type { z } from 'zod';

/**
 * One route of the findings API: what it accepts (the schemas the handler validates with), what it
 * answers, and whether the caller needs read or act permission on the repositories it touches. The
 * same definitions generate the OpenAPI document and type the client.
 */
export type RouteMethod = 'GET' | 'POST' | 'DELETE';
export type RouteAccess = 'read' | 'act';

export interface RouteDefinition<
  P extends z.ZodObject = z.ZodObject,
  Q extends z.ZodObject = z.ZodObject,
  B extends z.ZodType | undefined = z.ZodType | undefined,
  R extends z.ZodType = z.ZodType,
> {
  /** Stable name: the OpenAPI operationId, the implementation's key, the CLI's route. */
  readonly operationId: string;
  readonly method: RouteMethod;
  /** API Gateway form: `/images/{digest}/findings`. */
  readonly path: string;
  readonly summary: string;
  readonly access: RouteAccess;
  readonly pathParameters: P;
  readonly query: Q;
  readonly body: B;
  readonly response: R;
  /** 200 for reads, 202 for actions that queue work, 201 for a created exception. */
  readonly status: 200 | 201 | 202;
  /** Listing routes take `limit` and `nextToken` and answer `{ items, nextToken? }`. */
  readonly paginated: boolean;
}

export function route<P extends z.ZodObject, Q extends z.ZodObject, B extends z.ZodType | undefined, R extends z.ZodType>(
  definition: RouteDefinition<P, Q, B, R>,
): RouteDefinition<P, Q, B, R> {
  return definition;
}

/** What a route's implementation receives: parsed and validated. */
export interface RouteInput<R extends RouteDefinition> {
  readonly path: z.output<R['pathParameters']>;
  readonly query: z.output<R['query']>;
  readonly body: R['body'] extends z.ZodType ? z.output<R['body']> : undefined;
}

/** What a caller sends (before parsing): strings for path and query, JSON for the body. */
export interface RouteRequest<R extends RouteDefinition> {
  readonly path: z.input<R['pathParameters']>;
  readonly query: z.input<R['query']>;
  readonly body: R['body'] extends z.ZodType ? z.input<R['body']> : undefined;
}

export type RouteOutput<R extends RouteDefinition> = z.output<R['response']>;
