import type { APIGatewayProxyEventV2WithIAMAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError, type ApiErrorCode } from '../../core/api/api-error.ts';
import { messageOf } from '../../core/errors.ts';
import { checkPageRequest, PAGE_TOKEN_HEADER, sameHost, sameSecret } from '../../adapters/page-server/page-gate.ts';
import { pageFile } from '../../adapters/page-server/page-files.ts';
import { apiGatewayEventOf, type LocalCaller } from './api-gateway-event.ts';
import { readRequestBody } from '../../adapters/page-server/request-body.ts';

export interface LocalHttpServerOptions {
  /** 0 picks a free port (tests). */
  readonly port: number;
  /** The findings API's bearer token (DATA_DIR/api-token). */
  readonly apiToken: string;
  /** The bearer token the registry sends with its notifications. */
  readonly webhookToken: string;
  /** Who a request with the API token is, as the IAM authorizer would say. */
  readonly caller: LocalCaller;
  /** The findings API Lambda's handler. */
  readonly api: (event: APIGatewayProxyEventV2WithIAMAuthorizer) => Promise<APIGatewayProxyStructuredResultV2>;
  /** Queues a registry webhook's events; a throw answers 503, so the registry tries again. */
  readonly onRegistryEvents: (headers: Readonly<Record<string, string>>, body: Buffer) => Promise<{ accepted: number; rejected: number }>;
  /** Answers too large for a response, fetched by the id in their URL as a presigned S3 URL would be. */
  readonly largeAnswers: { read(id: string): Promise<{ body: Uint8Array; contentType: string } | undefined> };
  /** What went wrong on a request answered 500 or 503 (the client sees no detail). */
  readonly onError?: (error: unknown, what: string) => void;
  /** The findings page under /ui/ (static files of dist/ui) and its API calls under /ui/api/, with the run's page token. */
  readonly page?: { readonly dir: string; readonly token: string };
  /** Largest request body read; bigger ones get 413 (default 4 MiB, Distribution batches events). */
  readonly maxBodyBytes?: number;
}

export interface RunningLocalHttpServer {
  readonly url: string;
  readonly port: number;
  /** Stops accepting connections and waits for the requests in flight. */
  close(): Promise<void>;
}

const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;
const LARGE_ANSWER_PATH = /^\/_large\/([A-Za-z0-9_-]{1,128})$/;

/**
 * The stack's one HTTP server on 127.0.0.1: the findings API (the Lambda's handler behind a bearer
 * token instead of SigV4), the registry's webhook and the large-answer downloads. Requests naming
 * another Host or coming from another web origin are refused, so a page in the user's browser cannot
 * reach it through DNS rebinding or a cross-site form.
 */
