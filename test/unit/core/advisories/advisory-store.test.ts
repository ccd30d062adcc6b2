import { describe, expect, it } from 'vitest';
import { AdvisoryStore } from '../../../../lambdas/core/advisories/advisory-store.ts';
import type { OsvRecord } from '../../../../lambdas/core/advisories/osv-schema.ts';

const record = (id: string, ecosystem: string, name: string, extra: Partial<OsvRecord> = {}): OsvRecord => ({
  id,
  modified: '2024-01-01T00:00:00Z',
  affected: [{ package: { ecosystem, name }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }] }],
  ...extra,
});
const bytes = (value: unknown) => new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));

describe('AdvisoryStore', () => {
  it('looks records up by ecosystem release and package, with base-only records applying to every release', () => {
    const store = new AdvisoryStore();
    store.add(record('DSA-1', 'Debian:12', 'openssl'));
    store.add(record('DSA-2', 'Debian:11', 'openssl'));
    store.add(record('DEBIAN-3', 'Debian', 'openssl'));
    store.add(record('USN-1', 'Ubuntu:22.04:LTS', 'openssl'));
    expect(store.lookup('Debian:12', 'openssl').map((match) => match.record.id).sort()).toEqual(['DEBIAN-3', 'DSA-1']);
    expect(store.lookup('Ubuntu:22.04:LTS', 'openssl').map((match) => match.record.id)).toEqual(['USN-1']);
    expect(store.lookup('Debian:12', 'curl')).toEqual([]);
  });

  it('returns only the affected entries naming the package', () => {
    const store = new AdvisoryStore();
    const both = record('GHSA-1', 'PyPI', 'Django');
    store.add({ ...both, affected: [...(both.affected ?? []), { package: { ecosystem: 'PyPI', name: 'other' } }] });
    const [match] = store.lookup('PyPI', 'django');
    expect(match?.affected.map((entry) => entry.package?.name)).toEqual(['Django']);
  });

  it('keeps withdrawn records marked and out of lookups unless asked', () => {
    const store = new AdvisoryStore();
    store.add(record('GO-1', 'Go', 'example.com/m', { withdrawn: '2024-02-01T00:00:00Z' }));
    expect(store.lookup('Go', 'example.com/m')).toEqual([]);
    expect(store.lookup('Go', 'example.com/m', { includeWithdrawn: true })[0]?.withdrawn).toBe(true);
    expect(store.counts).toEqual({ loaded: 0, withdrawn: 1, malformed: 0, otherEcosystems: 0 });
  });

  it('reports malformed input with its source and reason instead of throwing', () => {
    const store = new AdvisoryStore({ maxRecordBytes: 1024 });
    store.addBytes('a.json', bytes('{"id": '));
    store.addBytes('b.json', bytes({ id: 'X', modified: '2024', affected: [{ ranges: [{ type: 'NOPE', events: [] }] }] }));
    store.addBytes('c.json', bytes({ id: 'Y', modified: '2024', details: 'x'.repeat(2000) }));
    store.addBytes('d.json', new Uint8Array([0xff, 0xfe]));
    store.addBytes('e.json', bytes(record('OK-1', 'npm', 'left-pad')));
    expect(store.counts).toEqual({ loaded: 1, withdrawn: 0, malformed: 4, otherEcosystems: 0 });
    expect(store.malformed.map((problem) => problem.source)).toEqual(['a.json', 'b.json', 'c.json', 'd.json']);
    expect(store.malformed[0]?.reason).toMatch(/^not JSON/);
    expect(store.malformed[1]?.reason).toMatch(/affected\.0\.ranges\.0\.type/);
    expect(store.malformed[2]?.reason).toMatch(/over the 1024-byte cap/);
  });

  it('replaces a record added again under the same id, as an incremental sync does', () => {
    const store = new AdvisoryStore();
    store.add(record('GHSA-1', 'npm', 'old-name'));
    store.add(record('GHSA-1', 'npm', 'new-name'));
    expect(store.lookup('npm', 'old-name')).toEqual([]);
    expect(store.lookup('npm', 'new-name')).toHaveLength(1);
    expect(store.size).toBe(1);
  });

  it('lets unknown fields through', () => {
    const store = new AdvisoryStore();
    store.addBytes('f.json', bytes({ ...record('Z-1', 'npm', 'x'), schema_version: '1.7.0', future_field: { a: 1 } }));
    expect(store.get('Z-1')).toMatchObject({ future_field: { a: 1 } });
  });
});
