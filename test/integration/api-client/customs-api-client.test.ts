import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClientError } from '../../../lambdas/adapters/api-client/api-client-error.ts';
import { BearerAuthenticator } from '../../../lambdas/adapters/api-client/bearer-authenticator.ts';
import { CustomsApiClient } from '../../../lambdas/adapters/api-client/customs-api-client.ts';
import { SigV4Authenticator } from '../../../lambdas/adapters/api-client/sigv4-authenticator.ts';
import { ACTOR, digestOf, READER, REGION, startInTestApi, type InTestApi, type StoredImage } from './in-test-api.ts';

const REPOSITORY = 'team/payments/api';
const zero = { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, UNKNOWN: 0 };
const IMAGES: StoredImage[] = Array.from({ length: 7 }, (_, index) => ({ repository: REPOSITORY, digest: digestOf(index + 1), tag: `v${index + 1}`, verdict: index % 2 === 0 ? 'PASS' : 'FAIL', counts: zero }));

let api: InTestApi;
const client = (key: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }, region = REGION) =>
  new CustomsApiClient({ baseUrl: api.server.url, authenticator: new SigV4Authenticator({ region, credentials: key }) });

beforeAll(async () => {
  api = await startInTestApi(IMAGES);
});
afterAll(async () => {
  await api.close();
});

