import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CustomsError } from '../../../../../lambdas/core/errors.ts';
import { readBerkeleyDbValues } from '../../../../../lambdas/core/catalog/rpm/berkeley-db.ts';
import { sharedFixtures } from '../../../../support/paths.ts';
import { seededRandom } from '../../../../support/seeded-random.ts';

const FIXTURES = { 'db/bdb/Packages': 5, 'real/libuuid-bdb/Packages': 1, 'real/syft-redhat-bdb/Packages': 1 } as const;
/** Compares blobs by digest: deep equality of megabytes of typed arrays is slow in expect. */
const digests = (blobs: readonly Uint8Array[]) => blobs.map((blob) => createHash('sha256').update(blob).digest('hex'));
const fixture = (path: string) => Uint8Array.from(readFileSync(sharedFixtures('os', 'rpm', path)));

/** Reads until the end or the first error, keeping what came before it (as the cataloger will). */
function readAll(bytes: Uint8Array): { values: Uint8Array[]; error?: unknown } {
  const values: Uint8Array[] = [];
  try {
    for (const value of readBerkeleyDbValues(bytes)) {
      values.push(value);
      if (values.length > 100_000) throw new Error('unbounded iteration');
    }
  } catch (error) {
    return { values, error };
  }
  return { values };
}

function expectCustomsError(error: unknown, code: CustomsError['code'], message?: RegExp): void {
  expect(error).toBeInstanceOf(CustomsError);
  expect((error as CustomsError).code).toBe(code);
  if (message) expect((error as CustomsError).message).toMatch(message);
}

function setU32(bytes: Uint8Array, offset: number, value: number): void {
  new DataView(bytes.buffer, bytes.byteOffset).setUint32(offset, value, true);
}

