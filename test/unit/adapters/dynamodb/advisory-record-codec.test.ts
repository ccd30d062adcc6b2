import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeRecord, encodeRecord } from '../../../../lambdas/adapters/dynamodb/advisory-record-codec.ts';
import { refusalOf } from '../../../../lambdas/adapters/dynamodb/advisory-refusal.ts';
import type { OsvRecord } from '../../../../lambdas/core/advisories/osv-schema.ts';

const record: OsvRecord = { id: 'GHSA-aaaa-bbbb-cccc', modified: '2024-01-01T00:00:00Z', details: 'x'.repeat(10_000), affected: [{ package: { ecosystem: 'npm', name: 'left-pad' } }] };
const MiB = 1024 * 1024;

describe('advisory record codec', () => {
  it('round-trips a record through gzip, much smaller than its JSON', () => {
    const encoded = encodeRecord(record, 'npm/x.json');
    expect(encoded.chunks).toHaveLength(1);
    expect(encoded.chunks[0]!.byteLength).toBeLessThan(encoded.jsonBytes / 10);
    expect(decodeRecord(encoded.chunks, 4 * MiB, 'here')).toEqual(record);
  });

  it('hashes content and source, so only a real change is rewritten', () => {
    expect(encodeRecord(record, 'a').hash).toBe(encodeRecord({ ...record }, 'a').hash);
    expect(encodeRecord(record, 'a').hash).not.toBe(encodeRecord(record, 'b').hash);
    expect(encodeRecord(record, 'a').hash).not.toBe(encodeRecord({ ...record, modified: '2024-01-02T00:00:00Z' }, 'a').hash);
  });

  it('chunks what does not fit one item', () => {
    const big = { ...record, details: randomBytes(300_000).toString('base64') };
    const encoded = encodeRecord(big, 's', 100_000);
    expect(encoded.chunks.length).toBeGreaterThan(2);
    expect(encoded.chunks.every((chunk) => chunk.byteLength <= 100_000)).toBe(true);
    expect(decodeRecord(encoded.chunks, 4 * MiB, 'here')).toEqual(big);
  });

  it('refuses what does not inflate, inflates too far, or is not OSV', () => {
    expect(() => decodeRecord([new Uint8Array([1, 2, 3])], MiB, 'PKG#npm#x REC#y#000')).toThrow(/PKG#npm#x REC#y#000 is not a readable record/);
    expect(() => decodeRecord([gzipSync('a'.repeat(2 * MiB))], MiB, 'w')).toThrow(/not a readable record/);
    expect(() => decodeRecord([gzipSync('{"id": 1}')], MiB, 'w')).toThrow(/not an OSV record: id/);
  });

  it('refuses records that break the table: long keys, fan-out, too many chunks', () => {
    expect(refusalOf(record, encodeRecord(record, 's'))).toEqual({ ok: true, partitions: ['PKG#npm#left-pad'], aliases: [] });
    const aliased = { ...record, aliases: ['CVE-2024-0001'] };
    expect(refusalOf(aliased, encodeRecord(aliased, 's'))).toMatchObject({ ok: true, aliases: ['CVE-2024-0001'] });
    // A withdrawn record is findable by nothing: no package partitions, no aliases.
    const withdrawn = { ...aliased, withdrawn: '2024-02-01T00:00:00Z' };
    expect(refusalOf(withdrawn, encodeRecord(withdrawn, 's'))).toEqual({ ok: true, partitions: [], aliases: [] });
    const manyAliases = { ...record, aliases: Array.from({ length: 1001 }, (_, i) => `CVE-2024-${10_000 + i}`) };
    expect(refusalOf(manyAliases, encodeRecord(manyAliases, 's'))).toMatchObject({ ok: false, reason: expect.stringMatching(/1001 aliases, over the 1000-alias cap/) });
    const longId = { ...record, id: 'x'.repeat(1100) };
    expect(refusalOf(longId, encodeRecord(longId, 's'))).toMatchObject({ ok: false, reason: expect.stringMatching(/id of 1100 bytes/) });
    const fanOut = { ...record, affected: Array.from({ length: 2001 }, (_, i) => ({ package: { ecosystem: 'npm', name: `p${i}` } })) };
    expect(refusalOf(fanOut, encodeRecord(fanOut, 's'))).toMatchObject({ ok: false, reason: expect.stringMatching(/2001 packages/) });
    const huge = { ...record, details: randomBytes(3_000_000).toString('base64') };
    expect(refusalOf(huge, encodeRecord(huge, 's', 200_000))).toMatchObject({ ok: false, reason: expect.stringMatching(/chunks compressed, over the 11-chunk cap/) });
  });
});
