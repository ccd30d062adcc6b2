/**
 * Debian package versions (Policy 5.6.12): `[epoch:]upstream[-revision]`, ordered as dpkg's
 * verrevcmp does. Validity follows what `dpkg --compare-versions` accepts: its parser's hard errors
 * make a version malformed, its warnings (upstream not starting with a digit, odd characters) do not.
 */
import { CustomsError } from '../errors.ts';
import { type Ordering, sign, type VersionScheme } from './version-scheme.ts';

interface DpkgVersion {
  readonly epoch: number;
  readonly upstream: Uint8Array;
  readonly revision: Uint8Array;
}

const INT_MAX = 2 ** 31 - 1;
// C isspace in the C locale: dpkg trims these and rejects them inside a version.
const SPACE = /[ \t\n\v\f\r]/;
const EDGE_SPACE = /^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g;
// strtol's grammar for the epoch; dpkg then rejects what is negative or above INT_MAX.
const EPOCH = /^[+-]?\d+$/;
const utf8 = new TextEncoder();

function parse(version: string): DpkgVersion | string {
  const text = version.replace(EDGE_SPACE, '');
  if (text === '') return 'version string is empty';
  if (SPACE.test(text)) return 'version string has embedded spaces';
  let rest = text;
  let epoch = 0;
  const colon = text.indexOf(':');
  if (colon >= 0) {
    const digits = text.slice(0, colon);
    if (digits === '') return 'epoch in version is empty';
    if (!EPOCH.test(digits)) return 'epoch in version is not number';
    epoch = Number(digits);
    if (epoch < 0) return 'epoch in version is negative';
    if (epoch > INT_MAX) return 'epoch in version is too big';
    rest = text.slice(colon + 1);
    if (rest === '') return 'nothing after colon in version number';
  }
  // The revision follows the last hyphen, so upstream may contain hyphens.
  const hyphen = rest.lastIndexOf('-');
  const upstream = hyphen >= 0 ? rest.slice(0, hyphen) : rest;
  const revision = hyphen >= 0 ? rest.slice(hyphen + 1) : '';
  if (hyphen >= 0 && revision === '') return 'revision number is empty';
  if (upstream === '') return 'version number is empty';
  // dpkg compares bytes, so non-ASCII characters order by their UTF-8 bytes.
  return { epoch, upstream: utf8.encode(upstream), revision: utf8.encode(revision) };
}

// Matching compares the installed version with every event of every record for the package, so the
// same strings are parsed over and over; parsing (and UTF-8 encoding) was most of a comparison.
// Parsed versions are immutable; the cache is dropped whole when full, which bounds its memory.
const MAX_CACHED = 50_000;
const parsedVersions = new Map<string, DpkgVersion | string>();

function parseCached(version: string): DpkgVersion | string {
  let parsed = parsedVersions.get(version);
  if (parsed === undefined) {
    if (parsedVersions.size >= MAX_CACHED) parsedVersions.clear();
    parsedVersions.set(version, (parsed = parse(version)));
  }
  return parsed;
}

function read(version: string): DpkgVersion {
  const parsed = parseCached(version);
  if (typeof parsed === 'string') throw new CustomsError('malformed', `dpkg version '${version}' is malformed: ${parsed}`);
  return parsed;
}

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isAlpha = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);

/** Weight of one byte in a non-digit run: `~` below the end (0), letters below everything else. */
function order(c: number | undefined): number {
  if (c === undefined || isDigit(c)) return 0;
  if (isAlpha(c)) return c;
  if (c === 0x7e) return -1;
  // dpkg's signed char: bytes from 0x80 come out as c - 256 + 256, below the ASCII punctuation.
  return c >= 0x80 ? c : c + 256;
}

/** dpkg's verrevcmp: alternating non-digit runs (by order) and digit runs (by value). */
export function verrevcmp(a: Uint8Array, b: Uint8Array): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a[i]!)) || (j < b.length && !isDigit(b[j]!))) {
      const diff = order(a[i]) - order(b[j]);
      if (diff !== 0) return diff;
      i++;
      j++;
    }
    while (a[i] === 0x30) i++;
    while (b[j] === 0x30) j++;
    let firstDiff = 0;
    while (i < a.length && j < b.length && isDigit(a[i]!) && isDigit(b[j]!)) {
      if (firstDiff === 0) firstDiff = a[i]! - b[j]!;
      i++;
      j++;
    }
    if (i < a.length && isDigit(a[i]!)) return 1;
    if (j < b.length && isDigit(b[j]!)) return -1;
    if (firstDiff !== 0) return firstDiff;
  }
  return 0;
}

export const dpkgScheme: VersionScheme = {
  name: 'dpkg',
  isValid: (version) => typeof parseCached(version) !== 'string',
  compare(a: string, b: string): Ordering {
    const left = read(a);
    const right = read(b);
    if (left.epoch !== right.epoch) return sign(left.epoch - right.epoch);
    return sign(verrevcmp(left.upstream, right.upstream) || verrevcmp(left.revision, right.revision));
  },
};
