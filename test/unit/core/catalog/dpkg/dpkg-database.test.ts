import { describe, expect, it } from 'vitest';
import { parseControlStanzas } from '../../../../../lambdas/core/catalog/dpkg/control-stanzas.ts';
import { parseDpkgDatabase } from '../../../../../lambdas/core/catalog/dpkg/dpkg-database-analyzer.ts';

function parse(text: string, path = 'var/lib/dpkg/status') {
  const warnings: string[] = [];
  const result = parseDpkgDatabase({ path, bytes: Buffer.from(text) }, { warn: (message) => warnings.push(message) });
  return { result, warnings };
}

describe('parseControlStanzas', () => {
  it('splits stanzas, lowercases field names and joins continuation lines', () => {
    const stanzas = parseControlStanzas('Package: a\nDescription: short\n long line\n .\n\n\nPACKAGE: b\r\nVersion: 2\r\n');
    expect(stanzas.map((stanza) => Object.fromEntries(stanza))).toEqual([
      { package: 'a', description: 'short\nlong line\n.' },
      { package: 'b', version: '2' },
    ]);
  });
});

describe('parseDpkgDatabase', () => {
  it('keeps installed packages with architecture and source', () => {
    const { result, warnings } = parse(
      [
        'Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nSource: glibc\nVersion: 2.36-9+deb12u4\n',
        'Package: bsdutils\nStatus: install ok installed\nArchitecture: amd64\nSource: util-linux (2.38.1-5+deb12u3)\nVersion: 1:2.38.1-5+deb12u3\n',
        'Package: tzdata\nStatus: install ok installed\nArchitecture: all\nVersion: 2024a-0+deb12u1\n',
      ].join('\n'),
    );
    expect(warnings).toEqual([]);
    expect(result?.packages).toEqual([
      { name: 'libc6', version: '2.36-9+deb12u4', architecture: 'amd64', sourceName: 'glibc' },
      { name: 'bsdutils', version: '1:2.38.1-5+deb12u3', architecture: 'amd64', sourceName: 'util-linux', sourceVersion: '2.38.1-5+deb12u3' },
      { name: 'tzdata', version: '2024a-0+deb12u1', architecture: 'all' },
    ]);
  });

  it('drops packages whose files are not on disk, keeps half-installed ones', () => {
    const { result } = parse(
      [
        'Package: removed\nStatus: deinstall ok config-files\nVersion: 1\n',
        'Package: purged\nStatus: purge ok not-installed\nVersion: 1\n',
        'Package: unpacked\nStatus: install ok unpacked\nVersion: 1\n',
        'Package: broken\nStatus: install reinstreq half-installed\nVersion: 1\n',
        'Package: held\nStatus: hold ok installed\nVersion: 1\n',
      ].join('\n'),
    );
    expect(result?.packages.map((pkg) => pkg.name)).toEqual(['unpacked', 'broken', 'held']);
  });

  it('keeps the same package for two architectures (multiarch), warns about true duplicates', () => {
    const { result, warnings } = parse(
      ['libc6\nArchitecture: amd64\nVersion: 1\n', 'libc6\nArchitecture: i386\nVersion: 1\n', 'libc6\nArchitecture: i386\nVersion: 2\n'].map((rest) => `Package: ${rest}Status: install ok installed\n`).join('\n'),
    );
    expect(result?.packages.map((pkg) => `${pkg.name}:${pkg.architecture}@${pkg.version}`)).toEqual(['libc6:amd64@1', 'libc6:i386@1']);
    expect(warnings).toEqual(['package libc6:i386 is listed twice; the first entry is kept']);
  });

  it('skips stanzas without a name or version, with a warning, and keeps the rest', () => {
    const { result, warnings } = parse('Version: 1\n\nPackage: noversion\n\nPackage: ok\nStatus: install ok installed\nVersion: 3\n');
    expect(result?.packages.map((pkg) => pkg.name)).toEqual(['ok']);
    expect(warnings).toEqual(['a stanza without Package was skipped', 'a stanza without Version was skipped (package noversion)']);
  });

  it('warns about a Status dpkg would refuse and skips that package only', () => {
    const { result, warnings } = parse('Package: bad\nStatus: install ok\nVersion: 1\n\nPackage: odd\nStatus: install ok sideways\nVersion: 1\n\nPackage: ok\nStatus: install ok installed\nVersion: 2\n');
    expect(result?.packages.map((pkg) => pkg.name)).toEqual(['ok']);
    expect(warnings).toEqual([
      'package bad has a Status field dpkg cannot read ("install ok"); it was skipped',
      'package odd has a Status field dpkg cannot read ("install ok sideways"); it was skipped',
    ]);
  });

  it('reads a stanza without Status as not installed in the status file, as installed in status.d', () => {
    expect(parse('Package: x\nVersion: 1\n').result?.packages).toEqual([]);
    expect(parse('Package: x\nVersion: 1\n', 'var/lib/dpkg/status.d/x').result?.packages).toHaveLength(1);
  });

  it('ignores the metadata files beside status.d stanzas', () => {
    expect(parse('d41d8cd98f00b204e9800998ecf8427e  usr/lib/x\n', 'var/lib/dpkg/status.d/libsqlite3-0.md5sums').result).toBeUndefined();
    expect(parse('Package: x\nVersion: 1\n', 'var/lib/dpkg/status.d/python3.11').result?.packages).toHaveLength(1);
  });
});
