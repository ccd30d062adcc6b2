import { Prng } from './prng.ts';

/** The exact number of installed packages the bench image declares; the scan must find them all. */
export const DPKG_PACKAGES = 500;

const REAL = [
  ['base-files', 'base-files', '12.4+deb12u5'], ['bash', 'bash', '5.2.15-2+b2'], ['coreutils', 'coreutils', '9.1-1'],
  ['dpkg', 'dpkg', '1.21.22'], ['libc6', 'glibc', '2.36-9+deb12u4'], ['libc-bin', 'glibc', '2.36-9+deb12u4'],
  ['libssl3', 'openssl', '3.0.11-1~deb12u2'], ['openssl', 'openssl', '3.0.11-1~deb12u2'], ['zlib1g', 'zlib', '1:1.2.13.dfsg-1'],
  ['tar', 'tar', '1.34+dfsg-1.2+deb12u1'], ['gzip', 'gzip', '1.12-1'], ['sed', 'sed', '4.9-1'], ['grep', 'grep', '3.8-5'],
  ['perl-base', 'perl', '5.36.0-7+deb12u1'], ['libgcc-s1', 'gcc-12', '12.2.0-14'], ['libstdc++6', 'gcc-12', '12.2.0-14'],
  ['apt', 'apt', '2.6.1'], ['libapt-pkg6.0', 'apt', '2.6.1'], ['debian-archive-keyring', 'debian-archive-keyring', '2023.3+deb12u1'],
  ['ca-certificates', 'ca-certificates', '20230311'], ['curl', 'curl', '7.88.1-10+deb12u5'], ['libcurl4', 'curl', '7.88.1-10+deb12u5'],
  ['python3.11-minimal', 'python3.11', '3.11.2-6'], ['libsystemd0', 'systemd', '252.22-1~deb12u1'], ['util-linux', 'util-linux', '2.38.1-5+b1'],
] as const;

export interface DpkgDatabase {
  readonly status: string;
  /** Package names, for directory names that look like a real filesystem. */
  readonly names: readonly string[];
}

/** A Debian 12 dpkg status database with DPKG_PACKAGES installed packages (real ones first). */
export function dpkgDatabase(seed: number): DpkgDatabase {
  const random = new Prng(seed ^ 0xd9c6);
  const stanzas: string[] = [];
  const names: string[] = [];
  for (let index = 0; index < DPKG_PACKAGES; index++) {
    const real = REAL[index];
    const name = real ? real[0] : `lib${syllables(random)}${random.int(0, 10)}-${index}`;
    const source = real ? real[1] : name.replace(/\d*-\d+$/, '');
    const version = real ? real[2] : `${random.chance(0.1) ? '1:' : ''}${random.int(0, 10)}.${random.int(0, 30)}.${random.int(0, 9)}-${random.int(1, 6)}${random.chance(0.3) ? '+deb12u1' : ''}`;
    const arch = random.chance(0.15) ? 'all' : 'amd64';
    names.push(name);
    stanzas.push(
      [
        `Package: ${name}`,
        'Status: install ok installed',
        `Priority: ${random.pick(['required', 'important', 'optional'])}`,
        `Section: ${random.pick(['libs', 'utils', 'admin', 'net', 'devel', 'python'])}`,
        `Installed-Size: ${random.logUniform(8, 60000)}`,
        'Maintainer: Debian Bench Maintainers <bench@lists.debian.org>',
        `Architecture: ${arch}`,
        ...(arch === 'amd64' && random.chance(0.5) ? ['Multi-Arch: same'] : []),
        ...(source !== name ? [`Source: ${source}${random.chance(0.2) ? ` (${version})` : ''}`] : []),
        `Version: ${version}`,
        ...(index > 0 ? [`Depends: ${names[random.int(0, index)]} (>= 1.0), ${names[random.int(0, index)]}`] : []),
        `Description: ${name} – ${syllables(random)} ${syllables(random)} support`,
        ` This package provides the ${syllables(random)} runtime for ${syllables(random)} programs.`,
        ' .',
        ` It is part of the bench fixture and carries no real files.`,
      ].join('\n'),
    );
  }
  // A removed package with leftover config: dpkg lists it, but it is not installed.
  stanzas.push('Package: old-removed-tool\nStatus: deinstall ok config-files\nArchitecture: amd64\nVersion: 0.9-1\nDescription: removed');
  return { status: `${stanzas.join('\n\n')}\n`, names };
}

function syllables(random: Prng): string {
  const parts = ['ac', 'bo', 'cu', 'da', 'el', 'fi', 'go', 'hu', 'io', 'ka', 'lu', 'mi', 'no', 'pa', 'ro', 'sa', 'te', 'vi', 'xo', 'zu'];
  let word = '';
  for (let count = random.int(2, 4); count > 0; count--) word += random.pick(parts);
  return word;
}
