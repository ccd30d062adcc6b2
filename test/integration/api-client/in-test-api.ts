import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { ApiAccessRule } from '../../../lambdas/core/api/access-rules.ts';
import type { ApiRequest, RouteImplementations } from '../../../lambdas/core/api/api-context.ts';
import { notFound } from '../../../lambdas/core/api/api-error.ts';
import { handleApiRequest } from '../../../lambdas/core/api/handle-api-request.ts';
import type { RouteOutput } from '../../../lambdas/core/api/route-definition.ts';
import { routes, type OperationId, type Routes } from '../../../lambdas/core/api/routes.ts';
import { closeServer, listenOnLoopback } from '../../support/http-server.ts';
import { startSigV4VerifyingServer, type SigV4Key, type SigV4VerifyingServer, type VerifiedRequest } from '../../support/sigv4-verifying-server.ts';

/**
 * The findings API's router with route implementations over in-memory images, behind the SigV4
 * verifying server: the client and the CLI meet the real routing, validation, authorization and
 * page tokens, and botocore checks every signature.
 */
export const REGION = 'eu-west-1';
export const HOME = { account: '123456789012', region: REGION };
export const READER: SigV4Key & { accessKeyId: string; arn: string } = { accessKeyId: 'AKIAREADERTESTKEY001', secretAccessKey: 'reader-secret-0123456789abcdef', arn: 'arn:aws:iam::123456789012:role/team-reader' };
export const ACTOR: SigV4Key & { accessKeyId: string; arn: string } = {
  accessKeyId: 'ASIAACTORTESTKEY0001',
  secretAccessKey: 'actor-secret-0123456789abcdef',
  sessionToken: 'actor-session-token',
  arn: 'arn:aws:iam::123456789012:role/team-actor',
};

export const digestOf = (seed: number): string => `sha256:${seed.toString(16).padStart(64, '0')}`;

export interface StoredImage {
  readonly repository: string;
  readonly digest: string;
  readonly tag: string;
  readonly verdict?: RouteOutput<Routes['getVerdict']>['verdict'];
  readonly counts: { CRITICAL: number; HIGH: number; MEDIUM: number; LOW: number; UNKNOWN: number };
}

export interface InTestApi {
  readonly server: SigV4VerifyingServer;
  /** Every request the router received (after the signature check), as parsed. */
  readonly received: ApiRequest[];
  readonly exceptions: RouteOutput<Routes['listExceptions']>['items'][number][];
  close(): Promise<void>;
}

const RULES: readonly ApiAccessRule[] = [
  { principal: READER.arn, read: ['team/'] },
  { principal: ACTOR.arn, read: ['team/'], act: ['team/'] },
];

