import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildGoRelease, goVersionM, type GoRelease } from '../../../../support/go-build.ts';
import { goRows, readVersionM, scanGoBytes } from '../../../../support/go-version-m.ts';

const BUILD_TIMEOUT = 300_000;
const VERSION_PACKAGE = 'example.com/customs-release/internal/version';

/** What the binary itself prints: the value its -X flag set. */
function printed(binary: string): string {
  return execFileSync(binary, { encoding: 'utf8' }).trim();
}

/** The rows `go version -m` gives, with the main module at `version` (the toolchain says `(devel)`). */
function expectedRows(binary: string, version: string | undefined): string[] {
  const { rows, mainPath } = readVersionM(goVersionM(binary));
  return rows.map((row) => (version && row === `${mainPath}@(devel)` ? `${mainPath}@${version}` : row)).sort();
}

function scanned(binary: string, chunks = [4096, 65_536, 1 << 30]) {
  const bytes = readFileSync(binary);
  const results = chunks.map((chunk) => scanGoBytes(bytes, chunk));
  for (const { warnings } of results) expect(warnings).toEqual([]);
  return results.map(({ result }) => result);
}

describe('Go release builds: the main module version set with -ldflags -X', () => {
  it.each<[string, GoRelease]>([
    ['main.version, recorded in the build settings', { flags: ['-ldflags=-X main.version=v1.2.3'] }],
    ['main.version in a -trimpath build, read through the symbol table', { flags: ['-trimpath', '-ldflags=-X main.version=v1.8.0-rc.2'] }],
    ['the module\'s own version package, without a v', { flags: ['-trimpath', `-ldflags=-X ${VERSION_PACKAGE}.Version=2.5.0`] }],
    ['a 32-bit build', { flags: ['-trimpath', '-ldflags=-X main.version=v0.9.1'], env: { GOARCH: '386' } }],
  ])('%s: the version the binary prints, marked inferred', (_name, release) => {
    const binary = buildGoRelease(release);
    const version = `v${printed(binary).replace(/^v/, '')}`;
    for (const result of scanned(binary)) {
      expect(goRows(result)).toEqual(expectedRows(binary, version));
      const inferred = result!.packages.filter((pkg) => pkg.versionInferred);
      expect(inferred.map((pkg) => `${pkg.displayName}@${pkg.version}`)).toEqual([`example.com/customs-release@${version}`]);
    }
  }, BUILD_TIMEOUT);

  it('reads the symbol table of a big-endian 32-bit build (the oracle: the value passed to -X)', () => {
    const binary = buildGoRelease({ flags: ['-trimpath', '-ldflags=-X main.version=v4.0.2'], env: { GOARCH: 'mips' } });
    for (const result of scanned(binary)) expect(goRows(result)).toEqual(expectedRows(binary, 'v4.0.2'));
  }, BUILD_TIMEOUT);

  it.each<[string, GoRelease]>([
    ['stripped (-s -w): no symbol table, no recorded flags', { flags: ['-trimpath', '-ldflags=-s -w -X main.version=v1.2.3'] }],
    ['a value that is no version', { flags: ['-ldflags=-X main.version=nightly-build'] }],
  ])('%s: stays (devel), as `go version -m` says', (_name, release) => {
    const binary = buildGoRelease(release);
    for (const result of scanned(binary)) {
      expect(goRows(result)).toEqual(expectedRows(binary, undefined));
      expect(result!.packages.some((pkg) => pkg.versionInferred)).toBe(false);
    }
  }, BUILD_TIMEOUT);
});

describe('Go builds with GOEXPERIMENT', () => {
  it('lists the standard library at the release the toolchain names, and every module', () => {
    const binary = buildGoRelease({ flags: ['-trimpath', '-ldflags=-X main.version=v3.1.4'], env: { GOEXPERIMENT: 'boringcrypto' } });
    const { goVersion } = readVersionM(goVersionM(binary));
    expect(goVersion).toMatch(/^go1\.\d+(\.\d+)? X:boringcrypto$/);
    for (const result of scanned(binary, [7, 4096, 1 << 30])) {
      expect(goRows(result)).toEqual(expectedRows(binary, printed(binary)));
    }
  }, BUILD_TIMEOUT);
});

describe('Go builds for other systems (the build info header is read whatever the format)', () => {
  it.each(['windows', 'darwin'])('%s: what `go version -m` lists, the version from the recorded -ldflags', (goos) => {
    const binary = buildGoRelease({ flags: ['-ldflags=-X main.version=v1.5.0'], env: { GOOS: goos } });
    for (const result of scanned(binary)) expect(goRows(result)).toEqual(expectedRows(binary, 'v1.5.0'));
  }, BUILD_TIMEOUT);
});
