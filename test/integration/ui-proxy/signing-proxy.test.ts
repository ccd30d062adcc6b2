import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SigV4Authenticator } from '../../../lambdas/adapters/api-client/sigv4-authenticator.ts';
import { PAGE_CSP } from '../../../lambdas/adapters/page-server/page-files.ts';
import { PAGE_TOKEN_HEADER } from '../../../lambdas/adapters/page-server/page-gate.ts';
import { startSigningProxy, type RunningSigningProxy } from '../../../lambdas/adapters/page-server/signing-proxy.ts';
import { freePort } from '../../support/free-port.ts';
import { startSigV4VerifyingServer, type SigV4VerifyingServer, type VerifiedRequest } from '../../support/sigv4-verifying-server.ts';

const REGION = 'eu-west-1';
const KEY = { accessKeyId: 'AKIDUIPROXYTEST', secretAccessKey: 'ui-proxy-secret-key', sessionToken: 'ui-proxy-session-token' };
const INDEX = '<!doctype html><title>findings</title><script src="app.js"></script>\n';

let api: SigV4VerifyingServer;
let proxy: RunningSigningProxy;
let pageDir: string;
const received: VerifiedRequest[] = [];

beforeAll(async () => {
  api = await startSigV4VerifyingServer({
    region: REGION,
    keys: { [KEY.accessKeyId]: KEY },
    handle: async (request) => {
      received.push(request);
      return { status: request.method === 'POST' ? 201 : 200, headers: { 'content-type': 'application/json', 'x-upstream-secret': 'not for the page' }, body: JSON.stringify({ echoed: request.rawPath }) };
    },
  });
  pageDir = mkdtempSync(join(tmpdir(), 'customs-ui-page-'));
  writeFileSync(join(pageDir, 'index.html'), INDEX);
  writeFileSync(join(pageDir, 'app.js'), 'console.log("page");\n');
  // A stage path, as API Gateway's REST invoke URLs carry.
  proxy = await startSigningProxy({ port: 0, apiUrl: `${api.url}/prod`, pageDir, authenticator: new SigV4Authenticator({ region: REGION, credentials: KEY }) });
}, 30_000);

afterAll(async () => {
  await proxy?.close();
  await api?.close();
  if (pageDir) rmSync(pageDir, { recursive: true, force: true });
});

beforeEach(() => {
  received.length = 0;
});

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** node:http, so Host, Origin, Cookie and the raw path go out exactly as written. */
function raw(port: number, options: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({ host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path, headers: { host: `127.0.0.1:${port}`, ...options.headers } }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body: Buffer.concat(chunks).toString('utf8') }));
      incoming.on('error', reject);
    });
    outgoing.on('error', reject);
    // A length always: node:http sends a DELETE's body without one otherwise (browsers send it).
    if (options.body !== undefined) outgoing.setHeader('content-length', Buffer.byteLength(options.body));
    outgoing.end(options.body);
  });
}

const withToken = (headers: Record<string, string> = {}): Record<string, string> => ({ [PAGE_TOKEN_HEADER]: proxy.token, ...headers });

