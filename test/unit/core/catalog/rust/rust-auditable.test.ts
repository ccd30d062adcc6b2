import { readFileSync } from 'node:fs';
import { deflateSync as deflate } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { rustAuditableCataloger } from '../../../../../lambdas/core/catalog/rust/rust-auditable-cataloger.ts';
import { RustAuditableScan } from '../../../../../lambdas/core/catalog/rust/rust-auditable-scan.ts';
import { auditableSection, elfSections, elfWithDepSection, noise, type AuditablePackage } from '../../../../support/rust-auditable-binary.ts';
import { repoRoot } from '../../../../support/paths.ts';

// What `cargo auditable` would embed for a small app: the root crate, two runtime crates from
// crates.io, one from git, and a build-only dependency (a build script's) that is not linked in.
const tree: AuditablePackage[] = [
  { name: 'myapp', version: '0.1.0', source: 'local', dependencies: [1, 3, 4], root: true },
  { name: 'serde', version: '1.0.193', source: 'crates.io', dependencies: [2] },
  { name: 'itoa', version: '1.0.10', source: 'crates.io' },
  { name: 'cc', version: '1.0.83', source: 'crates.io', kind: 'build' },
  { name: 'gitcrate', version: '0.3.1', source: 'git' },
];
const expected = ['gitcrate@0.3.1', 'itoa@1.0.10', 'myapp@0.1.0', 'serde@1.0.193'];

function scanBytes(bytes: Uint8Array, chunk: number) {
  const scanner = new RustAuditableScan();
  const warnings: string[] = [];
  for (let offset = 0; offset < bytes.length; offset += chunk) if (!scanner.write(bytes.subarray(offset, offset + chunk))) break;
  return { result: scanner.end({ warn: (message) => warnings.push(message) }), warnings };
}

function names(result: ReturnType<typeof scanBytes>['result']): string[] {
  return (result?.packages ?? []).map((pkg) => `${pkg.name}@${pkg.version}`).sort();
}

/** Many crates, so the compressed data runs well past the trial window and uses dynamic Huffman blocks. */
function bigTree(count: number): AuditablePackage[] {
  return Array.from({ length: count }, (_, i) => ({ name: `crate-${i.toString(36)}`, version: `1.${i}.${i % 13}`, source: 'crates.io', dependencies: [(i + 1) % count] }));
}

const around = { before: noise(64 * 1024, 1), after: noise(200 * 1024, 2) };

