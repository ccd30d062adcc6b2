import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ApiCallContext, ApiRequest, RouteImplementations } from '../../../../lambdas/core/api/api-context.ts';
import { notFound } from '../../../../lambdas/core/api/api-error.ts';
import { handleApiRequest, MAX_ANSWER_BYTES, type HandleApiRequestDeps } from '../../../../lambdas/core/api/handle-api-request.ts';
import { CustomsError } from '../../../../lambdas/core/errors.ts';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const READER = 'arn:aws:sts::111122223333:assumed-role/reader/s';
const ACTOR = 'arn:aws:sts::111122223333:assumed-role/actor/s';
const rules = [
  { principal: 'arn:aws:iam::111122223333:role/reader', read: ['team/'] },
  { principal: 'arn:aws:iam::111122223333:role/actor', read: ['team/'], act: ['team/apps/'] },
];

function implementations(overrides: Partial<RouteImplementations>): RouteImplementations {
  return new Proxy(overrides, {
    get: (target, name: string) => (target as Record<string, unknown>)[name] ?? (async () => Promise.reject(new Error(`${name} is not implemented here`))),
  }) as RouteImplementations;
}

function deps(overrides: Partial<RouteImplementations>, log: unknown[] = []): HandleApiRequestDeps {
  const keys = { keys: [randomBytes(32)] };
  return {
    implementations: implementations(overrides),
    rules,
    pageTokenKeys: { keys: async () => keys },
    home: { account: '111122223333', region: 'eu-west-1' },
    clock: { now: () => new Date('2026-03-01T12:00:00Z') },
    log: { error: (message, details) => log.push({ message, details }) },
  };
}

function request(method: string, rawPath: string, query: Record<string, string> = {}, options: { body?: string; principal?: string } = {}): ApiRequest {
  const arn = options.principal ?? READER;
  return { method, rawPath, query, ...(options.body !== undefined ? { body: options.body } : {}), principal: { arn, display: arn }, requestId: 'req-1' };
}

const json = (body: string) => JSON.parse(body) as Record<string, unknown>;

/** A listing of the numbers 0..total-1 paged by offset, as a store would page. */
function numbersListing(total: number, seen: unknown[]): RouteImplementations['listQuarantine'] {
  return async (input, context) => {
    seen.push(context.position);
    const start = typeof context.position === 'number' ? context.position : 0;
    const limit = input.query.limit ?? 2;
    const items = Array.from({ length: Math.max(0, Math.min(limit, total - start)) }, (_, index) => quarantineItem(start + index));
    return { items, ...(start + limit < total ? { next: start + limit } : {}) };
  };
}

function quarantineItem(index: number) {
  const at = '2026-03-01T00:00:00.000Z';
  return { key: { account: '1', region: 'r', repository: 'team/app', digest: DIGEST }, id: `q${String(index)}`, state: 'QUARANTINED', method: 'tags', trigger: 'verdict', startedAt: at, updatedAt: at, failingIds: [], removedTags: [] };
}

