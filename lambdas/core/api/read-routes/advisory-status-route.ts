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
  const cursors = [...(await deps.cursors.list())].sort((a, b) => a.ecosystem.localeCompare(b.ecosystem));
  const ecosystems = await Promise.all(
    cursors.map(async (cursor) => {
      const ageHours = cursor.syncedAt ? (context.now.getTime() - cursor.syncedAt.getTime()) / HOUR_MS : undefined;
      const waiting = await deps.results.digestsWaitingFor(cursor.ecosystem);
      return {
        ecosystem: cursor.ecosystem,
        ...(cursor.modifiedThrough ? { modifiedThrough: iso(cursor.modifiedThrough) } : {}),
        ...(cursor.syncedAt ? { syncedAt: iso(cursor.syncedAt) } : {}),
        ...(cursor.fullLoadAt ? { fullLoadAt: iso(cursor.fullLoadAt) } : {}),
        stale: ageHours === undefined || ageHours > staleAfterHours,
        ...(ageHours !== undefined ? { ageHours: Math.round(ageHours * 100) / 100 } : {}),
        waitingImages: waiting.length,
      };
    }),
  );
  return { ecosystems, staleAfterHours };
}