describe('Rust binaries built with cargo auditable', () => {
  it.each([1, 6, 9])('reads the runtime crates of .dep-v0 compressed at zlib level %i, mid-file, however it is chunked', (level) => {
    const section = auditableSection(tree, level);
    const { path, bytes } = elfWithDepSection(section, around);
    const dep = elfSections(path).get('.dep-v0')!;
    expect(bytes.subarray(dep.offset, dep.offset + dep.size)).toEqual(section);
    expect(dep.offset).toBeGreaterThan(64 * 1024);
    expect(bytes.length - dep.offset).toBeGreaterThan(200 * 1024);
    for (const chunk of [1, 7, 4096, 65_536, bytes.length]) {
      const { result, warnings } = scanBytes(bytes, chunk);
      expect(warnings, `chunk ${chunk}`).toEqual([]);
      expect(names(result), `chunk ${chunk}`).toEqual(expected);
    }
  });

  it('stops reading once it has the data', () => {
    const { bytes } = elfWithDepSection(auditableSection(tree), around);
    const scanner = new RustAuditableScan();
    let read = 0;
    for (let offset = 0; offset < bytes.length; offset += 4096) {
      read = offset + 4096;
      if (!scanner.write(bytes.subarray(offset, offset + 4096))) break;
    }
    expect(read).toBeLessThan(bytes.length - 100 * 1024);
    expect(names(scanner.end({ warn: () => {} }))).toEqual(expected);
  });

  it('reads a large tree whose compressed data spans many chunks', () => {
    const big = bigTree(3000);
    const { bytes } = elfWithDepSection(auditableSection(big, 9), around);
    for (const chunk of [7, 4096, 65_536]) {
      const { result, warnings } = scanBytes(bytes, chunk);
      expect(warnings).toEqual([]);
      expect(result!.packages).toHaveLength(3000);
    }
  });

  it('finds nothing in an executable without the section, or in a non-Rust binary', () => {
    const { bytes } = elfWithDepSection(Buffer.alloc(0), around);
    expect(scanBytes(bytes, 4096)).toEqual({ result: undefined, warnings: [] });
    expect(scanBytes(readFileSync('/bin/ls'), 65_536)).toEqual({ result: undefined, warnings: [] });
  });

  it('skips files that are not executables after their first bytes', () => {
    const scanner = new RustAuditableScan();
    expect(scanner.write(Buffer.from('#!'))).toBe(true);
    expect(scanner.write(Buffer.from('/bin/sh\n'))).toBe(false);
    expect(scanner.end({ warn: () => {} })).toBeUndefined();
    // Even a script holding the data is not a binary.
    expect(scanBytes(Buffer.concat([Buffer.from('#!/bin/sh\n'), auditableSection(tree)]), 4096).result).toBeUndefined();
  });

  it('warns, without throwing, when the zlib data is broken after a valid start', () => {
    const section = auditableSection(bigTree(300), 9);
    expect(section.length).toBeGreaterThan(1024);
    const broken = Buffer.from(section);
    broken.fill(0xff, 600, 640);
    const { bytes } = elfWithDepSection(broken, around);
    for (const chunk of [1, 4096, 65_536]) {
      const { result, warnings } = scanBytes(bytes, chunk);
      expect(result).toBeUndefined();
      expect(warnings).toEqual(['the cargo auditable dependency data (.dep-v0) is not valid zlib data; nothing was read']);
    }
  });

  it('warns when the data is cut short at the end of the file', () => {
    const section = auditableSection(bigTree(300), 9);
    const bytes = Buffer.concat([elfWithDepSection(Buffer.alloc(0)).bytes, section.subarray(0, 700)]);
    expect(scanBytes(bytes, 4096).warnings).toEqual(['the cargo auditable dependency data (.dep-v0) is cut short; nothing was read']);
  });

  it.each([
    ['JSON of the wrong shape', '{"packages":[{"name":"serde"}]}', /does not have the expected shape \(packages\.0\.version: /],
    ['text that is not JSON', '{"packages":[{"name":"serde",', /is not JSON/],
  ])('warns about %s', (_, json, warning) => {
    const { bytes } = elfWithDepSection(deflate(json), around);
    const { result, warnings } = scanBytes(bytes, 4096);
    expect(result).toBeUndefined();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(warning);
  });

  it('caps the compressed capture and the inflated size', () => {
    // Stored (level 0) blocks: the JSON is its own compressed form, over the 4 MiB capture cap.
    const stored = auditableSection(bigTree(120_000), 0);
    expect(stored.length).toBeGreaterThan(4 * 1024 * 1024);
    const wide = Buffer.concat([elfWithDepSection(Buffer.alloc(0)).bytes, stored]);
    expect(scanBytes(wide, 65_536).warnings).toEqual(['the cargo auditable dependency data (.dep-v0) is larger than 4 MiB compressed; nothing was read']);
    // Plausible crates first (a start that inflates absurdly far is not taken for the data at all).
    const entries = JSON.stringify(bigTree(300)).slice(1, -1);
    const padded = deflate(`{"packages":[${entries}${' '.repeat(17 * 1024 * 1024)}]}`);
    const { bytes } = elfWithDepSection(padded);
    expect(scanBytes(bytes, 65_536).warnings).toEqual(['the cargo auditable dependency data (.dep-v0) inflates past 16 MiB; nothing was read']);
  });

  it('finds nothing in random bytes behind an ELF header, in bounded time', () => {
    const bytes = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46]), noise(8 * 1024 * 1024, 3)]);
    const started = performance.now();
    expect(scanBytes(bytes, 65_536)).toEqual({ result: undefined, warnings: [] });
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('costs little on a large non-Rust binary (esbuild, ~11 MB)', () => {
    const binary = readFileSync(`${repoRoot}/node_modules/@esbuild/linux-x64/bin/esbuild`);
    const started = performance.now();
    expect(scanBytes(binary, 65_536)).toEqual({ result: undefined, warnings: [] });
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('wants executables of 16 KiB and more', () => {
    const wants = rustAuditableCataloger.streaming!.wants;
    expect(wants({ path: 'usr/bin/app', mode: 0o755, size: 16 * 1024 })).toBe(true);
    expect(wants({ path: 'usr/bin/app', mode: 0o100, size: 1024 * 1024 })).toBe(true);
    expect(wants({ path: 'usr/bin/app', mode: 0o644, size: 1024 * 1024 })).toBe(false);
    expect(wants({ path: 'usr/bin/app', mode: 0o755, size: 16 * 1024 - 1 })).toBe(false);
  });
});
