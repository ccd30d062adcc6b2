import { createHash } from 'node:crypto';
import { parseDigest, type Digest } from '../../../lambdas/core/digest.ts';
import type { ImageSbom, Package } from '../../../lambdas/core/sbom/model.ts';
import { Prng } from '../prng.ts';
import { CHANGED_NAMES, CHANGED_PACKAGES, type ChangedPackage } from './changed-advisories.ts';

/**
 * The stored fleet of the rescan bench: Debian 9 images with an npm application, 300 packages each
 * (110 deb, 190 npm), seeded so every run stores the same images. The Debian part is a common base
 * of real package names every image has plus extras from a pool; the npm part draws from a pool
 * with a long tail (popular modules in most images, most modules in few), as real trees do. An
 * affected image holds one to three of the changed packages at an affected version; no other image
 * holds any of them, so the changed keys' package index names exactly the affected images.
 */
export const DEB_PACKAGES = 110;
export const NPM_PACKAGES = 190;
export const PACKAGES_PER_IMAGE = DEB_PACKAGES + NPM_PACKAGES;

/** Real Debian 9 base packages: [binary, source, version]. Old enough that some fixture DLAs affect them. */
const DEBIAN_BASE = [
  ['base-files', 'base-files', '9.9+deb9u13'], ['bash', 'bash', '4.4-5'], ['coreutils', 'coreutils', '8.26-3'], ['dpkg', 'dpkg', '1.18.25'],
  ['libc6', 'glibc', '2.24-11+deb9u4'], ['libc-bin', 'glibc', '2.24-11+deb9u4'], ['libssl1.1', 'openssl', '1.1.0l-1~deb9u5'], ['openssl', 'openssl', '1.1.0l-1~deb9u5'],
  ['zlib1g', 'zlib', '1:1.2.8.dfsg-5'], ['tar', 'tar', '1.29b-1.1'], ['gzip', 'gzip', '1.6-5+b1'], ['sed', 'sed', '4.4-1'], ['grep', 'grep', '2.27-2'],
  ['perl-base', 'perl', '5.24.1-3+deb9u7'], ['libgcc1', 'gcc-6', '1:6.3.0-18+deb9u1'], ['libstdc++6', 'gcc-6', '6.3.0-18+deb9u1'], ['apt', 'apt', '1.4.11'],
  ['libapt-pkg5.0', 'apt', '1.4.11'], ['debian-archive-keyring', 'debian-archive-keyring', '2017.5+deb9u1'], ['ca-certificates', 'ca-certificates', '20200601~deb9u2'],
  ['curl', 'curl', '7.52.1-5+deb9u16'], ['libcurl3', 'curl', '7.52.1-5+deb9u16'], ['tzdata', 'tzdata', '2021a-0+deb9u1'], ['libsystemd0', 'systemd', '232-25+deb9u13'],
  ['util-linux', 'util-linux', '2.29.2-1+deb9u1'], ['mount', 'util-linux', '2.29.2-1+deb9u1'], ['login', 'shadow', '1:4.4-4.1+deb9u1'], ['passwd', 'shadow', '1:4.4-4.1+deb9u1'],
  ['libpam0g', 'pam', '1.1.8-3.6'], ['libpam-modules', 'pam', '1.1.8-3.6'], ['libselinux1', 'libselinux', '2.6-3+b3'], ['libsemanage1', 'libsemanage', '2.6-2'],
  ['libaudit1', 'audit', '1:2.6.7-2'], ['libacl1', 'acl', '2.2.52-3+b1'], ['libattr1', 'attr', '1:2.4.47-2+b2'], ['libbz2-1.0', 'bzip2', '1.0.6-8.1'],
  ['liblzma5', 'xz-utils', '5.2.2-1.2+b1'], ['libzstd1', 'libzstd', '1.1.2-1+deb9u1'], ['libgnutls30', 'gnutls28', '3.5.8-5+deb9u6'], ['libgcrypt20', 'libgcrypt20', '1.7.6-2+deb9u4'],
  ['libidn2-0', 'libidn2-0', '0.16-1+deb9u1'], ['libnghttp2-14', 'nghttp2', '1.18.1-1+deb9u2'], ['libpsl5', 'libpsl', '0.17.0-3'], ['libssh2-1', 'libssh2', '1.7.0-1+deb9u2'],
  ['libsqlite3-0', 'sqlite3', '3.16.2-5+deb9u3'], ['libdb5.3', 'db5.3', '5.3.28-12+deb9u1'], ['libncursesw5', 'ncurses', '6.0+20161126-1+deb9u2'], ['libtinfo5', 'ncurses', '6.0+20161126-1+deb9u2'],
  ['libgmp10', 'gmp', '2:6.1.2+dfsg-1'], ['libnettle6', 'nettle', '3.3-1+b2'], ['libp11-kit0', 'p11-kit', '0.23.3-2'], ['libtasn1-6', 'libtasn1-6', '4.10-1.1+deb9u1'],
  ['libffi6', 'libffi', '3.2.1-6'], ['libuuid1', 'util-linux', '2.29.2-1+deb9u1'], ['libblkid1', 'util-linux', '2.29.2-1+deb9u1'], ['libmount1', 'util-linux', '2.29.2-1+deb9u1'],
  ['libsmartcols1', 'util-linux', '2.29.2-1+deb9u1'], ['libpcre3', 'pcre3', '2:8.39-3'], ['libkrb5-3', 'krb5', '1.15-1+deb9u3'], ['libgssapi-krb5-2', 'krb5', '1.15-1+deb9u3'],
  ['libk5crypto3', 'krb5', '1.15-1+deb9u3'], ['libkeyutils1', 'keyutils', '1.5.9-9'], ['libldap-2.4-2', 'openldap', '2.4.44+dfsg-5+deb9u8'], ['libsasl2-2', 'cyrus-sasl2', '2.1.27~101-g0780600+dfsg-3+deb9u2'],
  ['libexpat1', 'expat', '2.2.0-2+deb9u5'], ['libreadline7', 'readline', '7.0-3'], ['libpython2.7-minimal', 'python2.7', '2.7.13-2+deb9u6'], ['netbase', 'netbase', '5.4'],
  ['hostname', 'hostname', '3.18+b1'], ['findutils', 'findutils', '4.6.0+git+20161106-2'], ['diffutils', 'diffutils', '1:3.5-3'], ['debianutils', 'debianutils', '4.8.1.1'],
  ['sensible-utils', 'sensible-utils', '0.0.9+deb9u1'], ['ncurses-base', 'ncurses', '6.0+20161126-1+deb9u2'], ['mawk', 'mawk', '1.3.3-17+b3'], ['gpgv', 'gnupg2', '2.1.18-8~deb9u4'],
  ['adduser', 'adduser', '3.115'], ['init-system-helpers', 'init-system-helpers', '1.48'], ['lsb-base', 'lsb', '9.20161125'], ['libudev1', 'systemd', '232-25+deb9u13'],
  ['libcap-ng0', 'libcap-ng', '0.7.7-3+b1'], ['libfdisk1', 'util-linux', '2.29.2-1+deb9u1'], ['libhogweed4', 'nettle', '3.3-1+b2'], ['liblz4-1', 'lz4', '0.0~r131-2+b1'],
  ['libgpg-error0', 'libgpg-error', '1.26-2'], ['libunistring0', 'libunistring', '0.9.6+really0.9.3-0.1'], ['libstdc++-6-dev', 'gcc-6', '6.3.0-18+deb9u1'], ['libcomerr2', 'e2fsprogs', '1.43.4-2+deb9u2'],
  ['e2fsprogs', 'e2fsprogs', '1.43.4-2+deb9u2'], ['libss2', 'e2fsprogs', '1.43.4-2+deb9u2'], ['procps', 'procps', '2:3.3.12-3+deb9u1'], ['libprocps6', 'procps', '2:3.3.12-3+deb9u1'],
] as const;

