import type { ApiEventOptions } from '../../../test/support/api-events.ts';
import { CALLER } from './api-world.ts';
import { COMMON_VULNERABILITY, type Fleet, type FleetImage } from './registry-fleet.ts';

/** One request the bench sends, the same each run; `check` refuses an answer the numbers would be wrong for. */
export interface ApiCall {
  readonly label: string;
  event(): ApiEventOptions;
  /** The status the route answers with; anything else stops the bench. */
  readonly status: number;
  /** Called with the parsed answer: keeps what a later call needs, checks the answer is what was meant. */
  check?(body: Record<string, unknown>): string | undefined;
}

export interface CallPlan {
  readonly calls: readonly ApiCall[];
  readonly subjects: { readonly image: FleetImage; readonly rare: string; readonly exception: { readonly vulnerability: string; readonly prefix: string; readonly images: number } };
}

const pathDigest = (image: FleetImage): string => image.digest.replace(':', '%3A');
const items = (body: Record<string, unknown>): unknown[] => (Array.isArray(body['items']) ? body['items'] : []);

/**
 * The read routes and the cheap actions, on subjects picked from the fleet: an old failing image
 * of payments/api (many findings), the glibc CVE about half the images have, a CVE few images
 * have, and for the exception a CVE affecting about twenty payments images (the add re-judges them).
 */
export function planCalls(fleet: Fleet): CallPlan {
  const image = fleet.images.find((candidate) => candidate.repository === 'payments/api' && candidate.generation === 0 && candidate.findings.some((finding) => finding.severity.severity === 'HIGH'))!;
  const holders = (id: string, prefix = ''): number => fleet.images.filter((candidate) => candidate.repository.startsWith(prefix) && candidate.findings.some((finding) => finding.id === id)).length;
  const byHolders = fleet.advisories.map((advisory) => ({ id: advisory.id, all: holders(advisory.id), payments: holders(advisory.id, 'payments/') }));
  const rare = byHolders.filter((entry) => entry.all > 0).sort((a, b) => a.all - b.all || (a.id < b.id ? -1 : 1))[0]!.id;
  const target = byHolders.filter((entry) => entry.id !== COMMON_VULNERABILITY).sort((a, b) => Math.abs(a.payments - 20) - Math.abs(b.payments - 20) || (a.id < b.id ? -1 : 1))[0]!;
  const repository = image.repository;
  let added: string | undefined;
  const get = (label: string, path: string, query: Record<string, string>, check?: ApiCall['check']): ApiCall => ({ label, status: 200, event: () => ({ method: 'GET', path, query, principalArn: CALLER }), ...(check ? { check } : {}) });
  const page = (size: number) => (body: Record<string, unknown>) => (items(body).length === size ? undefined : `expected ${size} items, got ${items(body).length}`);
  const some = (body: Record<string, unknown>) => (items(body).length > 0 ? undefined : 'expected items');
  const calls: ApiCall[] = [
    get('GET /verdict', '/verdict', { repository, digest: image.digest }, (body) => (body['verdict'] === 'FAIL' ? undefined : `verdict ${String(body['verdict'])}`)),
    get('GET /tags (latest, 5 moves)', '/tags', { repository, tag: 'latest' }),
    get('GET /images (a page of 50)', '/images', { repository, limit: '50' }, page(50)),
    get('GET /images (FAIL, CRITICAL)', '/images', { repository, verdict: 'FAIL', severity: 'CRITICAL', limit: '50' }),
    get('GET /images/{digest}', `/images/${pathDigest(image)}`, { repository }),
    get('GET /images/{digest}/findings (50)', `/images/${pathDigest(image)}/findings`, { repository, limit: '50' }, some),
    get('GET /images/{digest}/sbom (inline)', `/images/${pathDigest(image)}/sbom`, { repository }, (body) => (body['document'] ? undefined : 'expected the document inline')),
    get('GET /repositories', '/repositories', {}, page(4)),
    get('GET /coverage', '/coverage', {}, (body) => (body['images'] === fleet.images.length ? undefined : `coverage counted ${String(body['images'])} images`)),
    get(`GET /vulnerabilities/{id}/images (common: ${COMMON_VULNERABILITY})`, `/vulnerabilities/${COMMON_VULNERABILITY}/images`, { limit: '50' }, page(50)),
    get('GET /vulnerabilities/{id}/images (rare)', `/vulnerabilities/${rare}/images`, {}, some),
    get('GET /advisories/status', '/advisories/status', {}),
    get('GET /quarantine', '/quarantine', { repository }, some),
    get('GET /history (30 days)', '/history', { repository, days: '30' }),
    get('GET /history (registry, 30 days)', '/history', { days: '30' }),
    get('GET /actions', '/actions', { repository }, some),
    get('GET /exceptions', '/exceptions', {}, some),
    {
      label: 'POST /images/{digest}/rescan',
      status: 202,
      event: () => ({ method: 'POST', path: `/images/${pathDigest(image)}/rescan`, query: { repository }, body: { reason: 'bench: after the advisory' }, principalArn: CALLER }),
    },
    {
      label: `POST /exceptions (re-judges ${target.payments})`,
      status: 201,
      event: () => ({ method: 'POST', path: '/exceptions', body: { kind: 'ignore', vulnerability: target.id, repositoryPrefix: 'payments/', reason: 'bench: not reachable; SEC-4', expires: '2099-12-31' }, principalArn: CALLER }),
      check: (body) => {
        added = (body['exception'] as { id?: string } | undefined)?.id;
        return body['reevaluated'] === target.payments ? undefined : `re-judged ${String(body['reevaluated'])} images, not ${target.payments}`;
      },
    },
    {
      // Takes back the exception just added, so every add starts from the same state.
      label: `DELETE /exceptions (re-judges ${target.payments})`,
      status: 200,
      event: () => ({ method: 'DELETE', path: '/exceptions', query: { id: added ?? 'missing-id', reason: 'bench: undo' }, principalArn: CALLER }),
      check: (body) => (body['reevaluated'] === target.payments ? undefined : `re-judged ${String(body['reevaluated'])} images, not ${target.payments}`),
    },
  ];
  return { calls, subjects: { image, rare, exception: { vulnerability: target.id, prefix: 'payments/', images: target.payments } } };
}
