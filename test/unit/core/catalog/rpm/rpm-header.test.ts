import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CustomsError } from '../../../../../lambdas/core/errors.ts';
import { filePaths } from '../../../../../lambdas/core/catalog/file-list.ts';
import { readBerkeleyDbValues } from '../../../../../lambdas/core/catalog/rpm/berkeley-db.ts';
import { readNdbBlobs } from '../../../../../lambdas/core/catalog/rpm/ndb.ts';
import { parseRpmHeader } from '../../../../../lambdas/core/catalog/rpm/rpm-header.ts';
import type { RpmHeaderInfo } from '../../../../../lambdas/core/catalog/rpm/rpm-types.ts';
import { sharedFixtures } from '../../../../support/paths.ts';
import { seededRandom } from '../../../../support/seeded-random.ts';

const rpmFixture = (...parts: string[]) => sharedFixtures('os', 'rpm', ...parts);

/** The real databases and the list rpm itself (oracle) or upstream (expected) gives for each. */
const DATABASES = [
  { db: 'db/bdb/Packages', list: 'db/bdb/oracle.tsv', read: readBerkeleyDbValues },
  { db: 'real/libuuid-bdb/Packages', list: 'real/libuuid-bdb/oracle.tsv', read: readBerkeleyDbValues },
  { db: 'real/syft-redhat-bdb/Packages', list: 'real/syft-redhat-bdb/oracle.tsv', read: readBerkeleyDbValues },
  { db: 'real/sle15-bci-ndb/Packages.db', list: 'real/sle15-bci-ndb/expected.tsv', read: readNdbBlobs },
  { db: 'real/sle15-bci-ndb-cee58d9/Packages.db', list: 'real/sle15-bci-ndb-cee58d9/expected.tsv', read: readNdbBlobs },
] as const;

function headersOf(db: string, read: (bytes: Uint8Array) => Generator<Uint8Array>): RpmHeaderInfo[] {
  return [...read(readFileSync(rpmFixture(db)))].filter((blob) => blob.length >= 8).map((blob) => parseRpmHeader(blob));
}

function row(header: RpmHeaderInfo): string {
  const { name, epoch, version, release, arch, sourceRpm } = header;
  return [name, epoch ?? '(none)', version, release, arch ?? '(none)', sourceRpm ?? '(none)'].join('\t');
}

function listRows(list: string): string[] {
  return readFileSync(rpmFixture(list), 'utf8')
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .sort();
}

function ownedPaths(headers: readonly RpmHeaderInfo[], name: string): string[] {
  const header = headers.find((candidate) => candidate.name === name);
  return header?.files ? [...filePaths(header.files)] : [];
}

describe('parseRpmHeader on real databases', () => {
  it.each(DATABASES)('$db lists exactly the packages of $list', ({ db, list, read }) => {
    expect(headersOf(db, read).map(row).sort()).toEqual(listRows(list));
  });

  it('reads file lists relative to the root', () => {
    const osfix = headersOf('db/bdb/Packages', readBerkeleyDbValues);
    expect(ownedPaths(osfix, 'osfix-beta')).toEqual(['usr/share/osfix-beta/hello.txt']);

    const libuuid = headersOf('real/libuuid-bdb/Packages', readBerkeleyDbValues);
    expect(ownedPaths(libuuid, 'libuuid')).toEqual(
      expect.arrayContaining(['usr/lib64/libuuid.so.1', 'usr/lib64/libuuid.so.1.3.0', 'usr/share/licenses/libuuid/COPYING']),
    );
    expect(ownedPaths(headersOf('real/syft-redhat-bdb/Packages', readBerkeleyDbValues), 'dive')).toEqual(['usr/local/bin/dive']);

    const sle = headersOf('real/sle15-bci-ndb/Packages.db', readNdbBlobs);
    expect(ownedPaths(sle, 'bash')).toEqual(expect.arrayContaining(['bin/bash', 'etc/skel/.bashrc']));
    // filesystem owns top-level directories: their dirname `/` becomes the empty dir.
    expect(ownedPaths(sle, 'filesystem')).toEqual(expect.arrayContaining(['bin', 'etc', 'etc/X11']));
    for (const header of sle) {
      for (const dir of header.files?.dirs ?? []) expect(dir).not.toMatch(/^\/|\/$/);
    }
  });
});

