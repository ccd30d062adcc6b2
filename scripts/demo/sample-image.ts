import { DEBIAN_12_OS_RELEASE } from '../../tools/image-builder/debian-os-release.ts';
import type { TarInput } from '../../tools/image-builder/tar-writer.ts';

/**
 * A small Debian 12 image, described here so the demo needs no network, registry or root: a base
 * layer with a dpkg database, and an application layer that installs two more packages and deletes
 * a file with a whiteout, as `apt-get install` followed by cleanup would, and adds an npm package.
 */
interface SamplePackage {
  name: string;
  version: string;
  architecture: string;
  source?: string;
}

const BASE: SamplePackage[] = [
  { name: 'base-files', version: '12.4+deb12u11', architecture: 'ARCH' },
  { name: 'bash', version: '5.2.15-2+b8', architecture: 'ARCH', source: 'bash (5.2.15-2)' },
  { name: 'bsdutils', version: '1:2.38.1-5+deb12u3', architecture: 'ARCH', source: 'util-linux (2.38.1-5+deb12u3)' },
  { name: 'coreutils', version: '9.1-1', architecture: 'ARCH' },
  { name: 'libc6', version: '2.36-9+deb12u10', architecture: 'ARCH', source: 'glibc' },
  { name: 'libssl3', version: '3.0.16-1~deb12u1', architecture: 'ARCH', source: 'openssl' },
  { name: 'tzdata', version: '2025b-0+deb12u1', architecture: 'all' },
  { name: 'zlib1g', version: '1:1.2.13.dfsg-1', architecture: 'ARCH', source: 'zlib' },
];

const APP: SamplePackage[] = [
  { name: 'ca-certificates', version: '20230311+deb12u1', architecture: 'all' },
  { name: 'curl', version: '7.88.1-10+deb12u12', architecture: 'ARCH' },
  { name: 'libcurl4', version: '7.88.1-10+deb12u12', architecture: 'ARCH', source: 'curl' },
];

function statusFile(packages: SamplePackage[], architecture: string): TarInput {
  const stanzas = packages.map((pkg) =>
    [
      `Package: ${pkg.name}`,
      'Status: install ok installed',
      `Architecture: ${pkg.architecture === 'ARCH' ? architecture : pkg.architecture}`,
      ...(pkg.source ? [`Source: ${pkg.source}`] : []),
      `Version: ${pkg.version}`,
      `Description: ${pkg.name} (demo entry)`,
    ].join('\n'),
  );
  return { type: 'file', path: 'var/lib/dpkg/status', content: `${stanzas.join('\n\n')}\n` };
}

export function baseLayer(architecture: string): TarInput[] {
  return [
    { type: 'dir', path: 'etc' },
    { type: 'symlink', path: 'etc/os-release', target: '../usr/lib/os-release' },
    { type: 'file', path: 'etc/debian_version', content: '12.11\n' },
    { type: 'file', path: 'usr/lib/os-release', content: DEBIAN_12_OS_RELEASE },
    { type: 'symlink', path: 'bin', target: 'usr/bin' },
    { type: 'file', path: 'usr/bin/bash', content: `#!demo bash for ${architecture}\n` },
    { type: 'file', path: 'var/cache/apt/pkgcache.bin', content: 'cache' },
    statusFile(BASE, architecture),
  ];
}

export function appLayer(architecture: string): TarInput[] {
  return [
    statusFile([...BASE, ...APP], architecture),
    { type: 'file', path: 'usr/bin/curl', content: `#!demo curl for ${architecture}\n` },
    { type: 'file', path: 'var/cache/apt/.wh.pkgcache.bin', content: '' },
    { type: 'file', path: 'srv/app/node_modules/demo-lib/package.json', content: JSON.stringify({ name: 'demo-lib', version: '1.2.3' }) },
  ];
}
