/**
 * RPM versions: `[epoch:]version[-release]`, each part ordered by rpmvercmp, as Debian's rpm 4.18
 * `rpm.vercmp` orders full EVR strings. rpm reads any non-empty string, so only '' is malformed.
 */
import { CustomsError } from '../errors.ts';
import { type Ordering, sign, type VersionScheme } from './version-scheme.ts';

interface Evr {
  readonly epoch: string;
  readonly version: string;
  /** Absent without a '-': rpm then orders it below any stated release, even an empty one. */
  readonly release: string | undefined;
}

/** rpm's EVR split: leading digits then ':' are the epoch; the release follows the last '-'. */
function parseEvr(text: string): Evr {
  const digits = /^\d*/.exec(text)![0];
  const hasEpoch = text[digits.length] === ':';
  const epoch = hasEpoch && digits !== '' ? digits : '0';
  const rest = hasEpoch ? text.slice(digits.length + 1) : text;
  const hyphen = rest.lastIndexOf('-');
  if (hyphen < 0) return { epoch, version: rest, release: undefined };
  return { epoch, version: rest.slice(0, hyphen), release: rest.slice(hyphen + 1) };
}

const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isAlpha = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
// Everything else (including non-ASCII) only separates segments.
const isSeparator = (c: string): boolean => !isDigit(c) && !isAlpha(c) && c !== '~' && c !== '^';

/** rpmvercmp: `~` sorts before anything, `^` after the end but before any other segment. */
export function rpmvercmp(a: string, b: string): Ordering {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  for (;;) {
    while (i < a.length && isSeparator(a[i]!)) i++;
    while (j < b.length && isSeparator(b[j]!)) j++;
    const x = a[i] ?? '';
    const y = b[j] ?? '';
    if (x === '~' || y === '~') {
      if (x !== '~') return 1;
      if (y !== '~') return -1;
      i++;
      j++;
      continue;
    }
    if (x === '^' || y === '^') {
      if (x === '') return -1;
      if (y === '') return 1;
      if (x !== '^') return 1;
      if (y !== '^') return -1;
      i++;
      j++;
      continue;
    }
    if (x === '' || y === '') break;
    const numeric = isDigit(x);
    const kind = numeric ? isDigit : isAlpha;
    const start1 = i;
    const start2 = j;
    while (i < a.length && kind(a[i]!)) i++;
    while (j < b.length && kind(b[j]!)) j++;
    // A numeric segment beats an alphabetic one.
    if (j === start2) return numeric ? 1 : -1;
    let one = a.slice(start1, i);
    let two = b.slice(start2, j);
    if (numeric) {
      one = one.replace(/^0+/, '');
      two = two.replace(/^0+/, '');
      if (one.length !== two.length) return one.length > two.length ? 1 : -1;
    }
    if (one !== two) return one < two ? -1 : 1;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}

function compareReleases(a: string | undefined, b: string | undefined): Ordering {
  if (a !== undefined && b !== undefined) return rpmvercmp(a, b);
  return a === b ? 0 : a === undefined ? -1 : 1;
}

function read(version: string): Evr {
  if (version === '') throw new CustomsError('malformed', `rpm version '${version}' is empty`);
  return parseEvr(version);
}

export const rpmScheme: VersionScheme = {
  name: 'rpm',
  isValid: (version) => version !== '',
  compare(a: string, b: string): Ordering {
    const left = read(a);
    const right = read(b);
    return sign(rpmvercmp(left.epoch, right.epoch) || rpmvercmp(left.version, right.version) || compareReleases(left.release, right.release));
  },
};