export async function startInTestApi(images: readonly StoredImage[]): Promise<InTestApi> {
  const received: ApiRequest[] = [];
  // Stands in for S3's presigned URLs: serves what getSbom put there, without credentials.
  const largeDocuments = new Map<string, string>();
  const documentServer = createServer((incoming, outgoing) => {
    const text = largeDocuments.get(incoming.url ?? '');
    if (text === undefined || incoming.headers.authorization !== undefined) outgoing.writeHead(403).end();
    else outgoing.writeHead(200, { 'content-type': 'application/json' }).end(text);
  });
  const largeAnswers = `http://${await listenOnLoopback(documentServer)}`;
  const exceptions: InTestApi['exceptions'] = [];
  const principals = new Map([
    [READER.accessKeyId, READER.arn],
    [ACTOR.accessKeyId, ACTOR.arn],
  ]);
  const at = '2026-01-01T00:00:00.000Z';
  const find = (repository: string, digest: string): StoredImage => {
    const image = images.find((one) => one.repository === repository && one.digest === digest);
    if (!image) throw notFound(`no image ${digest} in ${repository}`);
    return image;
  };
  const summary = (image: StoredImage) =>
    image.verdict === undefined || image.verdict === 'UNKNOWN'
      ? undefined
      : {
          verdict: image.verdict,
          policyVersion: 'p1',
          failOn: 'CRITICAL' as const,
          counts: image.counts,
          failingCount: image.verdict === 'FAIL' ? 1 : 0,
          failingIds: image.verdict === 'FAIL' ? ['CVE-2024-0001'] : [],
          suppressedCount: 0,
          evaluatedAt: at,
        };
  const action = (name: 'exception-add', reason: string) => ({ id: `a-${received.length}`, action: name, principal: 'p', at, reason, target: {}, outcome: 'done' });
  const implemented: Partial<RouteImplementations> = {
    getVerdict: ({ query }) => {
      const image = find(query.repository, query.digest);
      return Promise.resolve({ repository: image.repository, digest: image.digest, verdict: image.verdict ?? 'UNKNOWN', allowed: image.verdict === 'PASS', released: false, failingCount: 0, failingIds: [], quarantined: false });
    },
    getTag: ({ query }) => {
      const image = images.find((one) => one.repository === query.repository && one.tag === query.tag);
      if (!image) throw notFound(`no tag ${query.tag} in ${query.repository}`);
      const verdict = summary(image);
      return Promise.resolve({ repository: image.repository, tag: image.tag, digest: image.digest, ...(verdict ? { verdict } : {}), quarantined: false, history: [{ at, action: 'push', digest: image.digest }] });
    },
    getImage: ({ path, query }) => {
      const image = find(query.repository, path.digest);
      const verdict = summary(image);
      return Promise.resolve({ ...HOME, repository: image.repository, digest: image.digest, tags: [image.tag], pushedAt: at, kind: 'manifest', quarantined: false, ...(verdict ? { verdict } : {}), children: [], parents: [], platforms: [] });
    },
    listImages: ({ query }, context) => {
      const all = images.filter((one) => one.repository === query.repository && (query.verdict === undefined || one.verdict === query.verdict));
      const start = typeof context.position === 'number' ? context.position : 0;
      const limit = query.limit ?? 50;
      const items = all.slice(start, start + limit).map((image) => {
        const verdict = summary(image);
        return { ...HOME, repository: image.repository, digest: image.digest, tags: [image.tag], pushedAt: at, kind: 'manifest', quarantined: false, ...(verdict ? { verdict } : {}) };
      });
      return Promise.resolve({ items, ...(start + limit < all.length ? { next: start + limit } : {}) });
    },
    addException: ({ body }) => {
      const exception = {
        id: `exc-${String(exceptions.length).padStart(8, '0')}`,
        kind: body.kind,
        vulnerability: body.kind === 'ignore' ? body.vulnerability : 'VEX',
        scope: body.repositoryPrefix === undefined ? {} : { repositoryPrefix: body.repositoryPrefix },
        reason: body.reason,
        ...(body.expires === undefined ? {} : { expires: body.expires }),
        createdBy: 'p',
        createdAt: at,
        lapsed: false,
      };
      exceptions.push(exception);
      return Promise.resolve({ exception, action: action('exception-add', body.reason), reevaluated: 0 });
    },
    getSbom: ({ path, query }) => {
      const image = find(query.repository, path.digest);
      const document = { bomFormat: 'CycloneDX', specVersion: '1.6', metadata: { component: { name: image.repository, version: image.digest } }, components: [] };
      // The first image's SBOM inline; the others past the cap, through a short-lived URL.
      if (image === images[0]) return Promise.resolve({ format: 'CycloneDX' as const, specVersion: '1.6' as const, document });
      const url = `${largeAnswers}/sboms/${image.digest}.json`;
      largeDocuments.set(new URL(url).pathname, JSON.stringify(document));
      return Promise.resolve({ format: 'CycloneDX' as const, specVersion: '1.6' as const, url, expiresAt: new Date(Date.now() + 300_000).toISOString(), bytes: JSON.stringify(document).length });
    },
    listExceptions: () => Promise.resolve({ items: exceptions }),
    removeException: ({ query }) => {
      const index = exceptions.findIndex((one) => one.id === query.id);
      if (index === -1) throw notFound(`no exception ${query.id}`);
      const [exception] = exceptions.splice(index, 1);
      return Promise.resolve({ exception: exception!, action: action('exception-add', query.reason), reevaluated: 0 });
    },
  };
  const implementations = Object.fromEntries(
    (Object.keys(routes) as OperationId[]).map((id) => [id, implemented[id] ?? (() => Promise.reject(notFound(`${id} is not served by this test API`)))]),
  ) as unknown as RouteImplementations;
  const keys = { keys: [randomBytes(32)] };

  const server = await startSigV4VerifyingServer({
    region: REGION,
    keys: { [READER.accessKeyId]: READER, [ACTOR.accessKeyId]: ACTOR },
    handle: async (verified: VerifiedRequest) => {
      const arn = principals.get(verified.accessKeyId) ?? 'unknown';
      const request: ApiRequest = {
        method: verified.method,
        rawPath: verified.rawPath,
        query: Object.fromEntries(new URLSearchParams(verified.rawQueryString)),
        ...(verified.body === '' ? {} : { body: verified.body }),
        principal: { arn, display: arn },
        requestId: `r-${received.length}`,
      };
      received.push(request);
      const answer = await handleApiRequest(request, { implementations, rules: RULES, pageTokenKeys: { keys: () => Promise.resolve(keys) }, home: HOME, clock: { now: () => new Date() } });
      return { status: answer.status, headers: answer.headers, body: answer.body };
    },
  });
  return {
    server,
    received,
    exceptions,
    close: async () => {
      await server.close();
      await closeServer(documentServer);
    },
  };
}