describe('handleApiRequest', () => {
  it('routes by method and path, decoding a percent-encoded digest, and answers JSON with the route status', async () => {
    const calls: { digest: string; context: ApiCallContext }[] = [];
    const d = deps({
      getVerdict: async (input, context) => {
        calls.push({ digest: input.query.digest, context });
        return { repository: input.query.repository, digest: input.query.digest, verdict: 'PASS', allowed: true, released: false, failingCount: 0, failingIds: [], quarantined: false };
      },
      rescanImage: async (input) => {
        calls.push({ digest: input.path.digest, context: undefined as never });
        const at = '2026-03-01T12:00:00.000Z';
        return { action: { id: 'a', action: 'rescan', principal: ACTOR, at, target: {}, outcome: 'queued' }, queued: [input.path.digest] };
      },
    });
    const verdict = await handleApiRequest(request('GET', '/verdict', { repository: 'team/app', digest: DIGEST }), d);
    expect(verdict.status).toBe(200);
    expect(verdict.headers).toEqual({ 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    expect(json(verdict.body)['verdict']).toBe('PASS');
    expect(calls[0]!.context.access).toEqual({ read: ['team/'], act: [] });
    expect(calls[0]!.context.home).toEqual({ account: '111122223333', region: 'eu-west-1' });

    for (const path of [`/images/${DIGEST}/rescan`, `/images/${DIGEST.replace(':', '%3A')}/rescan`]) {
      const rescan = await handleApiRequest(request('POST', path, { repository: 'team/apps/web' }, { principal: ACTOR }), d);
      expect(rescan.status).toBe(202);
      expect(json(rescan.body)['queued']).toEqual([DIGEST]);
    }
    expect(calls.slice(1).map((call) => call.digest)).toEqual([DIGEST, DIGEST]);
  });

  it('answers 404 for an unknown path and 405 for a known path with another method', async () => {
    const unknown = await handleApiRequest(request('GET', '/nothing/here'), deps({}));
    expect(unknown.status).toBe(404);
    expect(json(unknown.body)['code']).toBe('NOT_FOUND');
    const wrong = await handleApiRequest(request('PUT', '/verdict'), deps({}));
    expect(wrong.status).toBe(405);
    expect(json(wrong.body)['code']).toBe('METHOD_NOT_ALLOWED');
  });

  it('refuses bad input with 400 naming the field, before the implementation runs', async () => {
    let ran = 0;
    const d = deps({
      getVerdict: async () => {
        ran++;
        throw new Error('must not run');
      },
      addException: async () => {
        ran++;
        throw new Error('must not run');
      },
    });
    const cases: [ApiRequest, string][] = [
      [request('GET', '/verdict', { repository: 'team/app', digest: 'sha256:nothex' }), 'digest'],
      [request('GET', '/verdict', { repository: 'Team/App', digest: DIGEST }), 'repository'],
      [request('GET', '/verdict', { repository: 'team/app' }), 'digest'],
      [request('GET', '/verdict', { repository: 'team/app', digest: DIGEST, colour: 'blue' }), 'colour'],
      [request('GET', '/images/sha256:short', { repository: 'team/app' }), 'digest'],
      [request('GET', '/images', { repository: 'team/app', limit: '101' }), 'limit'],
      [request('POST', '/exceptions', {}, { body: '{not json', principal: ACTOR }), 'body'],
      [request('POST', '/exceptions', {}, { body: JSON.stringify({ kind: 'ignore', vulnerability: 'CVE-2024-1', reason: 'x' }), principal: ACTOR }), 'body.reason'],
      [request('POST', '/exceptions', {}, { body: JSON.stringify({ kind: 'ignore', vulnerability: 'CVE-2024-1', reason: 'because', extra: 1 }), principal: ACTOR }), 'body.extra'],
    ];
    for (const [input, field] of cases) {
      const response = await handleApiRequest(input, d);
      expect(response.status, field).toBe(400);
      expect(json(response.body)).toMatchObject({ code: 'BAD_REQUEST', field });
    }
    expect(ran).toBe(0);
  });

  it('refuses a repository outside the caller’s prefixes with 403 before anything runs', async () => {
    let ran = 0;
    const d = deps({
      getVerdict: async () => {
        ran++;
        throw new Error('must not run');
      },
      rescanImage: async () => {
        ran++;
        throw new Error('must not run');
      },
    });
    const read = await handleApiRequest(request('GET', '/verdict', { repository: 'other/app', digest: DIGEST }), d);
    expect(read.status).toBe(403);
    expect(json(read.body)['code']).toBe('FORBIDDEN');
    // Readable is not actable.
    const act = await handleApiRequest(request('POST', `/images/${DIGEST}/rescan`, { repository: 'team/lib' }, { principal: ACTOR }), d);
    expect(act.status).toBe(403);
    const stranger = await handleApiRequest(request('GET', '/verdict', { repository: 'team/app', digest: DIGEST }, { principal: 'arn:aws:iam::999988887777:user/x' }), d);
    expect(stranger.status).toBe(403);
    expect(ran).toBe(0);
    // A principal no rule names gets nothing, not even registry-wide answers that name no repository.
    const status = await handleApiRequest(request('GET', '/advisories/status', {}, { principal: 'arn:aws:iam::999988887777:user/x' }), d);
    expect(status.status).toBe(403);
    expect(json(status.body)['message']).toMatch(/no access rule names/);
  });

  it('carries store positions in signed page tokens: every item once, a tampered or foreign token refused', async () => {
    const seen: unknown[] = [];
    const d = deps({ listQuarantine: numbersListing(7, seen) });
    const ids: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const response = await handleApiRequest(request('GET', '/quarantine', { repository: 'team/app', limit: '3', ...(token ? { nextToken: token } : {}) }), d);
      expect(response.status).toBe(200);
      const body = json(response.body) as { items: { id: string }[]; nextToken?: string };
      ids.push(...body.items.map((item) => item.id));
      token = body.nextToken;
      pages++;
    } while (token);
    expect(pages).toBe(3);
    expect(ids).toEqual(['q0', 'q1', 'q2', 'q3', 'q4', 'q5', 'q6']);
    expect(seen).toEqual([undefined, 3, 6]);

    const first = json((await handleApiRequest(request('GET', '/quarantine', { repository: 'team/app', limit: '3' }), d)).body)['nextToken'] as string;
    const tampered = `${first.slice(0, 5)}${first[5] === 'A' ? 'B' : 'A'}${first.slice(6)}`;
    const refused = await handleApiRequest(request('GET', '/quarantine', { repository: 'team/app', limit: '3', nextToken: tampered }), d);
    expect(refused.status).toBe(400);
    expect(json(refused.body)).toMatchObject({ code: 'BAD_REQUEST', field: 'nextToken' });
    // The same token with other filters, or another repository, is refused too.
    const otherQuery = await handleApiRequest(request('GET', '/quarantine', { repository: 'team/app', limit: '2', nextToken: first }), d);
    expect(json(otherQuery.body)).toMatchObject({ field: 'nextToken' });
    const otherRepository = await handleApiRequest(request('GET', '/quarantine', { repository: 'team/lib', limit: '3', nextToken: first }), d);
    expect(json(otherRepository.body)).toMatchObject({ field: 'nextToken' });
    expect(seen.length).toBe(4);
  });

  it('maps errors: ApiError as is, not-found to 404, anything else to a logged 500 naming the request', async () => {
    const log: unknown[] = [];
    const d = deps(
      {
        getImage: async () => Promise.reject(notFound('no image sha256:…')),
        getTag: async () => Promise.reject(new CustomsError('not-found', 'no such tag')),
        getAdvisoryStatus: async () => Promise.reject(new Error('table on fire')),
      },
      log,
    );
    expect((await handleApiRequest(request('GET', `/images/${DIGEST}`, { repository: 'team/app' }), d)).status).toBe(404);
    expect((await handleApiRequest(request('GET', '/tags', { repository: 'team/app', tag: 'v1' }), d)).status).toBe(404);
    const internal = await handleApiRequest(request('GET', '/advisories/status'), d);
    expect(internal.status).toBe(500);
    expect(json(internal.body)).toEqual({ code: 'INTERNAL', message: 'internal error (request req-1)' });
    expect(JSON.stringify(log)).toContain('table on fire');
  });

  it('refuses an answer past the response cap instead of truncating it', async () => {
    const d = deps({
      getSbom: async () => ({ format: 'CycloneDX', specVersion: '1.6', document: { padding: 'x'.repeat(MAX_ANSWER_BYTES) } }),
    });
    const response = await handleApiRequest(request('GET', `/images/${DIGEST}/sbom`, { repository: 'team/app' }), d);
    expect(response.status).toBe(413);
    expect(response.body.length).toBeLessThan(1000);
  });

  it('treats an answer outside the route schema as an internal error', async () => {
    const d = deps({ getAdvisoryStatus: async () => ({ ecosystems: 'none' }) as never });
    expect((await handleApiRequest(request('GET', '/advisories/status'), d)).status).toBe(500);
  });
});