describe('readBerkeleyDbValues on real rpm Packages files', () => {
  it.each(Object.entries(FIXTURES))('%s holds %i header(s), key 0 skipped', (path, count) => {
    const { values, error } = readAll(fixture(path));
    expect(error).toBeUndefined();
    expect(values).toHaveLength(count);
    for (const value of values) {
      const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
      // Exactly one rpm header preamble's worth: 8 + il * 16 + dl bytes.
      expect(value.length).toBe(8 + view.getUint32(0) * 16 + view.getUint32(4));
    }
  });

  it.each(Object.keys(FIXTURES))('a truncated %s yields the values before the damage, then throws malformed', (path) => {
    const full = readAll(fixture(path)).values;
    const bytes = fixture(path);
    for (const cut of [0.35, 0.6, 0.85].map((share) => Math.floor(bytes.length * share))) {
      const { values, error } = readAll(bytes.subarray(0, cut));
      expectCustomsError(error, 'malformed', /past the end|truncated/);
      expect(values.length).toBeLessThan(full.length);
      expect(digests(values)).toEqual(digests(full.slice(0, values.length)));
    }
    if (path === 'db/bdb/Packages') expect(readAll(bytes.subarray(0, 6 * 4096)).values.length).toBeGreaterThan(0);
  });

  it('throws instead of looping on an overflow chain that points back into itself', () => {
    // libuuid's header spans overflow pages 3..22; send page 5 back to page 4.
    const bytes = fixture('real/libuuid-bdb/Packages');
    setU32(bytes, 5 * 4096 + 16, 4);
    expectCustomsError(readAll(bytes).error, 'malformed', /overflow page 4 is reached twice/);

    const selfLoop = fixture('real/libuuid-bdb/Packages');
    setU32(selfLoop, 3 * 4096 + 16, 3);
    expectCustomsError(readAll(selfLoop).error, 'malformed', /overflow page 3 is reached twice/);
  });

  it('rejects overflow chains that end early, run long or leave the file', () => {
    const early = fixture('real/libuuid-bdb/Packages');
    setU32(early, 10 * 4096 + 16, 0);
    expectCustomsError(readAll(early).error, 'malformed', /ends after 32560 of 80880 bytes/);

    const past = fixture('real/libuuid-bdb/Packages');
    setU32(past, 10 * 4096 + 16, 999);
    expectCustomsError(readAll(past).error, 'malformed', /overflow page 999 .* past the last page/);

    const wrongType = fixture('real/libuuid-bdb/Packages');
    setU32(wrongType, 10 * 4096 + 16, 1);
    expectCustomsError(readAll(wrongType).error, 'malformed', /page 1 in its overflow chain has type 13/);
  });

  it('tells other BerkeleyDB kinds and non-BerkeleyDB files apart', () => {
    const btree = fixture('db/bdb/Packages');
    setU32(btree, 12, 0x053162);
    expectCustomsError(readAll(btree).error, 'unsupported', /btree/);

    const oldHash = fixture('db/bdb/Packages');
    setU32(oldHash, 16, 7);
    expectCustomsError(readAll(oldHash).error, 'unsupported', /version 7/);

    expectCustomsError(readAll(new TextEncoder().encode('SQLite format 3\0'.repeat(64))).error, 'malformed', /not a BerkeleyDB file/);
    expectCustomsError(readAll(new Uint8Array(100)).error, 'malformed', /too short/);
  });

  it('never hangs and only throws CustomsError on random garbage and damaged copies', () => {
    const random = seededRandom(42);
    const originals = Object.keys(FIXTURES).map(fixture);
    for (let round = 0; round < 600; round++) {
      let bytes: Uint8Array;
      if (round % 3 === 0) {
        // Garbage behind a valid-looking hash metadata page, so the reader gets past the magic.
        const pageSize = 512 << Math.floor(random() * 4);
        bytes = Uint8Array.from({ length: pageSize * (1 + Math.floor(random() * 8)) }, () => Math.floor(random() * 256));
        setU32(bytes, 12, 0x061561);
        setU32(bytes, 16, 9);
        setU32(bytes, 20, pageSize);
        bytes[24] = 0;
        bytes[25] = 8;
        for (let page = 1; page * pageSize < bytes.length; page++) {
          setU32(bytes, page * pageSize + 8, page);
          bytes[page * pageSize + 25] = [2, 7, 13][Math.floor(random() * 3)]!;
        }
      } else {
        bytes = Uint8Array.from(originals[round % originals.length]!);
        for (let flips = 0; flips < 1 + Math.floor(random() * 8); flips++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      }
      const { error } = readAll(bytes);
      if (error !== undefined) expect(error).toBeInstanceOf(CustomsError);
    }
  });
});

describe('readBerkeleyDbValues on built databases', () => {
  const inline = Uint8Array.from({ length: 40 }, (_, i) => i + 1);
  const big = Uint8Array.from({ length: 3000 }, (_, i) => (i * 7) % 251);

  it.each([
    { pageSize: 512, littleEndian: false, checksums: false },
    { pageSize: 4096, littleEndian: true, checksums: true },
    { pageSize: 65536, littleEndian: true, checksums: false },
  ])('reads inline and overflow values ($pageSize-byte pages, little-endian $littleEndian, checksums $checksums)', (layout) => {
    const bytes = hashDatabase(layout, [
      { key: new Uint8Array(4), value: Uint8Array.of(9, 0, 0, 0) },
      { key: Uint8Array.of(1, 0, 0, 0), value: inline },
      { key: Uint8Array.of(2, 0, 0, 0), value: big, overflow: true },
    ]);
    const { values, error } = readAll(bytes);
    expect(error).toBeUndefined();
    expect(values).toEqual([inline, big]);
  });

  it('refuses duplicate values and encrypted databases as unsupported', () => {
    const layout = { pageSize: 512, littleEndian: true, checksums: false };
    const duplicates = hashDatabase(layout, [{ key: Uint8Array.of(1, 0, 0, 0), value: inline }]);
    // The value item sits below the 5-byte key item at the page end; its first byte becomes H_DUPLICATE.
    duplicates[512 + 512 - 5 - (1 + inline.length)] = 2;
    expectCustomsError(readAll(duplicates).error, 'unsupported', /duplicate/);

    const encrypted = hashDatabase(layout, [{ key: Uint8Array.of(1, 0, 0, 0), value: inline }]);
    encrypted[24] = 1;
    expectCustomsError(readAll(encrypted).error, 'unsupported', /encrypted/);
  });
});

interface Layout {
  readonly pageSize: number;
  readonly littleEndian: boolean;
  readonly checksums: boolean;
}

interface Pair {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
  readonly overflow?: boolean;
}

/** A minimal BerkeleyDB hash file: metadata page, one hash page holding the pairs, then overflow pages. */
function hashDatabase(layout: Layout, pairs: readonly Pair[]): Uint8Array {
  const { pageSize, littleEndian } = layout;
  const overhead = layout.checksums ? 32 : 26;
  const room = pageSize - overhead;
  const overflowPages = pairs.map((pair) => (pair.overflow ? Math.ceil(pair.value.length / room) : 0));
  const lastPage = 1 + overflowPages.reduce((sum, count) => sum + count, 0);
  const bytes = new Uint8Array((lastPage + 1) * pageSize);
  const view = new DataView(bytes.buffer);
  view.setUint32(12, 0x061561, littleEndian);
  view.setUint32(16, 9, littleEndian);
  view.setUint32(20, pageSize, littleEndian);
  bytes[25] = 8;
  bytes[26] = layout.checksums ? 1 : 0;
  view.setUint32(32, lastPage, littleEndian);

  const hashPage = pageSize;
  view.setUint32(hashPage + 8, 1, littleEndian);
  view.setUint16(hashPage + 20, pairs.length * 2, littleEndian);
  bytes[hashPage + 25] = 13;
  let itemEnd = pageSize;
  let nextOverflow = 2;
  const putItem = (index: number, item: Uint8Array) => {
    itemEnd -= item.length;
    bytes.set(item, hashPage + itemEnd);
    view.setUint16(hashPage + overhead + index * 2, itemEnd, littleEndian);
  };
  pairs.forEach((pair, i) => {
    putItem(i * 2, Uint8Array.of(1, ...pair.key));
    if (!pair.overflow) return putItem(i * 2 + 1, Uint8Array.of(1, ...pair.value));
    const reference = new Uint8Array(12);
    reference[0] = 3;
    new DataView(reference.buffer).setUint32(4, nextOverflow, littleEndian);
    new DataView(reference.buffer).setUint32(8, pair.value.length, littleEndian);
    putItem(i * 2 + 1, reference);
    for (let at = 0; at < pair.value.length; at += room, nextOverflow++) {
      const page = nextOverflow * pageSize;
      const chunk = pair.value.subarray(at, at + room);
      view.setUint32(page + 8, nextOverflow, littleEndian);
      view.setUint32(page + 16, at + room < pair.value.length ? nextOverflow + 1 : 0, littleEndian);
      view.setUint16(page + 22, chunk.length, littleEndian);
      bytes[page + 25] = 7;
      bytes.set(chunk, page + overhead);
    }
  });
  view.setUint16(hashPage + 22, itemEnd, littleEndian);
  return bytes;
}

