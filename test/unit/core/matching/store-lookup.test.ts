import { describe, expect, it } from 'vitest';
import type { OsvRecord } from '../../../../lambdas/core/advisories/osv-schema.ts';
import { StoreLookup } from '../../../../lambdas/core/advisories/store-lookup.ts';
import { storeOf } from './matching-support.ts';

const record = (id: string, ecosystem: string, name: string, extra: Partial<OsvRecord> = {}): OsvRecord => ({
  id,
  modified: '2024-01-01T00:00:00Z',
  affected: [{ package: { ecosystem, name }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }] }],
  ...extra,
});

describe('StoreLookup', () => {
  it('answers each query in order from the store, leaving withdrawn records out', async () => {
    const lookup = new StoreLookup(
      storeOf([record('GHSA-1', 'npm', 'lodash'), record('DSA-1', 'Debian:12', 'glibc'), record('GHSA-2', 'npm', 'lodash', { withdrawn: '2024-02-01T00:00:00Z' })]),
    );
    const answers = await lookup.lookup([
      { ecosystem: 'Debian:12', name: 'glibc' },
      { ecosystem: 'npm', name: 'left-pad' },
      { ecosystem: 'npm', name: 'lodash' },
    ]);
    expect(answers.map((matches) => matches.map((match) => match.record.id))).toEqual([['DSA-1'], [], ['GHSA-1']]);
  });
});
