import { access } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ApiError, type ApiErrorCode } from '../../core/api/api-error.ts';
import { messageOf } from '../../core/errors.ts';
import type { Authenticator } from '../api-client/authenticator.ts';
import { checkPageRequest, newPageToken, PAGE_TOKEN_HEADER, sameHost } from './page-gate.ts';
import { PAGE_SECURITY_HEADERS, pageFile } from './page-files.ts';
import { readRequestBody } from './request-body.ts';

export interface SigningProxyOptions {
  /** 0 picks a free port. */
  readonly port: number;
  /** The deployed findings API's invoke URL, with its stage path if any. */
  readonly apiUrl: string;
  /** Signs each forwarded request (SigV4 from the user's credentials); its headers never reach the browser. */
  readonly authenticator: Authenticator;
  /** The built page (dist/ui): index.html and its files. */
  readonly pageDir: string;
  /** The page's per-run token; default a fresh one. */
  readonly token?: string;
  readonly fetch?: typeof fetch;
  /** Per forwarded request; API Gateway gives up at 30 s. Default 35 s. */
  readonly timeoutMs?: number;
  /** Largest request body read from the page; bigger ones get 413. Default 1 MiB. */
  readonly maxRequestBytes?: number;
  /** Largest answer passed back from the API; bigger ones get 502. Default 8 MiB. */
  readonly maxResponseBytes?: number;
  /** What went wrong on a request answered 5xx by the proxy itself. */
  readonly onError?: (error: unknown, what: string) => void;
}

