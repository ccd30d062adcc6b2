import type { TarInput } from '../../../tools/image-builder/tar-writer.ts';

/**
 * Debian 12 packages of the demo image, as bookworm's 12.0 release shipped them (amd64), and the
 * dpkg status file that lists them. The demo's vulnerable glibc is the release's own 2.36-9;
 * 2.36-9+deb12u3 is the security update that fixed CVE-2023-4911.
 */
export interface DebianPackage {
  readonly name: string;
  readonly version: string;
  readonly architecture: 'amd64' | 'all';
  /** `Source:` as dpkg writes it: absent when it equals the name, with a version for a binNMU. */
  readonly source?: string;
  readonly description: string;
}

export const GLIBC_VULNERABLE = '2.36-9';
export const GLIBC_FIXED = '2.36-9+deb12u3';

/** The base system, with glibc at the given version. */
export function basePackages(glibc: string): DebianPackage[] {
  return [
    { name: 'base-files', version: '12.4', architecture: 'amd64', description: 'Debian base system miscellaneous files' },
    { name: 'bash', version: '5.2.15-2+b2', architecture: 'amd64', source: 'bash (5.2.15-2)', description: 'GNU Bourne Again SHell' },
    { name: 'coreutils', version: '9.1-1', architecture: 'amd64', description: 'GNU core utilities' },
    { name: 'dpkg', version: '1.21.22', architecture: 'amd64', description: 'Debian package management system' },
    { name: 'libc-bin', version: glibc, architecture: 'amd64', source: 'glibc', description: 'GNU C Library: Binaries' },
    { name: 'libc6', version: glibc, architecture: 'amd64', source: 'glibc', description: 'GNU C Library: Shared libraries' },
    { name: 'libssl3', version: '3.0.9-1', architecture: 'amd64', source: 'openssl', description: 'Secure Sockets Layer toolkit - shared libraries' },
    { name: 'tzdata', version: '2023c-5', architecture: 'all', description: 'time zone and daylight-saving time data' },
    { name: 'zlib1g', version: '1:1.2.13.dfsg-1', architecture: 'amd64', source: 'zlib', description: 'compression library - runtime' },
  ];
}

/** What `apt-get install nodejs` adds on bookworm 12.0. */
export const NODEJS_PACKAGES: readonly DebianPackage[] = [
  { name: 'libnode108', version: '18.13.0+dfsg1-1', architecture: 'amd64', source: 'nodejs', description: 'evented I/O for V8 javascript - runtime library' },
  { name: 'nodejs', version: '18.13.0+dfsg1-1', architecture: 'amd64', description: 'evented I/O for V8 javascript - runtime executable' },
];

export function dpkgStatus(packages: readonly DebianPackage[]): TarInput {
  const stanzas = packages.map((pkg) =>
    [
      `Package: ${pkg.name}`,
      'Status: install ok installed',
      `Architecture: ${pkg.architecture}`,
      ...(pkg.source ? [`Source: ${pkg.source}`] : []),
      `Version: ${pkg.version}`,
      `Description: ${pkg.description}`,
    ].join('\n'),
  );
  return { type: 'file', path: 'var/lib/dpkg/status', content: `${stanzas.join('\n\n')}\n` };
}