export async function startLocalHttpServer(options: LocalHttpServerOptions): Promise<RunningLocalHttpServer> {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  let port = options.port;
  const server = createServer((request, response) => {
    serve(request, response).catch((error: unknown) => {
      options.onError?.(error, `${request.method ?? '?'} ${pathOf(request.url)}`);
      if (!response.headersSent) sendError(response, 'INTERNAL', 'internal error');
      else response.destroy();
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 60_000;

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = request.method ?? 'GET';
    const target = request.url ?? '/';
    if (!sameHost(request.headers.host, port)) return sendError(response, 'FORBIDDEN', 'the Host header does not name this server (127.0.0.1 or localhost with its port)');
    const origin = request.headers.origin;
    if (origin !== undefined && origin !== `http://127.0.0.1:${port}` && origin !== `http://localhost:${port}`) return sendError(response, 'FORBIDDEN', 'requests from other web origins are refused');
    const path = pathOf(target);

    const large = LARGE_ANSWER_PATH.exec(path);
    if (large) {
      if (method !== 'GET') return sendError(response, 'METHOD_NOT_ALLOWED', 'large answers are fetched with GET');
      const answer = await options.largeAnswers.read(large[1]!);
      if (!answer) return sendError(response, 'NOT_FOUND', 'no such answer (it may have expired)');
      response.writeHead(200, { 'content-type': answer.contentType, 'content-length': answer.body.byteLength, 'cache-control': 'no-store' });
      response.end(answer.body);
      return;
    }

    if (options.page && (path === '/ui' || path.startsWith('/ui/'))) return await servePage(request, response, options.page, method, target, path);

    if (path === '/_registry/events') {
      if (!bearerIs(request.headers.authorization, options.webhookToken)) return sendError(response, 'UNAUTHENTICATED', 'the registry webhook takes the stack\'s webhook token');
      if (method !== 'POST') return sendError(response, 'METHOD_NOT_ALLOWED', 'registry events are POSTed');
      const body = await readRequestBody(request, maxBodyBytes);
      if (body === 'too-large') return sendError(response, 'PAYLOAD_TOO_LARGE', `the body is larger than ${maxBodyBytes} bytes`);
      try {
        const received = await options.onRegistryEvents(headersOf(request), body);
        return sendJson(response, 202, received);
      } catch (error) {
        options.onError?.(error, 'registry webhook');
        // Distribution keeps retrying an endpoint answering 5xx, so the events are not lost.
        return sendJson(response, 503, { code: 'INTERNAL', message: 'the events could not be queued; try again' });
      }
    }

    if (!bearerIs(request.headers.authorization, options.apiToken)) {
      response.setHeader('www-authenticate', 'Bearer realm="customs"');
      return sendError(response, 'UNAUTHENTICATED', 'send the API token from the data directory\'s api-token file as "Authorization: Bearer TOKEN"');
    }
    return await callApi(request, response, method, target);
  }

  /** The page's files need no token (they hold no data); its API calls need the page token in their header. */
  async function servePage(request: IncomingMessage, response: ServerResponse, page: { readonly dir: string; readonly token: string }, method: string, target: string, path: string): Promise<void> {
    if (path === '/ui') {
      response.writeHead(308, { location: '/ui/' });
      response.end();
      return;
    }
    if (path.startsWith('/ui/api/')) {
      const gate = checkPageRequest({ host: request.headers.host, origin: request.headers.origin, fetchSite: single(request.headers['sec-fetch-site']), token: single(request.headers[PAGE_TOKEN_HEADER]) }, { port, token: page.token });
      if (!gate.allowed) return sendError(response, gate.status === 401 ? 'UNAUTHENTICATED' : 'FORBIDDEN', gate.reason);
      return await callApi(request, response, method, target.slice('/ui/api'.length));
    }
    if (method !== 'GET' && method !== 'HEAD') return sendError(response, 'METHOD_NOT_ALLOWED', 'the page is read with GET');
    const file = await pageFile(page.dir, path.slice('/ui/'.length));
    if (!file) {
      const missing = path === '/ui/' ? 'the findings page is not built: run npm run build:ui' : 'no such file';
      return sendError(response, 'NOT_FOUND', missing);
    }
    response.writeHead(200, { ...file.headers, 'content-length': file.body.byteLength });
    response.end(method === 'HEAD' ? undefined : file.body);
  }

  async function callApi(request: IncomingMessage, response: ServerResponse, method: string, target: string): Promise<void> {
    const body = await readRequestBody(request, maxBodyBytes);
    if (body === 'too-large') return sendError(response, 'PAYLOAD_TOO_LARGE', `the body is larger than ${maxBodyBytes} bytes`);
    const forwarded = headersOf(request);
    delete forwarded[PAGE_TOKEN_HEADER];
    delete forwarded.cookie;
    const event = apiGatewayEventOf({ method, target, headers: forwarded, body, requestId: randomUUID(), now: new Date() }, options.caller);
    const result = await options.api(event);
    const bytes = result.body === undefined ? Buffer.alloc(0) : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
    const headers: Record<string, string | number> = { 'content-length': bytes.byteLength };
    for (const [name, value] of Object.entries(result.headers ?? {})) if (name.toLowerCase() !== 'content-length') headers[name] = typeof value === 'boolean' ? String(value) : value;
    response.writeHead(result.statusCode ?? 200, headers);
    response.end(bytes);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((error: unknown) => {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(code === 'EADDRINUSE' ? `the API port ${options.port} on 127.0.0.1 is in use (choose another with --api-port)` : `the API server could not listen on 127.0.0.1:${options.port}: ${messageOf(error)}`);
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

/** A bearer header carrying exactly `token` (compared in constant time). */
function bearerIs(authorization: string | undefined, token: string): boolean {
  const match = /^Bearer ([\x21-\x7e]+)$/.exec(authorization ?? '');
  if (!match) return false;
  return sameSecret(match[1]!, token);
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function pathOf(target: string | undefined): string {
  const text = target ?? '/';
  const question = text.indexOf('?');
  return question < 0 ? text : text.slice(0, question);
}

function headersOf(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || name === 'authorization') continue;
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return headers;
}

function sendError(response: ServerResponse, code: ApiErrorCode, message: string): void {
  const error = new ApiError(code, message);
  sendJson(response, error.status, error.body());
}

function sendJson(response: ServerResponse, status: number, value: unknown): void {
  const bytes = Buffer.from(JSON.stringify(value));
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': bytes.byteLength, 'cache-control': 'no-store' });
  response.end(bytes);
}