export interface RunningSigningProxy {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 35_000;
const DEFAULT_MAX_REQUEST_BYTES = 1024 * 1024;
const DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024;
const API_PREFIX = '/api';
const FORWARDED_METHODS = new Set(['GET', 'POST', 'DELETE']);
/** The request headers the API may see; cookies, the page token and anything else stay behind. */
const FORWARDED_HEADERS = ['content-type', 'accept'] as const;
/** Segments of a route: the characters a path segment may hold unencoded, or percent-encoded ones. */
const ROUTE = /^(?:\/[A-Za-z0-9\-._~%!$&'()*+,;=:@]+)+$/;

/**
 * The findings page's loopback server: its static files at `/`, and `/api/<route>` forwarded to
 * the deployed API signed by the authenticator, so the page works with the user's AWS credentials
 * without any of them reaching the browser. Every request must name this server in its Host (DNS
 * rebinding); API calls must also be same-origin and carry the per-run page token.
 */
export async function startSigningProxy(options: SigningProxyOptions): Promise<RunningSigningProxy> {
  const api = new URL(options.apiUrl);
  if (api.protocol !== 'https:' && api.protocol !== 'http:') throw new Error(`the API URL must be http or https, got ${api.protocol}`);
  if (api.search !== '' || api.hash !== '') throw new Error('the API URL must not carry a query or fragment');
  const apiPrefix = api.pathname.replace(/\/+$/, '');
  const token = options.token ?? newPageToken();
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxRequestBytes = options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  let port = options.port;

  const server = createServer((request, response) => {
    serve(request, response).catch((error: unknown) => {
      options.onError?.(error, `${request.method ?? '?'} ${pathOf(request.url ?? '/')}`);
      if (!response.headersSent) sendError(response, 'INTERNAL', 'internal error');
      else response.destroy();
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 60_000;

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const target = request.url ?? '/';
    const path = pathOf(target);
    if (path === API_PREFIX || path.startsWith(`${API_PREFIX}/`)) return forward(request, response, path.slice(API_PREFIX.length), target.slice(path.length));
    if (!sameHost(request.headers.host, port)) return sendError(response, 'FORBIDDEN', 'the Host header does not name this server (127.0.0.1 or localhost with its port)');
    const method = request.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') return sendError(response, 'METHOD_NOT_ALLOWED', 'the page is fetched with GET');
    const file = await pageFile(options.pageDir, path);
    if (file === undefined) {
      const built = await access(join(options.pageDir, 'index.html')).then(
        () => true,
        () => false,
      );
      return sendText(response, 404, built ? 'not found\n' : 'the findings page is not built (no index.html in its directory): run `npm run build:ui`, then reload\n');
    }
    response.writeHead(200, { ...file.headers, 'content-length': file.body.byteLength });
    response.end(method === 'HEAD' ? undefined : file.body);
  }

  async function forward(request: IncomingMessage, response: ServerResponse, route: string, search: string): Promise<void> {
    const gate = checkPageRequest(
      { host: request.headers.host, origin: request.headers.origin, fetchSite: single(request.headers['sec-fetch-site']), token: single(request.headers[PAGE_TOKEN_HEADER]) },
      { port, token },
    );
    if (!gate.allowed) return sendError(response, gate.status === 401 ? 'UNAUTHENTICATED' : 'FORBIDDEN', gate.reason);
    const method = request.method ?? 'GET';
    if (!FORWARDED_METHODS.has(method)) return sendError(response, 'METHOD_NOT_ALLOWED', 'the API is called with GET, POST or DELETE');
    const url = routeUrl(route, search);
    if (url === undefined) return sendError(response, 'NOT_FOUND', 'no such API route');
    const repeated = repeatedParameter(url);
    // The signer's canonical query holds one value per name; a repeated one would be sent unsigned-for.
    if (repeated !== undefined) return sendError(response, 'BAD_REQUEST', `the query parameter ${JSON.stringify(repeated)} is given more than once (the findings API takes each once)`);

    const received = await readRequestBody(request, maxRequestBytes);
    if (received === 'too-large') return sendError(response, 'PAYLOAD_TOO_LARGE', `the body is larger than ${maxRequestBytes} bytes`);
    const body = method === 'GET' || received.byteLength === 0 ? undefined : received.toString('utf8');
    const headers: Record<string, string> = {};
    for (const name of FORWARDED_HEADERS) {
      const value = single(request.headers[name]);
      if (value !== undefined && (name !== 'content-type' || body !== undefined)) headers[name] = value;
    }

    let signed: Record<string, string>;
    try {
      signed = await options.authenticator.authenticate({ method, url, headers, ...(body === undefined ? {} : { body }) });
    } catch (error) {
      options.onError?.(error, `signing ${method} ${url.pathname}`);
      return sendJson(response, 500, { code: 'INTERNAL', message: `the request to ${url.host} could not be signed: ${messageOf(error)}` });
    }

    let answer: Response;
    let bytes: Buffer | 'too-large';
    try {
      // Redirects are passed back, not followed: the signature is for the API's host only.
      answer = await fetchImpl(url, { method, headers: signed, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs), ...(body === undefined ? {} : { body }) });
      bytes = await readAnswer(answer, maxResponseBytes);
    } catch (error) {
      options.onError?.(error, `${method} ${url.pathname}`);
      const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      return sendJson(response, 502, { code: 'INTERNAL', message: `the findings API at ${url.host} ${timedOut ? `gave no answer in ${timeoutMs} ms` : `could not be reached: ${describe(error)}`}` });
    }
    if (bytes === 'too-large') return sendJson(response, 502, { code: 'INTERNAL', message: `the findings API at ${url.host} answered more than ${maxResponseBytes} bytes, more than this page server passes on` });
    response.writeHead(answer.status, { ...PAGE_SECURITY_HEADERS, 'content-type': answer.headers.get('content-type') ?? 'application/octet-stream', 'content-length': bytes.byteLength });
    response.end(bytes);
  }

  /** `<API URL>/<route>?<query>`, the query as received; undefined for a route that could climb out of the API's path. */
  function routeUrl(route: string, search: string): URL | undefined {
    if (!ROUTE.test(route)) return undefined;
    for (const segment of route.slice(1).split('/')) {
      let decoded: string;
      try {
        decoded = decodeURIComponent(segment);
      } catch {
        return undefined;
      }
      if (decoded === '.' || decoded === '..' || decoded.includes('\\') || decoded.includes('\0')) return undefined;
    }
    let url: URL;
    try {
      url = new URL(`${api.origin}${apiPrefix}${route}${search}`);
    } catch {
      return undefined;
    }
    return url.origin === api.origin && url.pathname.startsWith(`${apiPrefix}/`) ? url : undefined;
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((error: unknown) => {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(code === 'EADDRINUSE' ? `port ${options.port} on 127.0.0.1 is in use (choose another)` : `the page server could not listen on 127.0.0.1:${options.port}: ${messageOf(error)}`);
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function pathOf(target: string): string {
  const question = target.indexOf('?');
  return question < 0 ? target : target.slice(0, question);
}

function repeatedParameter(url: URL): string | undefined {
  const seen = new Set<string>();
  for (const name of url.searchParams.keys()) {
    if (seen.has(name)) return name;
    seen.add(name);
  }
  return undefined;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/** The answer's body, stopped as soon as it passes the cap (a declared length past it is not read at all). */
async function readAnswer(answer: Response, maxBytes: number): Promise<Buffer | 'too-large'> {
  const declared = Number(answer.headers.get('content-length') ?? 0);
  if (declared > maxBytes) {
    await answer.body?.cancel();
    return 'too-large';
  }
  if (answer.body === null) return Buffer.alloc(0);
  const reader = answer.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return 'too-large';
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}

function sendError(response: ServerResponse, code: ApiErrorCode, message: string): void {
  const error = new ApiError(code, message);
  sendJson(response, error.status, error.body());
}

function sendJson(response: ServerResponse, status: number, value: unknown): void {
  const bytes = Buffer.from(JSON.stringify(value));
  response.writeHead(status, { ...PAGE_SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8', 'content-length': bytes.byteLength });
  response.end(bytes);
}

function sendText(response: ServerResponse, status: number, text: string): void {
  const bytes = Buffer.from(text);
  response.writeHead(status, { ...PAGE_SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8', 'content-length': bytes.byteLength });
  response.end(bytes);
}
