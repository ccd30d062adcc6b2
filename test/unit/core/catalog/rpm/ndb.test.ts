import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CustomsError } from '../../../../../lambdas/core/errors.ts';
import { readNdbBlobs } from '../../../../../lambdas/core/catalog/rpm/ndb.ts';
import { sharedFixtures } from '../../../../support/paths.ts';
import { seededRandom } from '../../../../support/seeded-random.ts';

const FIXTURES = { 'real/sle15-bci-ndb/Packages.db': 35, 'real/sle15-bci-ndb-cee58d9/Packages.db': 36 } as const;
const SLE = 'real/sle15-bci-ndb/Packages.db';
/** Compares blobs by digest: deep equality of megabytes of typed arrays is slow in expect. */
const digests = (blobs: readonly Uint8Array[]) => blobs.map((blob) => createHash('sha256').update(blob).digest('hex'));
const fixture = (path: string) => Uint8Array.from(readFileSync(sharedFixtures('os', 'rpm', path)));

/** Reads until the end or the first error, keeping what came before it (as the cataloger will). */
function readAll(bytes: Uint8Array): { blobs: Uint8Array[]; error?: unknown } {
  const blobs: Uint8Array[] = [];
  try {
    for (const blob of readNdbBlobs(bytes)) {
      blobs.push(blob);
      if (blobs.length > 100_000) throw new Error('unbounded iteration');
    }
  } catch (error) {
    return { blobs, error };
  }
  return { blobs };
}

function expectCustomsError(error: unknown, code: CustomsError['code'], message?: RegExp): void {
  expect(error).toBeInstanceOf(CustomsError);
  expect((error as CustomsError).code).toBe(code);
  if (message) expect((error as CustomsError).message).toMatch(message);
}

const u32 = (bytes: Uint8Array, offset: number) => new DataView(bytes.buffer, bytes.byteOffset).getUint32(offset, true);
const setU32 = (bytes: Uint8Array, offset: number, value: number) => new DataView(bytes.buffer, bytes.byteOffset).setUint32(offset, value, true);

/** Byte offset of the n-th used slot (0-based) of an NDB file. */
function usedSlotOffset(bytes: Uint8Array, n: number): number {
  let seen = 0;
  for (let at = 32; at < u32(bytes, 12) * 4096; at += 16) {
    if (u32(bytes, at + 8) !== 0 && seen++ === n) return at;
  }
  throw new Error(`no used slot ${n}`);
}

describe('readNdbBlobs', () => {
  it.each(Object.entries(FIXTURES))('%s holds %i headers, in slot order', (path, count) => {
    const bytes = fixture(path);
    const { blobs, error } = readAll(bytes);
    expect(error).toBeUndefined();
    expect(blobs).toHaveLength(count);
    blobs.forEach((blob, i) => {
      const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
      expect(blob.length).toBe(8 + view.getUint32(0) * 16 + view.getUint32(4));
      // Slot order: the blob sits where the i-th used slot points.
      expect(blob.byteOffset - bytes.byteOffset).toBe(u32(bytes, usedSlotOffset(bytes, i) + 8) * 16 + 16);
    });
  });

  it.each(Object.keys(FIXTURES))('a truncated %s yields the blobs before the damage, then throws malformed', (path) => {
    const full = readAll(fixture(path)).blobs;
    const bytes = fixture(path);
    for (const share of [0.3, 0.6, 0.9]) {
      const { blobs, error } = readAll(bytes.subarray(0, Math.floor(bytes.length * share)));
      expectCustomsError(error, 'malformed', /past the end .* \(truncated\)/);
      expect(blobs.length).toBeGreaterThan(0);
      expect(blobs.length).toBeLessThan(full.length);
      expect(digests(blobs)).toEqual(digests(full.slice(0, blobs.length)));
    }
  });

  it("throws when a slot's package index does not match its blob, keeping the blobs before it", () => {
    const bytes = fixture(SLE);
    const full = readAll(fixture(SLE)).blobs;
    const slot = usedSlotOffset(bytes, 4);
    setU32(bytes, slot + 4, u32(bytes, slot + 4) + 1000);
    const { blobs, error } = readAll(bytes);
    expectCustomsError(error, 'malformed', new RegExp(`slot ${slot / 16} .* belongs to package index ${u32(bytes, slot + 4) - 1000}, but the slot says`));
    expect(digests(blobs)).toEqual(digests(full.slice(0, 4)));
  });

  it('rejects damaged slots, blob heads and blob tails', () => {
    const badMagic = fixture(SLE);
    setU32(badMagic, usedSlotOffset(badMagic, 2), 0);
    expectCustomsError(readAll(badMagic).error, 'malformed', /no 'Slot' magic/);

    const intoSlots = fixture(SLE);
    setU32(intoSlots, usedSlotOffset(intoSlots, 2) + 8, 3);
    expectCustomsError(readAll(intoSlots).error, 'malformed', /slot \d+ .* is invalid/);

    const duplicate = fixture(SLE);
    setU32(duplicate, usedSlotOffset(duplicate, 2) + 4, u32(duplicate, usedSlotOffset(duplicate, 1) + 4));
    expectCustomsError(readAll(duplicate).error, 'malformed', /repeats package index/);

    const length = fixture(SLE);
    const lengthBlob = u32(length, usedSlotOffset(length, 2) + 8) * 16;
    setU32(length, lengthBlob + 12, u32(length, lengthBlob + 12) + 64);
    expectCustomsError(readAll(length).error, 'malformed', /does not fill the slot's/);

    const tail = fixture(SLE);
    const tailSlot = usedSlotOffset(tail, 2);
    setU32(tail, (u32(tail, tailSlot + 8) + u32(tail, tailSlot + 12)) * 16 - 4, 0);
    expectCustomsError(readAll(tail).error, 'malformed', /tail at offset \d+ that does not match/);
  });

  it('tells NDB files apart from other files and versions', () => {
    expectCustomsError(readAll(new Uint8Array(8)).error, 'malformed', /shorter than its 32-byte header/);
    expectCustomsError(readAll(fixture('real/libuuid-bdb/Packages')).error, 'malformed', /'RpmP'/);
    const version = fixture(SLE);
    setU32(version, 4, 1);
    expectCustomsError(readAll(version).error, 'unsupported', /version 1/);
    const pages = fixture(SLE);
    setU32(pages, 12, 0xffffffff);
    expectCustomsError(readAll(pages).error, 'malformed', /slot pages/);
  });

  it('never hangs and only throws CustomsError on random garbage and damaged copies', () => {
    const random = seededRandom(11);
    const original = fixture(SLE);
    for (let round = 0; round < 400; round++) {
      let bytes: Uint8Array;
      if (round % 2 === 0) {
        bytes = Uint8Array.from({ length: 4096 * (1 + Math.floor(random() * 4)) }, () => Math.floor(random() * 256));
        setU32(bytes, 0, u32(original, 0));
        setU32(bytes, 4, 0);
        setU32(bytes, 12, 1);
      } else {
        bytes = Uint8Array.from(original);
        // Damage the slot page most of the time: that is where the offsets come from.
        for (let flips = 0; flips < 1 + Math.floor(random() * 6); flips++) {
          const range = random() < 0.7 ? 4096 : bytes.length;
          bytes[Math.floor(random() * range)] = Math.floor(random() * 256);
        }
      }
      const { error } = readAll(bytes);
      if (error !== undefined) expect(error).toBeInstanceOf(CustomsError);
    }
  });
});

