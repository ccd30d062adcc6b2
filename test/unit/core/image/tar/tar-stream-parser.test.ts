import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync, linkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CustomsError } from '../../../../../lambdas/core/errors.ts';
import type { TarEntry } from '../../../../../lambdas/core/image/tar/tar-entry.ts';
import { TarStreamParser } from '../../../../../lambdas/core/image/tar/tar-stream-parser.ts';
import { tarBytes } from '../../../../../tools/image-builder/tar-writer.ts';

interface Seen {
  entry: TarEntry;
  data: string;
}

/** Parses a tar fed in chunks of the given sizes (cycled), keeping every entry and its data. */
function parse(tar: Uint8Array, chunkSizes: number[] = [tar.length || 1]): Seen[] {
  const seen: Seen[] = [];
  const parser = new TarStreamParser(
    {
      entry(entry) {
        const item = { entry, data: '' };
        seen.push(item);
        const parts: Buffer[] = [];
        return { data: (chunk) => parts.push(Buffer.from(chunk)), end: () => (item.data = Buffer.concat(parts).toString('utf8')) };
      },
    },
    { maxMetadataBytes: 1 << 20 },
  );
  let position = 0;
  for (let i = 0; position < tar.length; i++) {
    const size = chunkSizes[i % chunkSizes.length]!;
    parser.write(tar.subarray(position, position + size));
    position += size;
  }
  parser.end();
  return seen;
}

const longName = `${'deep/'.repeat(30)}file-with-a-long-name.txt`;

