import type { RepositoryEntry, RepositoryKey } from '../../pipeline/model.ts';
import type { VerdictValue } from '../../pipeline/verdict-model.ts';
import type { VerdictSummary } from '../../review-ports.ts';
import { canRead } from '../access-rules.ts';
import type { ApiCallContext } from '../api-context.ts';
import type { DailyCounts } from '../api-ports.ts';
import type { ReadRouteDeps } from './read-routes.ts';
import { addCounts, iso, isQuarantinedNow, limitOf, pageByOffset, repositoryOf, zeroCounts, type Input, type Output } from './read-helpers.ts';

/** The catalogue's repositories the caller may read, starting with `prefix`, in a stable order. */
async function readableRepositories(context: ApiCallContext, deps: ReadRouteDeps, prefix: string | undefined): Promise<readonly RepositoryEntry[]> {
  const entries = await deps.catalogue.list();
  return entries
    .filter((entry) => canRead(context.access, entry.repository) && (prefix === undefined || entry.repository.startsWith(prefix)))
    .sort((a, b) => `${a.account}/${a.region}/${a.repository}`.localeCompare(`${b.account}/${b.region}/${b.repository}`));
}

const keyOf = (entry: RepositoryEntry): RepositoryKey => ({ account: entry.account, region: entry.region, repository: entry.repository });

function verdictCounts(summaries: readonly VerdictSummary[]): Partial<Record<VerdictValue, number>> {
  const counts: Partial<Record<VerdictValue, number>> = {};
  for (const summary of summaries) counts[summary.verdict] = (counts[summary.verdict] ?? 0) + 1;
  return counts;
}

/** The catalogue (one partition) paged in memory; each listed repository's counts from its verdicts and quarantine records. */
export async function listRepositories(input: Input<'listRepositories'>, context: ApiCallContext, deps: ReadRouteDeps): Output<'listRepositories'> {
  const entries = await readableRepositories(context, deps, input.query.prefix);
  const page = pageByOffset(entries, limitOf(input.query), context.position);
  const items = await Promise.all(
    page.items.map(async (entry) => {
      const [summaries, quarantines] = await Promise.all([deps.verdictListing.listRepository(keyOf(entry)), deps.quarantines.list(keyOf(entry))]);
      const findings = zeroCounts();
      for (const summary of summaries) addCounts(findings, summary.counts);
      return {
        ...keyOf(entry),
        images: entry.images,
        deleted: entry.deleted,
        ...(entry.lastPushAt ? { lastPushAt: iso(entry.lastPushAt) } : {}),
        verdicts: verdictCounts(summaries),
        quarantined: quarantines.filter(isQuarantinedNow).length,
        findings,
      };
    }),
  );
  return { items, ...(page.next ? { next: page.next } : {}) };
}

/**
 * Sums over the readable repositories' verdict listings. Disjoint by verdict: scanned (PASS or
 * FAIL), failed, unsupported, not images, waiting for advisories; images without a verdict are not
 * yet judged; stale ones were judged under another policy version than the repository's current.
 */
export async function getCoverage(input: Input<'getCoverage'>, context: ApiCallContext, deps: ReadRouteDeps): Output<'getCoverage'> {
  const [entries, catalogue] = await Promise.all([readableRepositories(context, deps, input.query.prefix), deps.policies.current()]);
  const totals = { repositories: entries.length, images: 0, scanned: 0, failed: 0, unsupported: 0, notImages: 0, waitingForAdvisories: 0, notYetJudged: 0, stale: 0 };
  const listings = await Promise.all(entries.map((entry) => deps.verdictListing.listRepository(keyOf(entry))));
  for (const [index, entry] of entries.entries()) {
    const summaries = listings[index]!;
    const live = Math.max(0, entry.images - entry.deleted);
    const current = catalogue.policyFor(entry.repository).version;
    totals.images += live;
    totals.notYetJudged += Math.max(0, live - summaries.length);
    for (const summary of summaries) {
      if (summary.verdict === 'PASS' || summary.verdict === 'FAIL') totals.scanned++;
      else if (summary.verdict === 'FAILED') totals.failed++;
      else if (summary.verdict === 'UNSUPPORTED') totals.unsupported++;
      else if (summary.verdict === 'NOT_AN_IMAGE') totals.notImages++;
      else totals.waitingForAdvisories++;
      if (summary.policyVersion !== current) totals.stale++;
    }
  }
  return totals;
}

const DAY_MS = 86_400_000;

/** Daily counts of one repository, or summed over every readable one when the query names none. */
export async function getHistory(input: Input<'getHistory'>, context: ApiCallContext, deps: ReadRouteDeps): Output<'getHistory'> {
  const { query } = input;
  const days = query.days ?? deps.options.historyDays ?? 30;
  const fromDate = new Date(context.now.getTime() - (days - 1) * DAY_MS).toISOString().slice(0, 10);
  const repositories = query.repository !== undefined ? [repositoryOf({ ...query, repository: query.repository }, context)] : (await readableRepositories(context, deps, undefined)).map(keyOf);
  const lists = await Promise.all(repositories.map((repository) => deps.history.list(repository, fromDate)));
  const byDate = new Map<string, { date: string; images: number; findings: ReturnType<typeof zeroCounts>; verdicts: Partial<Record<VerdictValue, number>> }>();
  for (const counts of lists.flat() as DailyCounts[]) {
    const day = byDate.get(counts.date) ?? { date: counts.date, images: 0, findings: zeroCounts(), verdicts: {} };
    day.images += counts.images;
    addCounts(day.findings, counts.findings);
    for (const [verdict, count] of Object.entries(counts.verdicts) as [VerdictValue, number][]) day.verdicts[verdict] = (day.verdicts[verdict] ?? 0) + count;
    byDate.set(counts.date, day);
  }
  return { ...(query.repository !== undefined ? { repository: query.repository } : {}), days: [...byDate.values()].sort((a, b) => a.date.localeCompare(b.date)) };
}
