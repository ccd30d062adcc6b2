import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultCatalogers } from '../../../../../lambdas/core/catalog/catalogers.ts';
import { goBinaryCataloger } from '../../../../../lambdas/core/catalog/golang/go-binary-cataloger.ts';
import { toolchainVersion } from '../../../../../lambdas/core/catalog/golang/go-modinfo.ts';
import { layoutOf } from '../../../../support/layout.ts';
import { buildGoProgram, buildGoRelease, goVersionM } from '../../../../support/go-build.ts';
import { legacyGoElf } from '../../../../support/go-legacy-elf.ts';
import { goRows, readVersionM, scanGoBytes as scanBytes } from '../../../../support/go-version-m.ts';
import { repoRoot, sharedFixtures, testCacheDir } from '../../../../support/paths.ts';
import { scan } from '../../../../support/scan.ts';

describe('Go binaries', () => {
  it.each(['hello-go1.19-trimpath', 'hello-replace-go1.19'])('%s lists what `go version -m` saved for it, however it is chunked', (name) => {
    const binary = readFileSync(sharedFixtures('os', 'go', name));
    const expected = readVersionM(readFileSync(sharedFixtures('os', 'go', `${name}.version-m.txt`), 'utf8')).rows;
    for (const chunk of [7, 4096, 65_536, binary.length]) {
      const { result } = scanBytes(binary, chunk);
      expect(goRows(result)).toEqual(expected);
    }
  });

  it('lists what the toolchain itself reports for a program built here with Debian\'s Go', () => {
    const binary = buildGoProgram();
    const expected = readVersionM(goVersionM(binary)).rows;
    expect(expected).toContain('example.com/greeting@v1.4.0');
    const { result } = scanBytes(readFileSync(binary), 32 * 1024);
    expect(goRows(result)).toEqual(expected);
  }, 120_000);

  it('reads a binary from a newer Go whose build info has moved (esbuild from npm)', () => {
    // esbuild 0.28.2 is built by Go 1.26; its go.mod has one requirement, golang.org/x/sys.
    const binary = readFileSync(`${repoRoot}/node_modules/@esbuild/linux-x64/bin/esbuild`);
    const { result, warnings } = scanBytes(binary, 256 * 1024);
    expect(warnings).toEqual([]);
    expect(goRows(result)).toEqual([
      'github.com/evanw/esbuild@(devel)',
      'golang.org/x/sys@v0.0.0-20220715151400-c0bba94af5f8',
      'stdlib@v1.26.5',
    ]);
  });

  it('ignores executables that are not Go binaries, and scripts', () => {
    expect(scanBytes(Buffer.from('#!/bin/sh\necho hi\n'.repeat(10_000)), 4096).result).toBeUndefined();
    expect(scanBytes(readFileSync('/bin/ls'), 4096).result).toBeUndefined();
  });

  it.each([
    ['go1.21.3', 'v1.21.3'],
    ['go1.21', 'v1.21.0'],
    ['go1.22rc1', 'v1.22.0-rc1'],
    ['devel', undefined],
  ])('toolchain %s reads as %s', (go, version) => {
    expect(toolchainVersion(go)).toBe(version);
  });

  it('is one of the default catalogers', () => {
    expect(defaultCatalogers).toContain(goBinaryCataloger);
  });

  it('finds Go binaries in an image by their mode, larger than the file cap, with purls and the layer', async () => {
    const binary = readFileSync(sharedFixtures('os', 'go', 'hello-replace-go1.19'));
    const dir = layoutOf([{ entries: [{ type: 'file', path: 'srv/app/hello', content: binary, mode: 0o755 }, { type: 'file', path: 'srv/app/data.bin', content: binary, mode: 0o644 }] }]);
    const [image] = (await scan(`oci:${dir}`, { limits: { maxCapturedFileBytes: 1024 } })).images;
    const golang = image!.packages.filter((pkg) => pkg.type === 'golang');
    expect(golang.map((pkg) => pkg.purl).sort()).toEqual([
      'pkg:golang/example.com/greet@v1.2.3',
      'pkg:golang/example.com/hello-replace@%28devel%29',
      'pkg:golang/stdlib@v1.19.8',
    ]);
    expect(golang.every((pkg) => pkg.location.path === 'srv/app/hello' && pkg.location.layerIndex === 0)).toBe(true);
  });

  it('reports, in an image, a -X version marked inferred and a pre-1.18 binary with its stdlib', async () => {
    const release = buildGoRelease({ flags: ['-trimpath', '-ldflags=-X main.version=v1.8.0-rc.2'] });
    const legacy = legacyGoElf({ pointerSize: 8, bigEndian: false, goVersion: 'go1.16.15', modinfo: 'path\texample.com/old\nmod\texample.com/old\t(devel)\t\n', filler: 70_000 });
    const legacyPath = testCacheDir('go-legacy', 'image-legacy');
    mkdirSync(testCacheDir('go-legacy'), { recursive: true });
    writeFileSync(legacyPath, legacy);
    chmodSync(legacyPath, 0o755);
    const expected = [
      ...readVersionM(goVersionM(release)).rows.map((row) => `usr/bin/release ${row.replace('@(devel)', `@${execFileSync(release, { encoding: 'utf8' }).trim()} inferred`)}`),
      ...readVersionM(goVersionM(legacyPath)).rows.map((row) => `usr/bin/legacy ${row}`),
    ].sort();
    const dir = layoutOf([{ entries: [{ type: 'file', path: 'usr/bin/release', content: readFileSync(release), mode: 0o755 }, { type: 'file', path: 'usr/bin/legacy', content: legacy, mode: 0o755 }] }]);
    const [image] = (await scan(`oci:${dir}`)).images;
    const golang = image!.packages.filter((pkg) => pkg.type === 'golang');
    expect(golang.map((pkg) => `${pkg.location.path} ${pkg.name}@${pkg.version}${pkg.versionInferred ? ' inferred' : ''}`).sort()).toEqual(expected);
    expect(golang.find((pkg) => pkg.versionInferred)!.purl).toBe('pkg:golang/example.com/customs-release@v1.8.0-rc.2');
  }, 300_000);
});
