import { describe, expect, it } from 'vitest';
import { checkAdvisories, unavailableReason } from '../../../../lambdas/core/pipeline/advisory-gate.ts';

const now = new Date('2026-12-01T12:00:00Z');
const hours = (n: number) => new Date(now.getTime() - n * 3_600_000);
const store = (loaded: Record<string, Date>) => ({ freshness: async (ecosystems: readonly string[]) => ecosystems.map((ecosystem) => ({ ecosystem, ...(loaded[ecosystem] ? { loadedAt: loaded[ecosystem] } : {}) })) });

/** Never fail open: a needed ecosystem missing or stale makes the scan ADVISORIES_UNAVAILABLE. */
describe('checkAdvisories', () => {
  it('passes fresh ecosystems and reports each one’s freshness', async () => {
    expect(await checkAdvisories(['Debian', 'npm'], store({ Debian: hours(1), npm: hours(2) }), now, 48 * 3_600_000)).toEqual({
      freshness: [
        { ecosystem: 'Debian', loadedAt: hours(1) },
        { ecosystem: 'npm', loadedAt: hours(2) },
      ],
      unavailable: [],
    });
  });

  it('names ecosystems never loaded and those older than the maximum age', async () => {
    const gate = await checkAdvisories(['Debian', 'npm', 'PyPI'], store({ Debian: hours(49), npm: hours(47) }), now, 48 * 3_600_000);
    expect(gate.unavailable).toEqual(['Debian', 'PyPI']);
    expect(unavailableReason(gate.unavailable, gate.freshness)).toBe(
      'advisories unavailable for Debian (last loaded 2026-11-29T11:00:00.000Z), PyPI (never loaded): the image is not judged clean until they are loaded',
    );
  });

  it('treats an ecosystem the store left out of its answer as never loaded', async () => {
    const gate = await checkAdvisories(['npm'], { freshness: async () => [] }, now, 1);
    expect(gate).toEqual({ freshness: [{ ecosystem: 'npm' }], unavailable: ['npm'] });
  });

  it('asks nothing for an image with no packages to match', async () => {
    const gate = await checkAdvisories([], { freshness: async () => { throw new Error('not asked'); } }, now, 1);
    expect(gate).toEqual({ freshness: [], unavailable: [] });
  });
});
