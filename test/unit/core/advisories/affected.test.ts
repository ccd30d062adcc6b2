import { describe, expect, it } from 'vitest';
import { isAffected, rangeSchemesFor } from '../../../../lambdas/core/advisories/affected.ts';
import type { OsvAffected, OsvEvent, OsvRange } from '../../../../lambdas/core/advisories/osv-schema.ts';
import { CustomsError } from '../../../../lambdas/core/errors.ts';
import { sign, type VersionScheme } from '../../../../lambdas/core/versions/version-scheme.ts';

/** Versions are plain decimal numbers (`1`, `2.5`); anything else is unreadable. */
const numeric: VersionScheme = {
  name: 'semver',
  isValid: (version) => /^\d+(\.\d+)?$/.test(version),
  compare(a, b) {
    if (!this.isValid(a) || !this.isValid(b)) throw new CustomsError('malformed', `bad version ${a} or ${b}`);
    return sign(Number(a) - Number(b));
  },
};

const range = (events: OsvEvent[], type: OsvRange['type'] = 'ECOSYSTEM'): OsvRange => ({ type, events });
const check = (affected: OsvAffected, version: string) => isAffected(affected, version, { ecosystem: numeric, semver: numeric }).affected;

describe('isAffected', () => {
  const cases: Array<[string, OsvAffected, Record<string, boolean>]> = [
    ['introduced 0, fixed', { ranges: [range([{ introduced: '0' }, { fixed: '2' }])] }, { '0': true, '1.9': true, '2': false, '3': false }],
    ['introduced, no fix', { ranges: [range([{ introduced: '1' }])] }, { '0.9': false, '1': true, '100': true }],
    ['introduced, fixed', { ranges: [range([{ introduced: '1' }, { fixed: '2' }])] }, { '0.5': false, '1': true, '1.5': true, '2': false }],
    ['last_affected is inclusive', { ranges: [range([{ introduced: '1' }, { last_affected: '2' }])] }, { '1': true, '2': true, '2.1': false }],
    ['limit caps an open range', { ranges: [range([{ introduced: '0' }, { limit: '3' }])] }, { '2.9': true, '3': false, '4': false }],
    ['limit * is no limit', { ranges: [range([{ introduced: '1' }, { limit: '*' }])] }, { '0': false, '9': true }],
    [
      'several introduced/fixed pairs in one range',
      { ranges: [range([{ introduced: '1' }, { fixed: '2' }, { introduced: '3' }, { fixed: '4' }])] },
      { '0': false, '1.5': true, '2.5': false, '3': true, '4': false },
    ],
    [
      'multiple ranges: any one matches',
      { ranges: [range([{ introduced: '1' }, { fixed: '2' }]), range([{ introduced: '5' }, { fixed: '6' }], 'SEMVER')] },
      { '1.5': true, '3': false, '5.5': true, '6': false },
    ],
    [
      'unsorted events are sorted first',
      { ranges: [range([{ fixed: '4' }, { introduced: '3' }, { fixed: '2' }, { introduced: '0' }])] },
      { '1': true, '2': false, '3.5': true, '4': false },
    ],
    ['empty range (introduced = fixed) affects nothing', { ranges: [range([{ fixed: '2' }, { introduced: '2' }])] }, { '1': false, '2': false, '3': false }],
    ['versions list matches exactly', { versions: ['1.5', '7'] }, { '1.5': true, '7': true, '1.50': false, '2': false }],
    ['GIT ranges are ignored', { ranges: [range([{ introduced: '0' }], 'GIT')] }, { '1': false }],
    ['GIT ignored beside a real range', { ranges: [range([{ introduced: '0' }], 'GIT'), range([{ introduced: '0' }, { fixed: '1' }])] }, { '0.5': true, '1': false }],
  ];
  for (const [name, affected, expectations] of cases) {
    it(name, () => {
      for (const [version, expected] of Object.entries(expectations)) expect([version, check(affected, version)]).toEqual([version, expected]);
    });
  }

  it('reports a range the scheme cannot read and does not match it', () => {
    const affected: OsvAffected = { ranges: [range([{ introduced: '0' }, { fixed: 'abc' }]), range([{ introduced: '5' }])] };
    const verdict = isAffected(affected, '1', { ecosystem: numeric });
    expect(verdict.affected).toBe(false);
    expect(verdict.unreadable).toEqual([{ index: 0, reason: expect.stringContaining('abc') }]);
    expect(isAffected(affected, '6', { ecosystem: numeric }).affected).toBe(true);
  });

  it('reports a range whose scheme is missing', () => {
    const verdict = isAffected({ ranges: [range([{ introduced: '0' }], 'SEMVER')] }, '1', { ecosystem: numeric });
    expect(verdict).toEqual({ affected: false, unreadable: [{ index: 0, reason: 'no version scheme for SEMVER range' }] });
  });

  it('picks the Go scheme for SEMVER ranges of Go modules and semver otherwise', () => {
    const asked: string[] = [];
    const schemeFor = (ecosystem: string) => (asked.push(ecosystem), numeric);
    rangeSchemesFor('Go', schemeFor);
    rangeSchemesFor('PyPI', schemeFor);
    expect(asked).toEqual(['Go', 'Go', 'PyPI', 'npm']);
  });
});