describe('TarStreamParser', () => {
  const sample = tarBytes([
    { type: 'dir', path: 'etc' },
    { type: 'file', path: 'etc/hostname', content: 'customs\n' },
    { type: 'symlink', path: 'etc/os-release', target: '../usr/lib/os-release' },
    { type: 'hardlink', path: 'etc/hostname.bak', target: 'etc/hostname' },
    { type: 'file', path: 'big', content: 'x'.repeat(1500) },
    { type: 'file', path: 'empty', content: '' },
  ]);

  it('reports every entry with its kind, link and exact data', () => {
    const seen = parse(sample);
    expect(seen.map(({ entry }) => [entry.path, entry.kind, entry.linkPath, entry.size])).toEqual([
      ['etc/', 'directory', '', 0],
      ['etc/hostname', 'file', '', 8],
      ['etc/os-release', 'symlink', '../usr/lib/os-release', 0],
      ['etc/hostname.bak', 'hardlink', 'etc/hostname', 0],
      ['big', 'file', '', 1500],
      ['empty', 'file', '', 0],
    ]);
    expect(seen[1]!.data).toBe('customs\n');
    expect(seen[4]!.data).toBe('x'.repeat(1500));
  });

  it('gives the same result however the stream is chunked', () => {
    const whole = parse(sample).map(({ entry, data }) => [entry.path, data]);
    for (const sizes of [[1], [7, 511, 3], [512], [513, 1024, 100_000]]) {
      expect(parse(sample, sizes).map(({ entry, data }) => [entry.path, data])).toEqual(whole);
    }
  });

  it('reads PAX and GNU long names and link targets', () => {
    for (const longNames of ['pax', 'gnu'] as const) {
      const tar = tarBytes(
        [
          { type: 'file', path: longName, content: 'long' },
          { type: 'symlink', path: `${longName}.link`, target: `/${longName}` },
          { type: 'file', path: 'after', content: 'short' },
        ],
        { longNames },
      );
      const seen = parse(tar, [100]);
      expect(seen.map(({ entry }) => entry.path)).toEqual([longName, `${longName}.link`, 'after']);
      expect(seen[1]!.entry.linkPath).toBe(`/${longName}`);
      expect(seen[0]!.data).toBe('long');
    }
  });

  it('reads archives written by GNU tar in gnu, pax and ustar formats', () => {
    const dir = mkdtempSync(join(tmpdir(), 'customs-tar-'));
    const root = join(dir, 'root');
    mkdirSync(join(root, 'a', 'b'), { recursive: true });
    const nested = join(root, ...longName.split('/'));
    mkdirSync(join(nested, '..'), { recursive: true });
    writeFileSync(nested, 'deep content');
    writeFileSync(join(root, 'a', 'b', 'file'), 'hello');
    symlinkSync('b/file', join(root, 'a', 'link'));
    linkSync(join(root, 'a', 'b', 'file'), join(root, 'a', 'hard'));
    for (const format of ['gnu', 'pax', 'ustar']) {
      if (format === 'ustar') {
        // ustar cannot store the long name; it splits names up to 255 bytes into prefix + name instead.
        const ustarDir = join(dir, 'ustar');
        const path = join(ustarDir, 'p'.repeat(90), 'n'.repeat(90));
        mkdirSync(join(path, '..'), { recursive: true });
        writeFileSync(path, 'split');
        const tar = execFileSync('tar', ['--format=ustar', '-C', ustarDir, '-cf', '-', '.']);
        const file = parse(tar).find(({ entry }) => entry.kind === 'file')!;
        expect(file.entry.path).toBe(`./${'p'.repeat(90)}/${'n'.repeat(90)}`);
        expect(file.data).toBe('split');
        continue;
      }
      const tar = execFileSync('tar', [`--format=${format}`, '-C', root, '-cf', '-', '.']);
      const byPath = new Map(parse(tar, [4096]).map((item) => [item.entry.path.replace(/^\.\//, ''), item]));
      expect(byPath.get(longName)?.data).toBe('deep content');
      expect(byPath.get('a/link')?.entry).toMatchObject({ kind: 'symlink', linkPath: 'b/file' });
      const hardLinked = [byPath.get('a/hard')!, byPath.get('a/b/file')!];
      // GNU tar stores the first path it meets as the file and the other as a hard link to it.
      expect(hardLinked.map((item) => item.entry.kind).sort()).toEqual(['file', 'hardlink']);
    }
  });

  it('applies a PAX size record over the header size', () => {
    const content = 'pax-sized';
    const tar = tarBytes([{ type: 'file', path: 'f', content }]);
    // Rewrite the header's size field to 0 and put the real size in a PAX record before it.
    const header = Buffer.from(tar.subarray(0, 512));
    header.write('00000000000\0', 124, 'ascii');
    rewriteChecksum(header);
    const record = ` size=${content.length}\n`;
    const pax = paxEntry(`${record.length + 2}${record}`);
    const rebuilt = Buffer.concat([pax, header, tar.subarray(512)]);
    const seen = parse(rebuilt);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.entry.size).toBe(content.length);
    expect(seen[0]!.data).toBe(content);
  });

  it('reads GNU base-256 sizes', () => {
    const tar = tarBytes([{ type: 'file', path: 'f', content: 'abc' }]);
    const header = Buffer.from(tar.subarray(0, 512));
    header.fill(0, 124, 136);
    header[124] = 0x80;
    header[135] = 3;
    rewriteChecksum(header);
    const seen = parse(Buffer.concat([header, tar.subarray(512)]));
    expect(seen[0]!.data).toBe('abc');
  });

  it('rejects a header with a bad checksum, naming the offset', () => {
    const tar = Buffer.from(sample);
    tar[512 + 10]! ^= 0xff; // corrupt the second header's name
    expect(() => parse(tar)).toThrow(/tar header at offset 512 has a bad checksum/);
  });

  it('rejects a stream that ends inside an entry', () => {
    const tar = tarBytes([{ type: 'file', path: 'cut', content: 'y'.repeat(2000) }]);
    expect(() => parse(tar.subarray(0, 1200))).toThrow(/truncated at offset 1200 inside entry "cut"/);
  });

  it('accepts an archive without its end-of-archive marker', () => {
    const tar = tarBytes([{ type: 'file', path: 'a', content: 'b' }], { omitEndMarker: true });
    expect(parse(tar).map(({ entry }) => entry.path)).toEqual(['a']);
  });

  it('stops at the end marker and ignores what follows it', () => {
    const tar = Buffer.concat([tarBytes([{ type: 'file', path: 'a', content: 'b' }]), tarBytes([{ type: 'file', path: 'hidden', content: 'c' }])]);
    expect(parse(tar).map(({ entry }) => entry.path)).toEqual(['a']);
  });

  it('rejects a lone zero block followed by more entries, as Go runtimes do', () => {
    const first = tarBytes([{ type: 'file', path: 'a', content: 'b' }], { omitEndMarker: true });
    const tar = Buffer.concat([first, Buffer.alloc(512), tarBytes([{ type: 'file', path: 'c', content: 'd' }])]);
    expect(() => parse(tar)).toThrow(CustomsError);
    expect(() => parse(tar)).toThrow(/lone zero block/);
  });

  it('refuses metadata records over the cap', () => {
    const tar = tarBytes([{ type: 'file', path: 'z'.repeat(5000), content: '' }]);
    const parser = new TarStreamParser({ entry: () => undefined }, { maxMetadataBytes: 1024 });
    expect(() => parser.write(tar)).toThrow(/over the 1024-byte cap/);
  });

  it('rejects a malformed PAX record', () => {
    const tar = Buffer.concat([paxEntry('99 path=x\n'), tarBytes([{ type: 'file', path: 'f', content: '' }])]);
    expect(() => parse(tar)).toThrow(/PAX extended header at offset 0 is malformed/);
  });

  it('skips data of entries the visitor does not want without delivering it', () => {
    const delivered: string[] = [];
    const parser = new TarStreamParser(
      { entry: (entry) => (entry.path === 'etc/hostname' ? { data: (chunk) => delivered.push(Buffer.from(chunk).toString()), end: () => undefined } : undefined) },
      { maxMetadataBytes: 1 << 20 },
    );
    parser.write(sample);
    parser.end();
    expect(delivered.join('')).toBe('customs\n');
    expect(parser.ended).toBe(true);
  });

  it('handles real-world layer tars produced by GNU tar with many entries', () => {
    const dir = mkdtempSync(join(tmpdir(), 'customs-tar-many-'));
    for (let i = 0; i < 300; i++) writeFileSync(join(dir, `f${i}`), `content ${i}\n`.repeat(i));
    const tar = execFileSync('tar', ['-C', dir, '-cf', '-', '.'], { maxBuffer: 64 << 20 });
    const seen = parse(tar, [333]);
    expect(seen.filter(({ entry }) => entry.kind === 'file')).toHaveLength(300);
    const f42 = seen.find(({ entry }) => entry.path === './f42')!;
    expect(f42.data).toBe(readFileSync(join(dir, 'f42'), 'utf8'));
  });
});

function rewriteChecksum(header: Buffer): void {
  header.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
}

function paxEntry(records: string): Buffer {
  const data = Buffer.from(records);
  const header = Buffer.from(tarBytes([{ type: 'file', path: 'PaxHeader', content: data }]).subarray(0, 512));
  header[156] = 'x'.charCodeAt(0);
  rewriteChecksum(header);
  const padding = Buffer.alloc((512 - (data.length % 512)) % 512);
  return Buffer.concat([header, data, padding]);
}