describe('the ui signing proxy', () => {
  it('forwards a page call signed with SigV4, path and query as received, and returns the answer', async () => {
    const answer = await raw(proxy.port, {
      path: '/api/images/sha256%3Aabc/findings?repository=team%2Fapp&severity=HIGH&limit=5&empty=',
      headers: withToken({ accept: 'application/json', 'sec-fetch-site': 'same-origin', origin: `http://127.0.0.1:${proxy.port}` }),
    });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/json');
    expect(JSON.parse(answer.body)).toEqual({ echoed: '/prod/images/sha256%3Aabc/findings' });
    expect(answer.headers['x-upstream-secret']).toBeUndefined();
    expect(JSON.stringify(answer.headers)).not.toMatch(/AWS4-HMAC-SHA256|ui-proxy-session-token|x-amz-/);
    expect(api.log.at(-1)?.verified).toBe(true);
    expect(received).toHaveLength(1);
    const forwarded = received[0]!;
    expect(forwarded.method).toBe('GET');
    expect(forwarded.rawPath).toBe('/prod/images/sha256%3Aabc/findings');
    expect(forwarded.rawQueryString).toBe('repository=team%2Fapp&severity=HIGH&limit=5&empty=');
    expect(forwarded.accessKeyId).toBe(KEY.accessKeyId);
    expect(forwarded.headers['x-amz-security-token']).toBe(KEY.sessionToken);
    expect(forwarded.headers.accept).toBe('application/json');
    expect(forwarded.headers[PAGE_TOKEN_HEADER]).toBeUndefined();
    expect(forwarded.headers.origin).toBeUndefined();
    expect(forwarded.headers['sec-fetch-site']).toBeUndefined();
  });

  it('forwards a POST body and DELETE, signed, with their statuses', async () => {
    const body = JSON.stringify({ reason: 'accepted risk', until: '2027-01-01' });
    const posted = await raw(proxy.port, { method: 'POST', path: '/api/exceptions', headers: withToken({ 'content-type': 'application/json' }), body });
    expect(posted.status).toBe(201);
    expect(received[0]?.body).toBe(body);
    expect(received[0]?.headers['content-type']).toBe('application/json');
    const deleted = await raw(proxy.port, { method: 'DELETE', path: '/api/exceptions/ex-1', headers: withToken({ 'content-type': 'application/json' }), body: '{}' });
    expect(deleted.status).toBe(200);
    expect(received[1]?.method).toBe('DELETE');
    expect(received[1]?.body).toBe('{}');
    expect(api.log.slice(-2).every((entry) => entry.verified)).toBe(true);
  });

  it('does not forward Cookie, Authorization or other incoming headers', async () => {
    const answer = await raw(proxy.port, {
      path: '/api/repositories',
      headers: withToken({ cookie: 'session=browser-cookie', authorization: 'Bearer from-the-page', 'x-forwarded-for': '10.0.0.1', 'user-agent': 'browser' }),
    });
    expect(answer.status).toBe(200);
    const headers = received[0]!.headers;
    expect(headers.cookie).toBeUndefined();
    expect(headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDUIPROXYTEST\//);
    expect(JSON.stringify(headers)).not.toContain('from-the-page');
    expect(headers['x-forwarded-for']).toBeUndefined();
    expect(headers['user-agent']).not.toBe('browser');
  });

  it.each([
    ['no token', {}],
    ['a wrong token', { [PAGE_TOKEN_HEADER]: 'f'.repeat(64) }],
  ])('refuses an API call with %s: 401, nothing forwarded', async (_, headers: Record<string, string>) => {
    const answer = await raw(proxy.port, { path: '/api/repositories', headers });
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(received).toHaveLength(0);
  });

  it.each([
    ['a foreign Origin', { origin: 'http://evil.example' }],
    ['a cross-site fetch', { 'sec-fetch-site': 'cross-site' }],
    ['a wrong Host (DNS rebinding)', { host: 'evil.example:PORT' }],
  ])('refuses an API call with %s even with the token: 403', async (_, headers: Record<string, string>) => {
    const fixed = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, value.replace('PORT', String(proxy.port))]));
    const answer = await raw(proxy.port, { path: '/api/repositories', headers: withToken(fixed) });
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'FORBIDDEN' });
    expect(received).toHaveLength(0);
  });

  it('serves index.html and its files with the CSP and no token, but checks their Host', async () => {
    const index = await raw(proxy.port, { path: '/' });
    expect(index.status).toBe(200);
    expect(index.body).toBe(INDEX);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.headers['content-security-policy']).toBe(PAGE_CSP);
    const script = await raw(proxy.port, { path: '/app.js', headers: { host: `localhost:${proxy.port}` } });
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await raw(proxy.port, { path: '/', headers: { host: `evil.example:${proxy.port}` } })).status).toBe(403);
  });

  it.each(['/../package.json', '/%2e%2e/package.json', '/..%2fpackage.json', '/missing.js'])('answers 404 to %s', async (path) => {
    const answer = await raw(proxy.port, { path });
    expect(answer.status).toBe(404);
    expect(answer.body).not.toContain('"name"');
  });

  it.each(['/api/../package.json', '/api/%2e%2e/x', '/api/images/%2E/x', '/api', '/api/'])('does not forward the route %s', async (path) => {
    const answer = await raw(proxy.port, { path, headers: withToken() });
    expect(answer.status).toBe(404);
    expect(received).toHaveLength(0);
  });

  it('refuses a body over 1 MiB with 413', async () => {
    const answer = await raw(proxy.port, { method: 'POST', path: '/api/exceptions', headers: withToken({ 'content-type': 'application/json' }), body: Buffer.alloc(1024 * 1024 + 1, 0x20) });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(received).toHaveLength(0);
  });

  it('refuses a repeated query parameter, which the signer cannot sign, with 400', async () => {
    const answer = await raw(proxy.port, { path: '/api/findings?severity=HIGH&severity=LOW', headers: withToken() });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('"severity"') });
    expect(received).toHaveLength(0);
  });

  it('answers 405 to methods the API is not called with', async () => {
    expect((await raw(proxy.port, { method: 'PUT', path: '/api/repositories', headers: withToken() })).status).toBe(405);
  });
});

describe('the ui signing proxy when things go wrong', () => {
  const authenticator = new SigV4Authenticator({ region: REGION, credentials: KEY });

  it('answers 502 JSON naming the API host when the API is unreachable', async () => {
    const port = await freePort();
    const broken = await startSigningProxy({ port: 0, apiUrl: `http://127.0.0.1:${port}`, pageDir, authenticator });
    try {
      const answer = await raw(broken.port, { path: '/api/repositories', headers: { [PAGE_TOKEN_HEADER]: broken.token } });
      expect(answer.status).toBe(502);
      const body = JSON.parse(answer.body) as { code: string; message: string };
      expect(body.code).toBe('INTERNAL');
      expect(body.message).toContain(`127.0.0.1:${port}`);
      expect(body.message).not.toMatch(/\n\s+at /);
    } finally {
      await broken.close();
    }
  });

  it('answers 502 when the API answers more than the response cap', async () => {
    const big = await startSigningProxy({
      port: 0,
      apiUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod',
      pageDir,
      authenticator,
      maxResponseBytes: 1000,
      fetch: () => Promise.resolve(new Response('x'.repeat(5000), { status: 200, headers: { 'content-type': 'application/json' } })),
    });
    try {
      const answer = await raw(big.port, { path: '/api/repositories', headers: { [PAGE_TOKEN_HEADER]: big.token } });
      expect(answer.status).toBe(502);
      expect(JSON.parse(answer.body)).toMatchObject({ code: 'INTERNAL', message: expect.stringContaining('more than 1000 bytes') });
    } finally {
      await big.close();
    }
  });

  it('answers 404 with the build hint when the page is not built', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'customs-ui-empty-'));
    const unbuilt = await startSigningProxy({ port: 0, apiUrl: api.url, pageDir: empty, authenticator });
    try {
      const answer = await raw(unbuilt.port, { path: '/' });
      expect(answer.status).toBe(404);
      expect(answer.body).toContain('npm run build:ui');
    } finally {
      await unbuilt.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