describe('the findings API client behind a SigV4-verifying server (botocore)', () => {
  it('signs a digest in the path and a repository with / in the query, and parses the answer', async () => {
    const image = await client(READER).call('getImage', { path: { digest: digestOf(3) }, query: { repository: REPOSITORY }, body: undefined });
    expect(image).toMatchObject({ repository: REPOSITORY, digest: digestOf(3), tags: ['v3'] });
    const sent = api.server.log.at(-1)!;
    expect(sent).toMatchObject({ verified: true, method: 'GET' });
    expect(sent.url).toBe(`/images/sha256%3A${digestOf(3).slice(7)}?repository=team%2Fpayments%2Fapi`);
    expect(api.received.at(-1)).toMatchObject({ rawPath: `/images/sha256%3A${digestOf(3).slice(7)}`, query: { repository: REPOSITORY } });
  });

  it('signs the session token and a JSON body (POST), and a DELETE with query values needing encoding', async () => {
    const added = await client(ACTOR).call('addException', {
      path: {},
      query: {},
      body: { kind: 'ignore', vulnerability: 'CVE-2024-0001', reason: "not reachable: it's (only) a test*", repositoryPrefix: 'team/payments/' },
    });
    expect(added.exception).toMatchObject({ vulnerability: 'CVE-2024-0001', scope: { repositoryPrefix: 'team/payments/' } });
    const removed = await client(ACTOR).call('removeException', { path: {}, query: { id: added.exception.id, reason: "done: it's gone (really)!" }, body: undefined });
    expect(removed.exception.id).toBe(added.exception.id);
    expect(api.received.at(-1)!.query).toEqual({ id: added.exception.id, reason: "done: it's gone (really)!" });
    expect(api.server.log.slice(-2).every((entry) => entry.verified)).toBe(true);
  });

  it('follows nextToken across pages: every image once, in order', async () => {
    const pages = [];
    for await (const page of client(READER).pages('listImages', { path: {}, query: { repository: REPOSITORY, limit: '3' }, body: undefined })) pages.push(page);
    expect(pages.map((page) => page.items.length)).toEqual([3, 3, 1]);
    expect(pages.flatMap((page) => page.items.map((item) => item.digest))).toEqual(IMAGES.map((image) => image.digest));
    // The tokens travelled in the query, signed like any other value.
    expect(api.server.log.slice(-3).every((entry) => entry.verified)).toBe(true);
  });

  it('answers a typed ApiClientError with the API body: 400 naming the field, 404, 403 outside the prefixes', async () => {
    const bad = await client(READER)
      .call('getVerdict', { path: {}, query: { repository: REPOSITORY, digest: 'sha256:nothex' }, body: undefined })
      .catch((error: unknown) => error);
    expect(bad).toBeInstanceOf(ApiClientError);
    expect(bad).toMatchObject({ status: 400, code: 'BAD_REQUEST', field: 'digest' });
    await expect(client(READER).call('getVerdict', { path: {}, query: { repository: REPOSITORY, digest: digestOf(99) }, body: undefined })).rejects.toMatchObject({ status: 404, code: 'NOT_FOUND' });
    await expect(client(READER).call('getVerdict', { path: {}, query: { repository: 'other/app', digest: digestOf(1) }, body: undefined })).rejects.toMatchObject({ status: 403, code: 'FORBIDDEN' });
    // The reader may read team/ but not act on it: refused by the router before any implementation runs.
    await expect(client(READER).call('releaseImage', { path: { digest: digestOf(2) }, query: { repository: REPOSITORY }, body: { reason: 'let it run again' } })).rejects.toMatchObject({ status: 403, code: 'FORBIDDEN' });
  });

  it('is refused (403 before the handler) with a wrong secret, an unknown key, the wrong region, or a bearer token', async () => {
    const handled = api.received.length;
    const attempts = [
      client({ accessKeyId: READER.accessKeyId, secretAccessKey: 'not-the-secret' }),
      client({ accessKeyId: 'AKIAUNKNOWNKEY000001', secretAccessKey: READER.secretAccessKey }),
      client(READER, 'us-east-1'),
      client({ ...ACTOR, sessionToken: 'another-token' }),
      new CustomsApiClient({ baseUrl: api.server.url, authenticator: new BearerAuthenticator('local-token') }),
    ];
    for (const attempt of attempts) {
      await expect(attempt.call('getVerdict', { path: {}, query: { repository: REPOSITORY, digest: digestOf(1) }, body: undefined })).rejects.toMatchObject({ status: 403, code: 'FORBIDDEN', message: 'Forbidden' });
    }
    expect(api.server.log.slice(-attempts.length).map((entry) => entry.reason)).toEqual([
      'signature does not match',
      'unknown access key',
      'wrong credential scope',
      'wrong session token',
      'no SigV4 Authorization header',
    ]);
    expect(api.received.length).toBe(handled);
  });

  it('refuses a tampered request: a signed request replayed with another query value', async () => {
    let captured: { url: string; init: RequestInit } | undefined;
    const capturing = new CustomsApiClient({
      baseUrl: api.server.url,
      authenticator: new SigV4Authenticator({ region: REGION, credentials: READER }),
      fetch: (input, init) => {
        captured = { url: String(input), init: init ?? {} };
        return fetch(input, init);
      },
    });
    await capturing.call('getVerdict', { path: {}, query: { repository: REPOSITORY, digest: digestOf(1) }, body: undefined });
    const tampered = await fetch(captured!.url.replace(digestOf(1).slice(7), digestOf(2).slice(7)), { headers: captured!.init.headers ?? {} });
    expect(tampered.status).toBe(403);
    const replayed = await fetch(captured!.url, { headers: captured!.init.headers ?? {} });
    expect(replayed.status).toBe(200);
    const signature = new Headers(captured!.init.headers).get('authorization')!;
    const flipped = signature.replace(/Signature=([0-9a-f])/, (_, first: string) => `Signature=${first === '0' ? '1' : '0'}`);
    const forged = await fetch(captured!.url, { headers: { ...Object.fromEntries(new Headers(captured!.init.headers)), authorization: flipped } });
    expect(forged.status).toBe(403);
    expect(api.server.log.at(-1)!.reason).toBe('signature does not match');
  });

  it('sends a bearer token as the Authorization header, and gives up after timeoutMs', async () => {
    let sent: Headers | undefined;
    const bearer = new CustomsApiClient({
      baseUrl: api.server.url,
      authenticator: new BearerAuthenticator('local-token-1'),
      fetch: (input, init) => {
        sent = new Headers(init?.headers);
        return fetch(input, init);
      },
    });
    await expect(bearer.call('getCoverage', { path: {}, query: {}, body: undefined })).rejects.toMatchObject({ status: 403 });
    expect(sent!.get('authorization')).toBe('Bearer local-token-1');
    expect(sent!.get('x-amz-date')).toBeNull();
    const hanging = new CustomsApiClient({
      baseUrl: api.server.url,
      authenticator: new BearerAuthenticator('t'),
      timeoutMs: 50,
      fetch: (_input, init) => new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason as Error))),
    });
    await expect(hanging.call('getCoverage', { path: {}, query: {}, body: undefined })).rejects.toMatchObject({ status: 0, code: 'TIMEOUT', message: 'GET /coverage: no answer in 50 ms' });
  });

  it('checks the answer against the route schema, and names a transport failure', async () => {
    const lying = new CustomsApiClient({ baseUrl: api.server.url, authenticator: new BearerAuthenticator('t'), fetch: () => Promise.resolve(new Response(JSON.stringify({ repository: 'x' }), { status: 200 })) });
    await expect(lying.call('getVerdict', { path: {}, query: { repository: REPOSITORY, digest: digestOf(1) }, body: undefined })).rejects.toMatchObject({ code: 'INVALID_RESPONSE', status: 200 });
    const down = new CustomsApiClient({ baseUrl: 'http://127.0.0.1:9', authenticator: new BearerAuthenticator('t'), timeoutMs: 2000 });
    await expect(down.call('getCoverage', { path: {}, query: {}, body: undefined })).rejects.toMatchObject({ code: 'NETWORK', status: 0 });
  });
});
