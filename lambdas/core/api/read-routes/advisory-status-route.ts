import type { ApiCallContext } from '../api-context.ts';
import type { ReadRouteDeps } from './read-routes.ts';
import { iso, type Input, type Output } from './read-helpers.ts';

const HOUR_MS = 3_600_000;

/**
 * Per ecosystem the sync keeps a cursor for: where it got to, when it last finished, and whether
 * that is longer ago than `staleAfterHours` (or never); how many images wait for its advisories.
 */
export async function getAdvisoryStatus(_input: Input<'getAdvisoryStatus'>, context: ApiCallContext, deps: ReadRouteDeps): Output<'getAdvisoryStatus'> {
  const { staleAfterHours } = deps.options;
  const [cursors, requests] = await Promise.all([deps.cursors.list(), deps.loadRequests.list()]);
  const requested = new Map(requests.map((request) => [request.ecosystem, request]));
  // An ecosystem scans asked for and the sync never synced is listed too: stale, with when it was first asked for.
  const known = new Set(cursors.map(({ ecosystem }) => ecosystem));
  const entries: { ecosystem: string; cursor?: (typeof cursors)[number] }[] = [
    ...cursors.map((cursor) => ({ ecosystem: cursor.ecosystem, cursor })),
    ...requests.filter(({ ecosystem }) => !known.has(ecosystem)).map(({ ecosystem }) => ({ ecosystem })),
  ].sort((a, b) => a.ecosystem.localeCompare(b.ecosystem));
  const ecosystems = await Promise.all(
    entries.map(async ({ ecosystem, cursor }) => {
      const request = requested.get(ecosystem);
      if (!cursor) {
        const waiting = await deps.results.digestsWaitingFor(ecosystem);
        return { ecosystem, stale: true, ...(request ? { requestedAt: iso(request.firstRequestedAt) } : {}), waitingImages: waiting.length };
      }
      const ageHours = cursor.syncedAt ? (context.now.getTime() - cursor.syncedAt.getTime()) / HOUR_MS : undefined;
      const waiting = await deps.results.digestsWaitingFor(cursor.ecosystem);
      return {
        ecosystem: cursor.ecosystem,
        ...(cursor.modifiedThrough ? { modifiedThrough: iso(cursor.modifiedThrough) } : {}),
        ...(cursor.syncedAt ? { syncedAt: iso(cursor.syncedAt) } : {}),
        ...(cursor.fullLoadAt ? { fullLoadAt: iso(cursor.fullLoadAt) } : {}),
        stale: ageHours === undefined || ageHours > staleAfterHours,
        ...(ageHours !== undefined ? { ageHours: Math.round(ageHours * 100) / 100 } : {}),
        ...(request ? { requestedAt: iso(request.firstRequestedAt) } : {}),
        waitingImages: waiting.length,
      };
    }),
  );
  return { ecosystems, staleAfterHours };
}
