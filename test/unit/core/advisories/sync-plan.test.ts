import { describe, expect, it } from 'vitest';
import type { OsvRecord } from '../../../../lambdas/core/advisories/osv-schema.ts';
import type { EcosystemCursor } from '../../../../lambdas/core/advisories/sync-model.ts';
import { ChangeAccumulator, changedKeys, idsToFetch, laterOf, listingSince, namesEcosystem, newestModified, resumeAt, syncModeOf, vanishedIds } from '../../../../lambdas/core/advisories/sync-plan.ts';

const DAY = 86_400_000;
const at = (iso: string) => new Date(iso);
const record = (id: string, packages: [string, string][], extra: Partial<OsvRecord> = {}): OsvRecord => ({
  id,
  modified: '2024-01-01T00:00:00Z',
  affected: packages.map(([ecosystem, name]) => ({ package: { ecosystem, name } })),
  ...extra,
});

describe('syncModeOf', () => {
  const loaded: EcosystemCursor = { ecosystem: 'npm', modifiedThrough: at('2024-05-01T00:00:00Z'), fullLoadAt: at('2024-05-01T00:00:00Z'), revision: 3 };
  it('loads in full what was never loaded whole, and when a full compare is due', () => {
    expect(syncModeOf(undefined, at('2024-05-02T00:00:00Z'), 7 * DAY)).toBe('full');
    expect(syncModeOf({ ecosystem: 'npm', modifiedThrough: at('2024-05-01T00:00:00Z'), revision: 1 }, at('2024-05-02T00:00:00Z'), 7 * DAY)).toBe('full');
    expect(syncModeOf(loaded, at('2024-05-07T23:59:59Z'), 7 * DAY)).toBe('incremental');
    expect(syncModeOf(loaded, at('2024-05-08T00:00:00Z'), 7 * DAY)).toBe('full');
  });
  it('resumes a cut-short run in its own phase, whatever is due', () => {
    const startedAt = at('2024-05-02T00:00:00Z');
    expect(syncModeOf({ ...loaded, progress: { phase: 'incremental', syncId: 's', since: startedAt, idsDone: 4, startedAt } }, at('2024-06-01T00:00:00Z'), 7 * DAY)).toBe('incremental');
    expect(syncModeOf({ ecosystem: 'npm', revision: 1, progress: { phase: 'full', syncId: 's', entriesDone: 10, startedAt } }, startedAt, 7 * DAY)).toBe('full');
  });
});

describe('the incremental listing', () => {
  const listing = [
    { id: 'NEW-3', modified: at('2024-05-03T00:00:00Z') },
    { id: 'LATE-1', modified: at('2024-04-30T12:00:00Z') },
    { id: 'AT-CURSOR', modified: at('2024-04-29T00:00:00Z') },
    { id: 'NEW-3', modified: at('2024-04-29T06:00:00Z') },
    { id: 'OLD-1', modified: at('2024-04-01T00:00:00Z') },
  ];
  it('starts the overlap before the cursor and fetches what is strictly newer, in listing order, each once', () => {
    const since = listingSince(at('2024-05-01T00:00:00Z'), 2 * DAY);
    expect(since).toEqual(at('2024-04-29T00:00:00Z'));
    expect(idsToFetch(listing, since)).toEqual(['NEW-3', 'LATE-1']);
    expect(idsToFetch(listing, at('2024-03-01T00:00:00Z'))).toEqual(['NEW-3', 'LATE-1', 'AT-CURSOR', 'OLD-1']);
  });
  it('resumes after the IDs already durable, never before the start or past the end', () => {
    expect(resumeAt(5, undefined)).toBe(0);
    expect(resumeAt(5, 3)).toBe(3);
    expect(resumeAt(5, 9)).toBe(5);
    expect(resumeAt(5, -1)).toBe(0);
  });
  it('moves the cursor to the newest listed, never back', () => {
    expect(newestModified(listing)).toEqual(at('2024-05-03T00:00:00Z'));
    expect(newestModified([])).toBeUndefined();
    expect(laterOf(at('2024-06-01T00:00:00Z'), newestModified(listing))).toEqual(at('2024-06-01T00:00:00Z'));
    expect(laterOf(undefined, at('2024-06-01T00:00:00Z'))).toEqual(at('2024-06-01T00:00:00Z'));
  });
});

describe('records and ecosystems', () => {
  it('a record belongs to a bucket folder by the base of any package it names', () => {
    const dsa = record('DSA-1', [['Debian:12', 'glibc']]);
    expect(namesEcosystem(dsa, 'Debian')).toBe(true);
    expect(namesEcosystem(dsa, 'Ubuntu')).toBe(false);
    expect(namesEcosystem({ id: 'X', modified: '2024-01-01T00:00:00Z' }, 'Debian')).toBe(false);
  });
  it('vanished IDs are those stored that no present set names', () => {
    expect(vanishedIds(['C', 'A', 'B', 'D'], new Set(['A']), new Set(['D']))).toEqual(['B', 'C']);
  });
});

describe('changed keys', () => {
  it('names each package at the index granularity (release kept, names normalized), once', () => {
    expect(changedKeys([record('A', [['Ubuntu:22.04:LTS', 'openssl'], ['PyPI', 'Foo_Bar'], ['PyPI', 'foo-bar']]), record('B', [['Ubuntu:22.04:LTS', 'openssl']])])).toEqual([
      { ecosystem: 'PyPI', name: 'foo-bar' },
      { ecosystem: 'Ubuntu:22.04', name: 'openssl' },
    ]);
  });
  it('a new version that drops a package changes that package too; a retraction changes all of its packages', () => {
    const v1 = record('GHSA-1', [['npm', 'lodash'], ['npm', 'lodash.trim']]);
    const v2 = record('GHSA-1', [['npm', 'lodash']], { modified: '2024-02-01T00:00:00Z' });
    const changes = new ChangeAccumulator('sync-1');
    changes.written([v2], changedKeys([v1]));
    changes.retract([record('GHSA-2', [['npm', 'minimist']])]);
    expect(changes.changes()).toEqual({
      syncId: 'sync-1',
      keys: [
        { ecosystem: 'npm', name: 'lodash' },
        { ecosystem: 'npm', name: 'lodash.trim' },
        { ecosystem: 'npm', name: 'minimist' },
      ],
      records: [v2],
      retracted: ['GHSA-2'],
    });
  });
  it('a continuation adds to the changes earlier invocations stored; a record written again is its latest version', () => {
    const v1 = record('GHSA-1', [['npm', 'a']]);
    const earlier = new ChangeAccumulator('s', { syncId: 's', keys: [{ ecosystem: 'npm', name: 'a' }], records: [v1], retracted: ['GHSA-9'] });
    const v2 = { ...record('GHSA-1', [['npm', 'b']]), withdrawn: '2024-03-01T00:00:00Z' };
    earlier.written([v2], changedKeys([v1]));
    expect(earlier.changes()).toEqual({ syncId: 's', keys: [{ ecosystem: 'npm', name: 'a' }, { ecosystem: 'npm', name: 'b' }], records: [v2], retracted: ['GHSA-9'] });
    expect(new ChangeAccumulator('t').empty).toBe(true);
  });
});
