import type { APIGatewayProxyEventV2WithIAMAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalHttpServer, type LocalHttpServerOptions, type RunningLocalHttpServer } from '../../../lambdas/local/stack/local-http-server.ts';

const API_TOKEN = 'a'.repeat(64);
const WEBHOOK_TOKEN = 'b'.repeat(64);

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  json(): unknown;
}

interface Call {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  /** Overrides the Host header node would send (127.0.0.1:PORT). */
  readonly host?: string;
  readonly body?: Buffer | string;
  /** Sends the body in these pieces with chunked encoding (no content-length). */
  readonly chunks?: readonly Buffer[];
}

/** One request on its own connection (no keep-alive), so close() has nothing idle to wait for. */
function call(server: RunningLocalHttpServer, path: string, options: Call = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.host !== undefined) headers.host = options.host;
    const req = httpRequest({ host: '127.0.0.1', port: server.port, path, method: options.method ?? 'GET', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body.toString('utf8')) as unknown });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (options.chunks) {
      for (const chunk of options.chunks) req.write(chunk);
      req.end();
    } else {
      req.end(options.body);
    }
  });
}

const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

interface Recorded {
  readonly events: APIGatewayProxyEventV2WithIAMAuthorizer[];
  readonly registry: { headers: Readonly<Record<string, string>>; body: Buffer }[];
  readonly errors: { error: unknown; what: string }[];
}