// Synthetic headers: index entries over a data area, built the way rpm lays them out.
const STRING = 6;
const STRING_ARRAY = 8;
const INT32 = 4;

interface TestEntry {
  readonly tag: number;
  readonly type: number;
  readonly count: number;
  readonly bytes: Uint8Array;
}

const text = (value: string) => new TextEncoder().encode(`${value}\0`);
const str = (tag: number, value: string): TestEntry => ({ tag, type: STRING, count: 1, bytes: text(value) });
const strings = (tag: number, values: string[]): TestEntry => ({
  tag,
  type: STRING_ARRAY,
  count: values.length,
  bytes: new TextEncoder().encode(values.map((value) => `${value}\0`).join('')),
});
function int32s(tag: number, values: number[]): TestEntry {
  const bytes = new Uint8Array(values.length * 4);
  values.forEach((value, i) => new DataView(bytes.buffer).setUint32(i * 4, value));
  return { tag, type: INT32, count: values.length, bytes };
}

function headerBlob(entries: readonly TestEntry[]): Uint8Array {
  const offsets: number[] = [];
  let dl = 0;
  for (const entry of entries) {
    if (entry.type === INT32) dl = Math.ceil(dl / 4) * 4;
    offsets.push(dl);
    dl += entry.bytes.length;
  }
  const blob = new Uint8Array(8 + entries.length * 16 + dl);
  const view = new DataView(blob.buffer);
  view.setUint32(0, entries.length);
  view.setUint32(4, dl);
  entries.forEach((entry, i) => {
    view.setUint32(8 + i * 16, entry.tag);
    view.setUint32(12 + i * 16, entry.type);
    view.setInt32(16 + i * 16, offsets[i]!);
    view.setUint32(20 + i * 16, entry.count);
    blob.set(entry.bytes, 8 + entries.length * 16 + offsets[i]!);
  });
  return blob;
}

const NVR = [str(1000, 'demo'), str(1001, '1.0'), str(1002, '3.el9')];

