import { z } from 'zod';

/** The API's error body: `{ code, message, field? }`. */
export const apiErrorBody = z.object({ code: z.string().min(1), message: z.string(), field: z.string().optional() });

/** Codes the client adds for failures that have no API error body. */
export type ClientFailureCode = 'NETWORK' | 'TIMEOUT' | 'INVALID_RESPONSE';

const CODE_OF_STATUS: Readonly<Record<number, string>> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  429: 'THROTTLED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
  504: 'TIMEOUT',
};

/** A call that did not answer what the route promises: an API error, or the transport failing. */
export class ApiClientError extends Error {
  override readonly name = 'ApiClientError';

  constructor(
    /** The HTTP status; 0 when no answer came. */
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly requestId?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** From a non-2xx answer: the API's body when it is one, else what API Gateway said (`{"message":…}`) or the status. */
  static fromAnswer(status: number, text: string, requestId?: string): ApiClientError {
    const parsed = apiErrorBody.safeParse(parseJson(text));
    if (parsed.success) return new ApiClientError(status, parsed.data.code, parsed.data.message, parsed.data.field, requestId);
    const gateway = z.object({ message: z.string() }).safeParse(parseJson(text));
    const message = gateway.success ? gateway.data.message : text.trim().slice(0, 200) || `HTTP ${status}`;
    return new ApiClientError(status, CODE_OF_STATUS[status] ?? `HTTP_${status}`, message, undefined, requestId);
  }
}

export function isApiClientError(error: unknown): error is ApiClientError {
  return error instanceof ApiClientError;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
