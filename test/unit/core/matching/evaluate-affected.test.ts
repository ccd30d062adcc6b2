import { describe, expect, it } from 'vitest';
import { evaluateAffected } from '../../../../lambdas/core/advisories/affected.ts';
import type { OsvAffected, OsvEvent } from '../../../../lambdas/core/advisories/osv-schema.ts';
import { CustomsError } from '../../../../lambdas/core/errors.ts';
import { semverScheme } from '../../../../lambdas/core/versions/semver.ts';
import { sign, type VersionScheme } from '../../../../lambdas/core/versions/version-scheme.ts';

/** Plain decimal versions; counts comparisons so the cache can be observed. */
function numericScheme(): VersionScheme & { compares: number } {
  return {
    name: 'semver',
    compares: 0,
    isValid: (version) => /^\d+(\.\d+)?$/.test(version),
    compare(a, b) {
      this.compares++;
      if (!this.isValid(a) || !this.isValid(b)) throw new CustomsError('malformed', `bad version ${a} or ${b}`);
      return sign(Number(a) - Number(b));
    },
  };
}

const entry = (...ranges: OsvEvent[][]): OsvAffected => ({ ranges: ranges.map((events) => ({ type: 'ECOSYSTEM' as const, events })) });

describe('evaluateAffected', () => {
  const scheme = numericScheme();
  const schemes = { ecosystem: scheme };
  const fixesAt = (affected: OsvAffected, version: string) => {
    const verdict = evaluateAffected(affected, version, schemes);
    return verdict.affected ? verdict.fixed : 'not affected';
  };

  it('returns the fixed event that ends the range holding the version', () => {
    const twoPairs = entry([{ introduced: '0' }, { fixed: '2' }, { introduced: '5' }, { fixed: '7' }]);
    expect(fixesAt(twoPairs, '1')).toEqual(['2']);
    expect(fixesAt(twoPairs, '6')).toEqual(['7']);
    expect(fixesAt(twoPairs, '3')).toBe('not affected');
    expect(fixesAt(twoPairs, '7')).toBe('not affected');
  });

  it('skips an introduced event between the version and the fix', () => {
    expect(fixesAt(entry([{ introduced: '1' }, { introduced: '3' }, { fixed: '4' }]), '2')).toEqual(['4']);
  });

  it('gives no fix for open ranges and last_affected ranges', () => {
    expect(fixesAt(entry([{ introduced: '1' }]), '9')).toEqual([]);
    expect(fixesAt(entry([{ introduced: '1' }, { last_affected: '3' }, { fixed: '5' }]), '2')).toEqual([]);
  });

  it('collects the fixes of every range holding the version', () => {
    expect(fixesAt(entry([{ introduced: '0' }, { fixed: '3' }], [{ introduced: '1' }, { fixed: '4' }]), '2')).toEqual(['3', '4']);
  });

  it('gives a version matched only by the versions list the next fix of each range', () => {
    const listed: OsvAffected = { ...entry([{ introduced: '5' }, { fixed: '6' }, { introduced: '7' }, { fixed: '8' }]), versions: ['2'] };
    expect(fixesAt(listed, '2')).toEqual(['6']);
  });

  it('reports unreadable ranges and versions instead of throwing', () => {
    const bad = entry([{ introduced: '0' }, { fixed: 'x.y' }], [{ introduced: '1' }, { fixed: '3' }]);
    expect(evaluateAffected(bad, '2', schemes)).toEqual({ affected: true, fixed: ['3'], unreadable: [{ index: 0, reason: expect.stringContaining('x.y') }] });
    expect(evaluateAffected(entry([{ introduced: '1' }, { fixed: '3' }]), 'banana', schemes)).toEqual({
      affected: false,
      fixed: [],
      unreadable: [{ index: 0, reason: expect.stringContaining('banana'), version: 'banana' }],
    });
  });

  it('reads npm versions written without a patch number, as GitHub advisories sometimes do', () => {
    const shortIntroduced = entry([{ introduced: '1.0' }, { fixed: '3.1.1' }]);
    expect(evaluateAffected(shortIntroduced, '3.0.0', { ecosystem: semverScheme })).toEqual({ affected: true, fixed: ['3.1.1'], unreadable: [] });
    expect(evaluateAffected(shortIntroduced, '0.9.0', { ecosystem: semverScheme }).affected).toBe(false);
  });

  it('sorts each entry once, not on every evaluation', () => {
    const counted = numericScheme();
    const counting = { ecosystem: counted };
    const unsorted = entry([{ fixed: '9' }, { introduced: '8' }, { fixed: '6' }, { introduced: '5' }, { fixed: '3' }, { introduced: '1' }]);
    evaluateAffected(unsorted, '2', counting);
    const first = counted.compares;
    counted.compares = 0;
    expect(evaluateAffected(unsorted, '2', counting).fixed).toEqual(['3']);
    // The second evaluation compares the version with events only (two here), no sorting.
    expect(counted.compares).toBeLessThan(first);
    expect(counted.compares).toBeLessThanOrEqual(2);
  });
});
