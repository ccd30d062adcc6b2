import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseApkDatabase } from '../../../../../lambdas/core/catalog/apk/apk-database-analyzer.ts';
import { filePaths } from '../../../../../lambdas/core/catalog/file-list.ts';
import { sharedFixtures } from '../../../../support/paths.ts';
import { packageList, scan } from '../../../../support/scan.ts';
import { layoutOf } from '../../../../support/layout.ts';
import { directoryEntries } from '../../../../../tools/image-builder/directory-entries.ts';

function parse(text: string) {
  const warnings: string[] = [];
  const result = parseApkDatabase({ path: 'lib/apk/db/installed', bytes: Buffer.from(text) }, { warn: (message) => warnings.push(message) });
  return { packages: result.packages, warnings };
}

function expectedRows(release: string): string[][] {
  return readFileSync(sharedFixtures('os', 'apk', release, 'expected.tsv'), 'utf8')
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => line.split('\t'));
}

describe('apk installed database', () => {
  it.each(['alpine-3.16-syft', 'alpine-3.20.3', 'alpine-3.23.4'])('%s packed as an image lists exactly its expected packages', async (release) => {
    const dir = layoutOf([{ entries: directoryEntries(sharedFixtures('os', 'apk', release)).filter((entry) => !entry.path.endsWith('expected.tsv')) }]);
    const [image] = (await scan(`oci:${dir}`)).images;
    const actual = image!.packages.map((pkg) => [pkg.name, pkg.version, pkg.source!.name, pkg.architecture ?? '']);
    expect(actual.sort()).toEqual(expectedRows(release).sort());
    expect(image!.warnings).toEqual(release === 'alpine-3.16-syft' ? ['no operating system release file found in linux/amd64 image'] : []);
  });

  it('builds purls with the Alpine release as distro', async () => {
    const dir = layoutOf([{ entries: directoryEntries(sharedFixtures('os', 'apk', 'alpine-3.20.3')) }]);
    const musl = (await scan(`oci:${dir}`)).images[0]!.packages.find((pkg) => pkg.name === 'musl')!;
    expect(musl.purl).toBe(`pkg:apk/alpine/musl@${musl.version}?arch=x86_64&distro=alpine-3.20.3`);
    expect(musl.type).toBe('apk');
  });

  it('keeps each package’s files compactly', () => {
    const { packages } = parse(readFileSync(sharedFixtures('os', 'apk', 'alpine-3.20.3', 'lib', 'apk', 'db', 'installed'), 'utf8'));
    const baselayout = packages.find((pkg) => pkg.name === 'alpine-baselayout')!;
    expect([...filePaths(baselayout.files)]).toContain('etc/crontabs/root');
    expect(baselayout.files.dirs).toContain('etc/modprobe.d');
    const musl = packages.find((pkg) => pkg.name === 'musl')!;
    expect([...filePaths(musl.files)].some((path) => path.startsWith('lib/ld-musl-'))).toBe(true);
  });

  it('skips a corrupted stanza with a warning and keeps its neighbours', () => {
    const { packages, warnings } = parse(
      ['P:before\nV:1.0-r0\nA:x86_64\nF:usr/bin\nR:before', 'P:broken\nV:2.0-r0\n\u0000garbage line without a key\nR:orphan', 'P:noversion\nA:x86_64', 'P:after\nV:3.0-r1\no:after-src'].join('\n\n'),
    );
    expect(packages.map((pkg) => `${pkg.name}@${pkg.version}`)).toEqual(['before@1.0-r0', 'after@3.0-r1']);
    expect(warnings).toEqual([
      'the stanza at line 7 (package broken) is damaged and was skipped: line 9 is not a field ("\\u0000garbage line without a key")',
      'the stanza at line 12 (package noversion) has no V: line and was skipped',
    ]);
    expect(packages[1]!.origin).toBe('after-src');
  });

  it('reports a file listed before any directory as damage', () => {
    expect(parse('P:x\nV:1\nR:file\n').warnings).toEqual(['the stanza at line 1 (package x) is damaged and was skipped: file "file" is listed before any directory']);
  });

  it('attributes packages to the layer that installed them', async () => {
    const base = readFileSync(sharedFixtures('os', 'apk', 'alpine-3.20.3', 'lib', 'apk', 'db', 'installed'), 'utf8');
    const extra = 'P:curl\nV:8.9.1-r1\nA:x86_64\no:curl\n';
    const dir = layoutOf([
      { entries: directoryEntries(sharedFixtures('os', 'apk', 'alpine-3.20.3')) },
      { entries: [{ type: 'file', path: 'lib/apk/db/installed', content: `${base.trimEnd()}\n\n${extra}` }] },
    ]);
    const [image] = (await scan(`oci:${dir}`)).images;
    expect(image!.packages.find((pkg) => pkg.name === 'curl')!.location.layerIndex).toBe(1);
    expect(image!.packages.find((pkg) => pkg.name === 'musl')!.location.layerIndex).toBe(0);
    expect(packageList({ reference: '', images: [image!] })[0]).toHaveLength(17);
  });
});
