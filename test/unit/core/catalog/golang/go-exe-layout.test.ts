import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fileOffsetOf } from '../../../../../lambdas/core/catalog/golang/exe-layout.ts';
import { readExeLayout } from '../../../../../lambdas/core/catalog/golang/read-exe-layout.ts';
import { buildGoRelease, type GoRelease } from '../../../../support/go-build.ts';
import { goSeenLayout } from '../../../../support/go-exe-segments.ts';
import { legacyGoElf } from '../../../../support/go-legacy-elf.ts';
import { testCacheDir } from '../../../../support/paths.ts';

const HEAD = 64 * 1024;

function layoutOfHead(binary: string) {
  const layout = readExeLayout(readFileSync(binary).subarray(0, HEAD));
  return layout && { segments: layout.segments, ...(layout.symbols ? { symbols: { symtab: layout.symbols.symtab, strtab: layout.symbols.strtab } } : {}) };
}

describe('executable layouts read from the first 64 kB', () => {
  // The same builds as the release tests, so the test cache serves both.
  it.each<[string, GoRelease]>([
    ['linux/amd64', { flags: ['-ldflags=-X main.version=v1.2.3'] }],
    ['linux/386', { flags: ['-trimpath', '-ldflags=-X main.version=v0.9.1'], env: { GOARCH: '386' } }],
    ['linux/mips (big-endian)', { flags: ['-trimpath', '-ldflags=-X main.version=v4.0.2'], env: { GOARCH: 'mips' } }],
    ['windows/amd64 (PE)', { flags: ['-ldflags=-X main.version=v1.5.0'], env: { GOOS: 'windows' } }],
    ['darwin/amd64 (Mach-O)', { flags: ['-ldflags=-X main.version=v1.5.0'], env: { GOOS: 'darwin' } }],
  ])('%s: the segments and symbol table Go\'s debug/* packages see', (_name, release) => {
    const binary = buildGoRelease(release);
    expect(layoutOfHead(binary)).toEqual(goSeenLayout(binary));
  }, 300_000);

  it.each([
    [8, false],
    [4, true],
  ] as const)('a pre-1.18 ELF written here (%i-byte pointers, big-endian %s)', (pointerSize, bigEndian) => {
    const dir = testCacheDir('go-legacy');
    mkdirSync(dir, { recursive: true });
    const path = `${dir}/layout-${pointerSize}-${bigEndian}`;
    writeFileSync(path, legacyGoElf({ pointerSize, bigEndian, goVersion: 'go1.17.13', modinfo: 'path\tx\nmod\tx\t(devel)\t\n' }));
    expect(layoutOfHead(path)).toEqual(goSeenLayout(path));
  });

  it('maps an address to the file only when one segment holds all the bytes', () => {
    const layout = { segments: [{ vaddr: 0x1000, offset: 0x200, size: 0x100, writable: false }] };
    expect(fileOffsetOf(layout, 0x1010, 16)).toBe(0x210);
    expect(fileOffsetOf(layout, 0x10f8, 16)).toBeUndefined();
    expect(fileOffsetOf(layout, 0xfff, 1)).toBeUndefined();
  });

  it('gives nothing, and does not throw, for truncated or foreign headers', () => {
    expect(readExeLayout(Buffer.from('#!/bin/sh\n'))).toBeUndefined();
    const elf = readFileSync(buildGoRelease({ flags: ['-ldflags=-X main.version=v1.2.3'] }));
    for (let length = 0; length < 1024; length += 7) expect(() => readExeLayout(elf.subarray(0, length))).not.toThrow();
  }, 300_000);
});
