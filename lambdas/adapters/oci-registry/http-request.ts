import { CustomsError, messageOf } from '../../core/errors.ts';
import { discardBody } from './response-body.ts';

/**
 * One HTTP exchange with a registry or its token service: manual redirects (blob downloads are
 * usually redirected to object storage, which must not see the registry's Authorization header)
 * and retries of idempotent requests on 429, 5xx and connection failures.
 */
export interface HttpRequest {
  readonly method: 'GET' | 'POST';
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** For messages: what is being fetched, e.g. `blob sha256:… of registry.example/app`. */
  readonly what: string;
}

export interface HttpPolicy {
  readonly fetchImpl: typeof fetch;
  readonly signal: AbortSignal;
  /** First retry delay; doubled for each further attempt. */
  readonly retryDelayMs: number;
}

export const MAX_ATTEMPTS = 3;
export const MAX_REDIRECTS = 5;
// A Retry-After longer than this is not worth waiting for inside one scan.
const MAX_RETRY_AFTER_MS = 5_000;

/** The final response (never a redirect, never a retryable status after the last attempt). */
export async function send(request: HttpRequest, policy: HttpPolicy): Promise<Response> {
  const attempts = request.method === 'GET' ? MAX_ATTEMPTS : 1;
  for (let attempt = 1; ; attempt++) {
    let response: Response;
    try {
      response = await followRedirects(request, policy);
    } catch (error) {
      if (error instanceof CustomsError || policy.signal.aborted || attempt >= attempts) throw asNetworkError(error, request, policy);
      await sleep(policy.retryDelayMs * 2 ** (attempt - 1), policy.signal);
      continue;
    }
    if (!isRetryable(response.status)) return response;
    if (attempt >= attempts) {
      await discardBody(response);
      throw new CustomsError('network', `${request.what}: ${request.url.host} answered HTTP ${response.status} ${attempts} times; giving up`);
    }
    const delay = retryAfterMs(response) ?? policy.retryDelayMs * 2 ** (attempt - 1);
    await discardBody(response);
    await sleep(delay, policy.signal);
  }
}

async function followRedirects(request: HttpRequest, policy: HttpPolicy): Promise<Response> {
  let url = request.url;
  let headers = { ...request.headers };
  let method = request.method;
  let body = request.body;
  for (let hop = 0; ; hop++) {
    const response = await policy.fetchImpl(url, {
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
      redirect: 'manual',
      signal: policy.signal,
    });
    if (!isRedirect(response.status)) return response;
    const location = response.headers.get('location');
    await discardBody(response);
    if (!location) throw new CustomsError('network', `${request.what}: ${url.host} answered HTTP ${response.status} without a Location`);
    if (hop >= MAX_REDIRECTS) throw new CustomsError('network', `${request.what}: more than ${MAX_REDIRECTS} redirects starting at ${request.url.host}`);
    const next = parseLocation(location, url, request.what);
    // Credentials are for the server that asked for them, never for whoever it redirects to.
    if (next.origin !== url.origin) headers = withoutAuthorization(headers);
    // 301-303 turn a POST into a GET, as browsers and Go's client do.
    if (method === 'POST' && response.status <= 303) {
      method = 'GET';
      body = undefined;
      headers = withoutContentType(headers);
    }
    url = next;
  }
}

function parseLocation(location: string, base: URL, what: string): URL {
  let next: URL;
  try {
    next = new URL(location, base);
  } catch {
    throw new CustomsError('network', `${what}: ${base.host} redirected to an invalid location`);
  }
  if (next.protocol !== 'https:' && next.protocol !== 'http:') {
    throw new CustomsError('network', `${what}: ${base.host} redirected to a ${next.protocol} URL, which is not followed`);
  }
  return next;
}

function withoutAuthorization(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'authorization'));
}

function withoutContentType(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'content-type'));
}

function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

function isRetryable(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599);
}

function retryAfterMs(response: Response): number | undefined {
  const value = response.headers.get('retry-after');
  if (!value || !/^\d+$/.test(value.trim())) return undefined;
  return Math.min(Number(value) * 1000, MAX_RETRY_AFTER_MS);
}

function asNetworkError(error: unknown, request: HttpRequest, policy: HttpPolicy): CustomsError {
  if (error instanceof CustomsError) return error;
  if (policy.signal.aborted) return new CustomsError('network', `${request.what}: the image source was closed`, { cause: error });
  return new CustomsError('network', `${request.what}: cannot reach ${request.url.host}: ${describe(error)}`, { cause: error });
}

/** fetch reports "fetch failed"; the useful part (ECONNREFUSED, certificate errors) is in the cause. */
function describe(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return code && !cause.message.includes(code) ? `${code} ${cause.message}` : cause.message;
  }
  return messageOf(error);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolveSleep) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolveSleep();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
