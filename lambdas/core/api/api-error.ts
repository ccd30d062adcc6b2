/**
 * The findings API's errors: a status, a stable `code` callers branch on, a message for people,
 * and for bad input the field that was wrong. Every error body is `{ code, message, field? }`.
 */
export type ApiErrorCode =
  | 'BAD_REQUEST'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'CONFLICT'
  | 'PAYLOAD_TOO_LARGE'
  | 'INTERNAL';

const STATUS: Readonly<Record<ApiErrorCode, number>> = {
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  INTERNAL: 500,
};

export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;

  constructor(
    readonly code: ApiErrorCode,
    message: string,
    /** For BAD_REQUEST: the query parameter, path parameter or body field (dotted path) at fault. */
    readonly field?: string,
  ) {
    super(message);
    this.status = STATUS[code];
  }

  body(): ApiErrorBody {
    return { code: this.code, message: this.message, ...(this.field === undefined ? {} : { field: this.field }) };
  }
}

export interface ApiErrorBody {
  readonly code: ApiErrorCode;
  readonly message: string;
  readonly field?: string;
}

export const badRequest = (field: string, message: string): ApiError => new ApiError('BAD_REQUEST', message, field);
export const notFound = (message: string): ApiError => new ApiError('NOT_FOUND', message);
export const forbidden = (message: string): ApiError => new ApiError('FORBIDDEN', message);