const servers: RunningLocalHttpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function start(overrides: Partial<LocalHttpServerOptions> = {}): Promise<{ server: RunningLocalHttpServer; recorded: Recorded }> {
  const recorded: Recorded = { events: [], registry: [], errors: [] };
  const server = await startLocalHttpServer({
    port: 0,
    apiToken: API_TOKEN,
    webhookToken: WEBHOOK_TOKEN,
    caller: { principal: 'local', account: '000000000000' },
    api: (event) => {
      recorded.events.push(event);
      return Promise.resolve({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' });
    },
    onRegistryEvents: (headers, body) => {
      recorded.registry.push({ headers, body });
      return Promise.resolve({ accepted: 2, rejected: 1 });
    },
    largeAnswers: { read: () => Promise.resolve(undefined) },
    onError: (error, what) => recorded.errors.push({ error, what }),
    ...overrides,
  });
  servers.push(server);
  return { server, recorded };
}

describe('startLocalHttpServer: the findings API', () => {
  it('listens on 127.0.0.1 on the port it picked', async () => {
    const { server } = await start();
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
  });

  it('answers 401 UNAUTHENTICATED without a bearer token, with a wrong one, or another scheme, and never calls the API', async () => {
    const { server, recorded } = await start();
    for (const headers of [{}, bearer('c'.repeat(64)), bearer(WEBHOOK_TOKEN), bearer(`${API_TOKEN}x`), { authorization: `Basic ${API_TOKEN}` }, { authorization: API_TOKEN }]) {
      const answer = await call(server, '/images', { headers });
      expect(answer.status).toBe(401);
      expect(answer.headers['content-type']).toMatch(/^application\/json/);
      expect(answer.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
      expect(answer.headers['www-authenticate']).toMatch(/^Bearer/);
    }
    expect(recorded.events).toEqual([]);
  });

  it('hands a request with the API token to the handler as an API Gateway event and returns its answer', async () => {
    const { server, recorded } = await start({
      api: (event) => {
        recorded.events.push(event);
        return Promise.resolve({ statusCode: 201, headers: { 'content-type': 'text/plain', 'x-customs': 'yes', 'content-length': '999' }, body: 'made it' });
      },
    });
    const answer = await call(server, '/images/team%2Fapp/findings?repository=team%2Fa&limit=5', { headers: { ...bearer(API_TOKEN), 'X-Trace': 'T1' } });
    expect(answer.status).toBe(201);
    expect(answer.headers['content-type']).toBe('text/plain');
    expect(answer.headers['x-customs']).toBe('yes');
    expect(answer.body.toString()).toBe('made it');
    expect(answer.headers['content-length']).toBe(String(Buffer.byteLength('made it')));

    expect(recorded.events).toHaveLength(1);
    const event = recorded.events[0]!;
    expect(event.rawPath).toBe('/images/team%2Fapp/findings');
    expect(event.rawQueryString).toBe('repository=team%2Fa&limit=5');
    expect(event.requestContext.http.method).toBe('GET');
    expect(event.requestContext.authorizer.iam.userArn).toBe('local');
    expect(event.headers['x-trace']).toBe('T1');
    expect(event.headers).not.toHaveProperty('authorization');
    expect(event.isBase64Encoded).toBe(false);
  });

  it('passes the request body as base64 and a base64 answer as bytes', async () => {
    const bytes = Buffer.from([0, 1, 2, 0xfe, 0xff]);
    const { server, recorded } = await start({
      api: (event) => {
        recorded.events.push(event);
        return Promise.resolve({ statusCode: 200, headers: { 'content-type': 'application/octet-stream' }, body: bytes.toString('base64'), isBase64Encoded: true });
      },
    });
    const sent = Buffer.from('{"reason":"café"}');
    const answer = await call(server, '/images/x/release', { method: 'POST', headers: { ...bearer(API_TOKEN), 'content-type': 'application/json' }, body: sent });
    expect(answer.body.equals(bytes)).toBe(true);
    const event = recorded.events[0]!;
    expect(event.requestContext.http.method).toBe('POST');
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body ?? '', 'base64').equals(sent)).toBe(true);
  });

  it('gives each request its own request id', async () => {
    const { server, recorded } = await start();
    await call(server, '/images', { headers: bearer(API_TOKEN) });
    await call(server, '/images', { headers: bearer(API_TOKEN) });
    const [first, second] = recorded.events.map((event) => event.requestContext.requestId);
    expect(first).toBeTruthy();
    expect(first).not.toBe(second);
  });

  it('answers 500 with no detail when the handler throws, and reports the error', async () => {
    const failure = new Error('table customs-images is on fire at /srv/secret/path');
    const { server, recorded } = await start({ api: () => Promise.reject(failure) });
    const answer = await call(server, '/images?x=1', { headers: bearer(API_TOKEN) });
    expect(answer.status).toBe(500);
    const text = answer.body.toString();
    expect(JSON.parse(text)).toMatchObject({ code: 'INTERNAL' });
    expect(text).not.toContain('on fire');
    expect(text).not.toContain('/srv/secret');
    expect(text).not.toMatch(/\bat .*\.ts:\d+/);
    expect(recorded.errors).toHaveLength(1);
    expect(recorded.errors[0]!.error).toBe(failure);
    expect(recorded.errors[0]!.what).toContain('/images');
    expect(recorded.errors[0]!.what).not.toContain('x=1');
  });

  it('answers 413 to a body over maxBodyBytes, declared or streamed, without calling the handler', async () => {
    const { server, recorded } = await start({ maxBodyBytes: 1024 });
    const declared = await call(server, '/images', { method: 'POST', headers: bearer(API_TOKEN), body: Buffer.alloc(1025, 1) });
    expect(declared.status).toBe(413);
    expect(declared.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    const streamed = await call(server, '/images', { method: 'POST', headers: bearer(API_TOKEN), chunks: [Buffer.alloc(600, 1), Buffer.alloc(600, 2)] });
    expect(streamed.status).toBe(413);
    expect(recorded.events).toEqual([]);

    const exactly = await call(server, '/images', { method: 'POST', headers: bearer(API_TOKEN), body: Buffer.alloc(1024, 1) });
    expect(exactly.status).toBe(200);
    expect(recorded.events).toHaveLength(1);
  });
});

describe('startLocalHttpServer: Host and Origin', () => {
  it('refuses a Host header that names another server, even with the right token', async () => {
    const { server, recorded } = await start();
    for (const host of ['evil.example', `evil.example:${server.port}`, `127.0.0.1:${server.port + 1}`, '127.0.0.1', `127.0.0.2:${server.port}`, `[::1]:${server.port}`]) {
      const answer = await call(server, '/images', { host, headers: bearer(API_TOKEN) });
      expect(answer.status, host).toBe(403);
      expect(answer.json()).toMatchObject({ code: 'FORBIDDEN' });
    }
    expect(recorded.events).toEqual([]);
  });

  it('accepts 127.0.0.1:PORT and localhost:PORT', async () => {
    const { server, recorded } = await start();
    expect((await call(server, '/images', { headers: bearer(API_TOKEN) })).status).toBe(200);
    expect((await call(server, '/images', { host: `localhost:${server.port}`, headers: bearer(API_TOKEN) })).status).toBe(200);
    expect(recorded.events.map((event) => event.headers.host)).toEqual([`127.0.0.1:${server.port}`, `localhost:${server.port}`]);
  });

  it('refuses requests from another web origin, on every route, and lets its own origin through', async () => {
    const { server, recorded } = await start({ largeAnswers: { read: () => Promise.resolve({ body: Buffer.from('x'), contentType: 'text/plain' }) } });
    for (const origin of ['https://evil.example', 'null', `http://127.0.0.1:${server.port + 1}`, `https://127.0.0.1:${server.port}`]) {
      expect((await call(server, '/images', { headers: { ...bearer(API_TOKEN), origin } })).status, origin).toBe(403);
    }
    expect((await call(server, '/_registry/events', { method: 'POST', headers: { ...bearer(WEBHOOK_TOKEN), origin: 'https://evil.example' }, body: '{}' })).status).toBe(403);
    expect((await call(server, '/_large/abc', { headers: { origin: 'https://evil.example' } })).status).toBe(403);
    expect(recorded.events).toEqual([]);
    expect(recorded.registry).toEqual([]);

    expect((await call(server, '/images', { headers: { ...bearer(API_TOKEN), origin: `http://127.0.0.1:${server.port}` } })).status).toBe(200);
    expect((await call(server, '/images', { headers: { ...bearer(API_TOKEN), origin: `http://localhost:${server.port}` } })).status).toBe(200);
    expect(recorded.events).toHaveLength(2);
  });
});

describe('startLocalHttpServer: the registry webhook', () => {
  it('takes the webhook token only: no token or the API token is 401 and nothing is queued', async () => {
    const { server, recorded } = await start();
    for (const headers of [{}, bearer(API_TOKEN)]) {
      const answer = await call(server, '/_registry/events', { method: 'POST', headers, body: '{"events":[]}' });
      expect(answer.status).toBe(401);
      expect(answer.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
    }
    expect(recorded.registry).toEqual([]);
  });

  it('hands headers (lower-case, no authorization) and the body bytes over and answers 202 with the counts', async () => {
    const { server, recorded } = await start();
    const body = Buffer.from('{"events":[{"id":"é"}]}');
    const answer = await call(server, '/_registry/events', { method: 'POST', headers: { ...bearer(WEBHOOK_TOKEN), 'Content-Type': 'application/vnd.docker.distribution.events.v1+json', 'Ce-SpecVersion': '1.0' }, body });
    expect(answer.status).toBe(202);
    expect(answer.json()).toEqual({ accepted: 2, rejected: 1 });
    expect(recorded.registry).toHaveLength(1);
    const received = recorded.registry[0]!;
    expect(received.body.equals(body)).toBe(true);
    expect(received.headers['content-type']).toBe('application/vnd.docker.distribution.events.v1+json');
    expect(received.headers['ce-specversion']).toBe('1.0');
    expect(received.headers).not.toHaveProperty('authorization');
    expect(Object.keys(received.headers).every((name) => name === name.toLowerCase())).toBe(true);
  });

  it('answers 503 when the events cannot be queued, so the registry retries, and reports why', async () => {
    const failure = new Error('disk full');
    const { server, recorded } = await start({ onRegistryEvents: () => Promise.reject(failure) });
    const answer = await call(server, '/_registry/events', { method: 'POST', headers: bearer(WEBHOOK_TOKEN), body: '{"events":[]}' });
    expect(answer.status).toBe(503);
    expect(answer.body.toString()).not.toContain('disk full');
    expect(recorded.errors).toEqual([{ error: failure, what: expect.stringContaining('registry') }]);
  });

  it('wants a POST', async () => {
    const { server, recorded } = await start();
    const answer = await call(server, '/_registry/events', { headers: bearer(WEBHOOK_TOKEN) });
    expect(answer.status).toBe(405);
    expect(recorded.registry).toEqual([]);
  });

  it('answers 413 to a body over maxBodyBytes', async () => {
    const { server, recorded } = await start({ maxBodyBytes: 100 });
    const answer = await call(server, '/_registry/events', { method: 'POST', headers: bearer(WEBHOOK_TOKEN), body: Buffer.alloc(101, 0x20) });
    expect(answer.status).toBe(413);
    expect(recorded.registry).toEqual([]);
  });
});

describe('startLocalHttpServer: large answers', () => {
  it('serves /_large/<id> without a token, with the stored content type, and 404 for an unknown id', async () => {
    const asked: string[] = [];
    const body = Buffer.from('{"findings":[1,2,3]}');
    const { server } = await start({
      largeAnswers: {
        read: (id) => {
          asked.push(id);
          return Promise.resolve(id === 'answer_1-x' ? { body, contentType: 'application/json; charset=utf-8' } : undefined);
        },
      },
    });
    const found = await call(server, '/_large/answer_1-x?X-Amz-Expires=60');
    expect(found.status).toBe(200);
    expect(found.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(found.body.equals(body)).toBe(true);

    const missing = await call(server, '/_large/gone');
    expect(missing.status).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'NOT_FOUND' });
    expect(asked).toEqual(['answer_1-x', 'gone']);
  });

  it('is fetched with GET only', async () => {
    const { server } = await start({ largeAnswers: { read: () => Promise.resolve({ body: Buffer.from('x'), contentType: 'text/plain' }) } });
    expect((await call(server, '/_large/abc', { method: 'DELETE' })).status).toBe(405);
  });

  it('treats a path that is not a large-answer id as an API request, which needs the token', async () => {
    const asked: string[] = [];
    const { server } = await start({ largeAnswers: { read: (id) => (asked.push(id), Promise.resolve(undefined)) } });
    expect((await call(server, '/_large/../images')).status).toBe(401);
    expect((await call(server, '/_large/a.b')).status).toBe(401);
    expect((await call(server, '/_large/')).status).toBe(401);
    expect(asked).toEqual([]);
  });
});

describe('startLocalHttpServer: close', () => {
  it('resolves, and the port accepts no more connections', async () => {
    const { server } = await start();
    expect((await call(server, '/images', { headers: bearer(API_TOKEN) })).status).toBe(200);
    await expect(server.close()).resolves.toBeUndefined();
    servers.splice(servers.indexOf(server), 1);
    await expect(call(server, '/images', { headers: bearer(API_TOKEN) })).rejects.toThrow(/ECONNREFUSED/);
  });

  it('waits for a request in flight, which still gets its answer', async () => {
    let finish: (result: APIGatewayProxyStructuredResultV2) => void = () => undefined;
    let entered: () => void = () => undefined;
    const inHandler = new Promise<void>((resolve) => (entered = resolve));
    const { server } = await start({
      api: () =>
        new Promise((resolve) => {
          finish = resolve;
          entered();
        }),
    });
    const answer = call(server, '/images', { headers: bearer(API_TOKEN) });
    await inHandler;
    let closed = false;
    const closing = server.close().then(() => (closed = true));
    servers.splice(servers.indexOf(server), 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closed).toBe(false);
    finish({ statusCode: 200, body: 'late' });
    expect((await answer).body.toString()).toBe('late');
    await closing;
    expect(closed).toBe(true);
  });

  it('says which port is taken when it cannot listen', async () => {
    const { server } = await start();
    await expect(start({ port: server.port })).rejects.toThrow(String(server.port));
  });
});
