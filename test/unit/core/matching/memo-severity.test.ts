import { describe, expect, it } from 'vitest';
import { rateSeverity } from '../../../../lambdas/core/findings/severity.ts';
import { memoizedRateSeverity } from '../../../../lambdas/core/matching/memo-severity.ts';
import { sharedFixtures } from '../../../support/paths.ts';
import { recordsIn } from './matching-support.ts';

describe('memoizedRateSeverity', () => {
  it('rates as rateSeverity does, once per vulnerability and records', () => {
    const record = recordsIn(sharedFixtures('osv', 'npm')).find((r) => r.id === 'GHSA-29mw-wpgm-hmr9')!;
    const rated = [{ record, affected: record.affected![0] }];
    const rate = memoizedRateSeverity();
    const first = rate('CVE-2020-28500', rated);
    expect(first).toEqual(rateSeverity('CVE-2020-28500', rated));
    expect(rate('CVE-2020-28500', rated)).toBe(first);
    expect(rate('CVE-2020-28500', [{ record: { ...record, modified: '2030-01-01T00:00:00Z' }, affected: record.affected![0] }])).not.toBe(first);
  });
});
