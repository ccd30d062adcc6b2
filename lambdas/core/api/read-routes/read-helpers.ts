import { z } from 'zod';
import type { Digest } from '../../digest.ts';
import { SEVERITIES, type Severity } from '../../findings/model.ts';
import type { ImageKey, ImageState, RepositoryKey } from '../../pipeline/model.ts';
import type { QuarantineRecord } from '../../pipeline/quarantine-model.ts';
import type { SeverityCounts, Verdict } from '../../pipeline/verdict-model.ts';
import type { StoredVerdict } from '../../ports.ts';
import type { ApiCallContext, RouteImplementation } from '../api-context.ts';
import type { RouteInput } from '../route-definition.ts';
import type { OperationId, Routes } from '../routes.ts';
import { DEFAULT_PAGE_LIMIT } from '../api-params.ts';
import type { imageSummary, verdictSummary } from '../api-responses.ts';
import { PageTokenError } from '../page-token.ts';

/** The repository an image-scoped query means: account and region default to the API's own. */
export function repositoryOf(query: { readonly repository: string; readonly account?: string | undefined; readonly region?: string | undefined }, context: ApiCallContext): RepositoryKey {
  return { account: query.account ?? context.home.account, region: query.region ?? context.home.region, repository: query.repository };
}

export function imageKeyOf(query: Parameters<typeof repositoryOf>[0], digest: string, context: ApiCallContext): ImageKey {
  return { ...repositoryOf(query, context), digest: digest as Digest };
}

export const iso = (date: Date): string => date.toISOString();

export function verdictSummaryOf(verdict: Verdict): z.output<typeof verdictSummary> {
  return {
    verdict: verdict.verdict,
    ...(verdict.reason !== undefined ? { reason: verdict.reason } : {}),
    policyVersion: verdict.policyVersion,
    failOn: verdict.failOn,
    counts: { ...verdict.counts },
    failingCount: verdict.failingCount,
    failingIds: [...verdict.failingIds],
    suppressedCount: verdict.suppressedCount,
    evaluatedAt: iso(verdict.evaluatedAt),
    ...(verdict.reviewAt ? { reviewAt: iso(verdict.reviewAt) } : {}),
  };
}

/** States in which an image's tags are (being) taken away. */
export function isQuarantinedNow(record: QuarantineRecord | undefined): boolean {
  return record !== undefined && (record.state === 'QUARANTINING' || record.state === 'QUARANTINED' || record.state === 'RELEASING');
}

export function imageSummaryOf(state: ImageState, stored: StoredVerdict | undefined, quarantine: QuarantineRecord | undefined): z.output<typeof imageSummary> {
  return {
    account: state.account,
    region: state.region,
    repository: state.repository,
    digest: state.digest,
    tags: [...state.tags],
    pushedAt: iso(state.pushedAt),
    kind: state.children.length > 0 ? 'index' : 'image',
    ...(state.deletedAt ? { deletedAt: iso(state.deletedAt) } : {}),
    ...(stored ? { verdict: verdictSummaryOf(stored.verdict) } : {}),
    quarantined: isQuarantinedNow(quarantine),
  };
}

/** Whether any remaining finding is this severe or worse. */
export function hasAtLeast(counts: SeverityCounts, severity: Severity): boolean {
  return SEVERITIES.slice(0, SEVERITIES.indexOf(severity) + 1).some((one) => counts[one] > 0);
}

export function zeroCounts(): Record<Severity, number> {
  return Object.fromEntries(SEVERITIES.map((severity) => [severity, 0])) as Record<Severity, number>;
}

export function addCounts(into: Record<Severity, number>, counts: SeverityCounts): void {
  for (const severity of SEVERITIES) into[severity] += counts[severity];
}

export function limitOf(query: { readonly limit?: number | undefined }): number {
  return query.limit ?? DEFAULT_PAGE_LIMIT;
}

const offsetSchema = z.object({ offset: z.number().int().min(0) });

/** A page of a list the route holds whole (a catalogue, a record list): the position is an offset. */
export function pageByOffset<T>(list: readonly T[], limit: number, position: unknown): { readonly items: readonly T[]; readonly next?: { readonly offset: number } } {
  let offset = 0;
  if (position !== undefined) {
    const parsed = offsetSchema.safeParse(position);
    if (!parsed.success) throw new PageTokenError('nextToken does not belong to this listing');
    offset = parsed.data.offset;
  }
  const items = list.slice(offset, offset + limit);
  return { items, ...(offset + limit < list.length ? { next: { offset: offset + limit } } : {}) };
}


/** Whether two repository prefixes can name a common repository. */
export function prefixesOverlap(a: string, b: string): boolean {
  return a.startsWith(b) || b.startsWith(a);
}

export const repositoryKeyText = (key: RepositoryKey): string => `${key.account}/${key.region}/${key.repository}`;

/** A route's validated input and what its implementation answers. */
export type Input<K extends OperationId> = RouteInput<Routes[K]>;
export type Output<K extends OperationId> = ReturnType<RouteImplementation<Routes[K]>>;