const SYLLABLES = ['ab', 'ba', 'co', 'de', 'el', 'fu', 'gi', 'ha', 'is', 'jo', 'ke', 'lo', 'my', 'no', 'ob', 'pi', 'qu', 'ra', 'si', 'tu', 'up', 'vo', 'wa', 'xe', 'yo', 'zi'];

/** Real npm modules near the top of the registry's dependents, then the long tail. Never a changed package. */
const NPM_POPULAR = [
  'lodash', 'chalk', 'debug', 'ms', 'semver', 'commander', 'tslib', 'inherits', 'safe-buffer', 'readable-stream', 'string_decoder', 'util-deprecate',
  'ansi-regex', 'ansi-styles', 'strip-ansi', 'supports-color', 'has-flag', 'color-convert', 'color-name', 'escape-string-regexp', 'glob', 'minimatch',
  'brace-expansion', 'balanced-match', 'concat-map', 'once', 'wrappy', 'inflight', 'fs.realpath', 'path-is-absolute', 'mime', 'mime-types', 'mime-db',
  'qs', 'body-parser', 'express', 'cookie', 'depd', 'http-errors', 'statuses', 'setprototypeof', 'toidentifier', 'bytes', 'iconv-lite', 'safer-buffer',
  'raw-body', 'type-is', 'media-typer', 'on-finished', 'ee-first', 'uuid', 'yargs', 'yargs-parser', 'camelcase', 'cliui', 'wrap-ansi', 'string-width',
  'emoji-regex', 'is-fullwidth-code-point', 'y18n', 'get-caller-file', 'require-directory', 'async', 'axios', 'follow-redirects', 'form-data', 'combined-stream',
  'delayed-stream', 'asynckit', 'ws', 'node-fetch', 'whatwg-url', 'tr46', 'webidl-conversions', 'moment', 'dotenv', 'cross-spawn', 'which', 'isexe',
  'path-key', 'shebang-command', 'shebang-regex', 'picomatch', 'micromatch', 'braces', 'fill-range', 'to-regex-range', 'is-number', 'fast-glob',
] as const;
const NPM_TAIL = 6_000;

