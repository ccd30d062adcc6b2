import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { goVersionM } from '../../../../support/go-build.ts';
import { legacyGoElf, type LegacyGoElf } from '../../../../support/go-legacy-elf.ts';
import { goRows, readVersionM, scanGoBytes } from '../../../../support/go-version-m.ts';
import { testCacheDir } from '../../../../support/paths.ts';
import { seededRandom } from '../../../../support/seeded-random.ts';

const MODINFO = [
  'path\texample.com/legacy/cmd/tool',
  'mod\texample.com/legacy\t(devel)\t',
  'dep\tgolang.org/x/text\tv0.3.7\th1:synthetic-sum-for-tests=',
  'dep\texample.com/old\tv1.0.0\th1:synthetic-sum-for-tests=',
  '=>\texample.com/new\tv1.1.0\th1:synthetic-sum-for-tests=',
  '',
].join('\n');

/** Writes the ELF where `go version -m` can read it (it wants an executable file). */
function written(name: string, bytes: Buffer): string {
  const dir = testCacheDir('go-legacy');
  mkdirSync(dir, { recursive: true });
  const path = `${dir}/${name}`;
  writeFileSync(path, bytes);
  chmodSync(path, 0o755);
  return path;
}

const variants: Array<[string, LegacyGoElf]> = [
  ['64-bit little-endian', { pointerSize: 8, bigEndian: false, goVersion: 'go1.17.13', modinfo: MODINFO }],
  ['32-bit little-endian', { pointerSize: 4, bigEndian: false, goVersion: 'go1.16.15', modinfo: MODINFO }],
  ['64-bit big-endian', { pointerSize: 8, bigEndian: true, goVersion: 'go1.15.2', modinfo: MODINFO }],
  ['32-bit big-endian', { pointerSize: 4, bigEndian: true, goVersion: 'go1.13', modinfo: MODINFO }],
  ['module text after the header', { pointerSize: 8, bigEndian: false, goVersion: 'go1.14.7', modinfo: MODINFO, modinfoIn: 'data' }],
];

describe('Go binaries built before Go 1.18 (pointer-format build info)', () => {
  it.each(variants)('%s: lists what `go version -m` reads from it, however it is chunked', (name, spec) => {
    // A decoy version string: the pointers, not a guess, must give the version. With 70 kB of
    // rodata the header lies past the first chunks; without, the whole file is shorter than one.
    for (const filler of [0, 70_000]) {
      const bytes = legacyGoElf({ ...spec, decoy: 'go1.12.17', filler });
      const expected = readVersionM(goVersionM(written(`${name.replace(/\W+/g, '-')}-${filler}`, bytes)));
      expect(expected.goVersion).toBe(spec.goVersion);
      for (const chunk of [7, 4096, 65_536, bytes.length]) {
        const { result, warnings } = scanGoBytes(bytes, chunk);
        expect(warnings).toEqual([]);
        expect(goRows(result)).toEqual(expected.rows);
      }
    }
  });

  it('warns and keeps what the markers give when the pointers lead outside the file', () => {
    const bytes = legacyGoElf({ pointerSize: 8, bigEndian: false, goVersion: 'go1.17.13', modinfo: MODINFO, filler: 70_000 });
    const header = bytes.indexOf('\xff Go buildinf:', 0, 'latin1');
    bytes.writeBigUInt64LE(0x7fff_0000n, header + 16); // runtime.buildVersion's header: unmapped
    const { result, warnings } = scanGoBytes(bytes, 4096);
    expect(warnings.join('\n')).toMatch(/pointer to the version could not be followed/);
    // No decoy here: the one NUL-free version string is not delimited either, so stdlib is not listed.
    expect(goRows(result)).toEqual(readVersionM(`x: go1.17.13\n${MODINFO}`).rows.filter((row) => !row.startsWith('stdlib@')));
  });

  it('never throws on damaged copies, whatever bytes are changed', () => {
    const random = seededRandom(11);
    const original = legacyGoElf({ pointerSize: 8, bigEndian: false, goVersion: 'go1.17.13', modinfo: MODINFO, filler: 5000 });
    for (let round = 0; round < 300; round++) {
      const bytes = Buffer.from(original);
      // Mostly where the tables and pointers are: the ELF header, the data segment, the section headers.
      const hot = [0, 512, bytes.length - 700, bytes.length];
      for (let i = 0; i < 8; i++) {
        const at = i % 2 === 0 ? Math.floor(random() * bytes.length) : hot[random() < 0.5 ? 0 : 2]! + Math.floor(random() * 512);
        bytes[Math.min(at, bytes.length - 1)] = Math.floor(random() * 256);
      }
      expect(() => scanGoBytes(bytes, 1 + Math.floor(random() * 5000))).not.toThrow();
    }
  });
});