function malformedError(blob: Uint8Array): CustomsError {
  let caught: unknown;
  try {
    parseRpmHeader(blob);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(CustomsError);
  expect((caught as CustomsError).code).toBe('malformed');
  return caught as CustomsError;
}

describe('parseRpmHeader', () => {
  it('leaves arch, source rpm, epoch and files undefined when the header lacks them (gpg-pubkey)', () => {
    expect(parseRpmHeader(headerBlob(NVR))).toEqual({ name: 'demo', version: '1.0', release: '3.el9' });
  });

  it('keeps an explicit epoch 0 and reads arch and source rpm', () => {
    const header = parseRpmHeader(headerBlob([...NVR, int32s(1003, [0]), str(1022, 'x86_64'), str(1044, 'demo-1.0-3.el9.src.rpm')]));
    expect(header).toEqual({ name: 'demo', epoch: 0, version: '1.0', release: '3.el9', arch: 'x86_64', sourceRpm: 'demo-1.0-3.el9.src.rpm' });
  });

  it('skips region tags and tags it does not need', () => {
    const region = { tag: 63, type: 7, count: 16, bytes: new Uint8Array(16) };
    expect(parseRpmHeader(headerBlob([region, ...NVR, str(1004, 'summary')])).name).toBe('demo');
  });

  it('stores directories without leading or trailing slashes', () => {
    const files = parseRpmHeader(
      headerBlob([...NVR, strings(1118, ['/', '/usr/bin/']), strings(1117, ['etc', 'ls', 'cp']), int32s(1116, [0, 1, 1])]),
    ).files!;
    expect(files).toEqual({ dirs: ['', 'usr/bin'], names: ['etc', 'ls', 'cp'], dirIndexes: [0, 1, 1] });
    expect([...filePaths(files)]).toEqual(['etc', 'usr/bin/ls', 'usr/bin/cp']);
  });

  it('folds OLDFILENAMES into directories and names', () => {
    const files = parseRpmHeader(headerBlob([...NVR, strings(1027, ['/etc', '/usr/bin/ls', '/usr/bin/cp', '/usr/share/doc/x'])])).files!;
    expect(files).toEqual({ dirs: ['', 'usr/bin', 'usr/share/doc'], names: ['etc', 'ls', 'cp', 'x'], dirIndexes: [0, 1, 1, 2] });
  });

  it.each([
    ['NAME', 1000],
    ['VERSION', 1001],
    ['RELEASE', 1002],
  ])('names a missing %s tag', (name, tag) => {
    const error = malformedError(headerBlob(NVR.filter((entry) => entry.tag !== tag)));
    expect(error.message).toContain(`no ${name} (${tag})`);
  });

  it('names the tag whose index entry points outside the data (real header)', () => {
    const beta = [...readBerkeleyDbValues(readFileSync(rpmFixture('db/bdb/Packages')))].find((blob) => parseRpmHeader(blob).name === 'osfix-beta')!;
    const blob = Uint8Array.from(beta);
    const view = new DataView(blob.buffer);
    const il = view.getUint32(0);
    const dl = view.getUint32(4);
    const entry = Array.from({ length: il }, (_, i) => 8 + i * 16).find((at) => view.getUint32(at) === 1001)!;
    view.setInt32(entry + 8, dl + 100);
    expect(malformedError(blob).message).toContain('VERSION (1001)');
    view.setInt32(entry + 8, -4);
    expect(malformedError(blob).message).toContain('VERSION (1001)');
  });

  it('names the tag whose string runs off the end of the data', () => {
    const blob = headerBlob([...NVR, str(1022, 'x86_64')]);
    const view = new DataView(blob.buffer);
    // Point ARCH (entry 3) at the very end of the data, where no NUL follows.
    view.setInt32(8 + 3 * 16 + 8, view.getUint32(4));
    expect(malformedError(blob).message).toContain('ARCH (1022)');
  });

  it('rejects string arrays and int arrays whose counts do not fit the data', () => {
    const names = { ...strings(1117, ['a']), count: 1_000_000 };
    expect(malformedError(headerBlob([...NVR, strings(1118, ['/']), names, int32s(1116, [0])])).message).toContain('BASENAMES (1117)');
    const indexes = { ...int32s(1116, [0]), count: 0x3fffffff };
    expect(malformedError(headerBlob([...NVR, strings(1118, ['/']), strings(1117, ['a']), indexes])).message).toContain('DIRINDEXES (1116)');
  });

  it('rejects dir indexes that do not match the names or the directories', () => {
    const dirs = strings(1118, ['/usr/']);
    expect(malformedError(headerBlob([...NVR, dirs, strings(1117, ['a', 'b']), int32s(1116, [0])])).message).toContain('2 BASENAMES but 1 DIRINDEXES');
    expect(malformedError(headerBlob([...NVR, dirs, strings(1117, ['a']), int32s(1116, [1])])).message).toContain('DIRINDEXES[0] is 1');
    expect(malformedError(headerBlob([...NVR, strings(1117, ['a']), int32s(1116, [0])])).message).toContain('no DIRNAMES');
  });

  it('rejects a tag stored with the wrong type', () => {
    expect(malformedError(headerBlob([...NVR, str(1003, '1')])).message).toContain('EPOCH (1003)');
  });

  it('rejects preambles that do not fit the blob', () => {
    const blob = headerBlob(NVR);
    expect(malformedError(blob.subarray(0, 5)).message).toContain('preamble');
    expect(malformedError(blob.subarray(0, blob.length - 1)).message).toContain('but the blob has');
    const huge = Uint8Array.from(blob);
    new DataView(huge.buffer).setUint32(0, 0x10000);
    expect(malformedError(huge).message).toContain('index entries');
    new DataView(huge.buffer).setUint32(0, 3);
    new DataView(huge.buffer).setUint32(4, 0xffffffff);
    expect(malformedError(huge).message).toContain('data bytes');
  });

  it('only ever throws CustomsError on damaged real headers', () => {
    const [original] = [...readBerkeleyDbValues(readFileSync(rpmFixture('real/libuuid-bdb/Packages')))];
    const indexEnd = 8 + new DataView(original!.buffer, original!.byteOffset).getUint32(0) * 16;
    const random = seededRandom(7);
    for (let round = 0; round < 2000; round++) {
      const blob = Uint8Array.from(original!);
      // Damage the index (tags, types, offsets, counts) and now and then the data.
      for (let flips = 0; flips < 3; flips++) blob[Math.floor(random() * indexEnd)] = Math.floor(random() * 256);
      if (round % 4 === 0) blob[Math.floor(random() * blob.length)] = 0xff;
      try {
        parseRpmHeader(blob);
      } catch (error) {
        expect(error).toBeInstanceOf(CustomsError);
      }
    }
  });
});