export interface FleetImage {
  readonly index: number;
  readonly repository: string;
  readonly digest: Digest;
  /** The changed packages it holds (empty: unaffected). */
  readonly changed: readonly ChangedPackage[];
  readonly sbom: ImageSbom;
}

const LAYER = digestOf('rescan-bench-layer');

/** Image `index` of the fleet; affected ones hold 1–3 changed packages (`changedCount`, chosen by the caller). */
export function fleetImage(index: number, changedCount: 0 | 1 | 2 | 3): FleetImage {
  const random = new Prng(0x5e5ca1 ^ Math.imul(index + 1, 0x9e3779b1));
  const repository = `team-${index % 97}/service-${index}`;
  const digest = digestOf(`rescan-bench-image-${index}`);
  const changed = pickChanged(random, changedCount);
  const packages: Package[] = [];
  // Debian: the base, then extras from a pool (with the changed library's binaries where it has it).
  const debs: [string, string, string][] = DEBIAN_BASE.map(([name, source, version]) => [name, source, version]);
  if (changed.includes('libxml2')) for (const binary of CHANGED_PACKAGES.libxml2.binaries) debs.push([binary, CHANGED_PACKAGES.libxml2.source, CHANGED_PACKAGES.libxml2.version]);
  const extras = new Set<number>();
  while (debs.length < DEB_PACKAGES) {
    const pick = random.int(0, 1_500);
    if (extras.has(pick)) continue;
    extras.add(pick);
    const name = `lib${syllable(pick)}${pick % 7}`;
    debs.push([name, name, `${1 + (pick % 5)}.${pick % 23}.${pick % 9}-${1 + (pick % 4)}${pick % 3 === 0 ? '+deb9u1' : ''}`]);
  }
  for (const [name, source, version] of debs) packages.push(deb(name, source, version));
  // npm: the changed modules it holds, popular modules mostly, and the long tail.
  const npm = new Map<string, string>();
  for (const name of changed) if (name !== 'libxml2') npm.set(name, CHANGED_PACKAGES[name].version);
  while (npm.size < NPM_PACKAGES) {
    const popular = random.chance(0.35);
    const name = popular ? random.pick(NPM_POPULAR) : tailName(Math.floor(random.logUniform(1, NPM_TAIL)));
    if (!npm.has(name)) npm.set(name, npmVersion(name, random));
  }
  for (const [name, version] of npm) packages.push(npmPackage(name, version));
  const sbom: ImageSbom = {
    reference: `${repository}@${digest}`,
    repository,
    tag: '1',
    platform: { os: 'linux', architecture: 'amd64' },
    manifestDigest: digest,
    configDigest: digestOf(`rescan-bench-config-${index}`),
    distro: { id: 'debian', versionId: '9', codename: 'stretch', prettyName: 'Debian GNU/Linux 9 (stretch)', source: '/etc/os-release' },
    layers: [{ index: 0, digest: LAYER, diffId: LAYER, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', size: 52_428_800, status: 'read' }],
    packages,
    warnings: [],
  };
  return { index, repository, digest, changed, sbom };
}

function pickChanged(random: Prng, count: number): ChangedPackage[] {
  const names = [...CHANGED_NAMES];
  const chosen: ChangedPackage[] = [];
  while (chosen.length < count) chosen.push(names.splice(random.int(0, names.length), 1)[0]!);
  return chosen.sort();
}

function deb(name: string, source: string, version: string): Package {
  const purl = `pkg:deb/debian/${name}@${encodeURIComponent(version)}?arch=amd64&distro=debian-9`;
  return { id: purl, type: 'deb', name, version, architecture: 'amd64', source: { name: source, version }, purl, location: { path: '/var/lib/dpkg/status', layerIndex: 0, layerDigest: LAYER, layerDiffId: LAYER }, cataloger: 'dpkg-database' };
}

function npmPackage(name: string, version: string): Package {
  const purl = `pkg:npm/${name.startsWith('@') ? `%40${name.slice(1)}` : name}@${version}`;
  const path = `/app/node_modules/${name}/package.json`;
  return { id: `${purl}#${path}`, type: 'npm', name, version, purl, location: { path, layerIndex: 0, layerDigest: LAYER, layerDiffId: LAYER }, cataloger: 'npm-package-json' };
}

/** Versions fixed per name for popular modules (lodash 4.17.15 is affected by the fixture's lodash records), varied for the tail. */
function npmVersion(name: string, random: Prng): string {
  if (name === 'lodash') return random.chance(0.5) ? '4.17.15' : '4.17.21';
  if (name === 'semver') return random.pick(['5.7.1', '6.3.0', '7.3.8', '7.5.4']);
  return `${random.int(0, 9)}.${random.int(0, 20)}.${random.int(0, 12)}`;
}

function tailName(serial: number): string {
  const base = `${syllable(serial)}${syllable(serial * 7 + 3)}`;
  return serial % 6 === 0 ? `@${syllable(serial % 40)}-org/${base}-${serial.toString(36)}` : `${base}-${serial.toString(36)}`;
}

function syllable(seed: number): string {
  return `${SYLLABLES[seed % SYLLABLES.length]}${SYLLABLES[Math.floor(seed / SYLLABLES.length) % SYLLABLES.length]}`;
}

function digestOf(text: string): Digest {
  return parseDigest(`sha256:${createHash('sha256').update(text).digest('hex')}`);
}
