/**
 * PHP's version_compare(), rewritten from php-src's behaviour: the string is canonicalised (`-`,
 * `_`, `+` and other non-alphanumerics become `.`, and a `.` goes between digit and non-digit
 * runs), then compared part by part. Numbers compare as C longs; other parts rank by prefix:
 * anything unknown < dev < alpha = a < beta = b < RC = rc < (a number) < pl = p.
 */
import type { Ordering } from './version-scheme.ts';

const LONG_MAX = 2n ** 63n - 1n; // strtol saturates

// C-locale ctype over bytes: PHP sees UTF-8 bytes, so callers pass latin1-decoded UTF-8.
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isAlnum = (c: string): boolean => /^[0-9A-Za-z]$/.test(c);

function canonicalize(version: string): string {
  let out = version[0]!; // php-src copies the first byte as it is
  let previous = out;
  for (const c of version.slice(1)) {
    const last = out[out.length - 1];
    const nonDigit = (x: string): boolean => !isDigit(x) && x !== '.';
    const digit = (x: string): boolean => isDigit(x) && x !== '.';
    if (c === '-' || c === '_' || c === '+') {
      if (last !== '.') out += '.';
    } else if ((nonDigit(previous) && digit(c)) || (digit(previous) && nonDigit(c))) {
      if (last !== '.') out += '.';
      out += c;
    } else if (!isAlnum(c)) {
      if (last !== '.') out += '.';
    } else {
      out += c;
    }
    previous = c;
  }
  return out;
}

const SPECIAL_FORMS: readonly (readonly [string, number])[] = [
  ['dev', 0],
  ['alpha', 1],
  ['a', 1],
  ['beta', 2],
  ['b', 2],
  ['RC', 3],
  ['rc', 3],
  ['#', 4],
  ['pl', 5],
  ['p', 5],
];

function compareForms(a: string, b: string): Ordering {
  const rank = (form: string): number => SPECIAL_FORMS.find(([name]) => form.startsWith(name))?.[1] ?? -1;
  const d = rank(a) - rank(b);
  return d < 0 ? -1 : d > 0 ? 1 : 0;
}

function toLong(part: string): bigint {
  const n = BigInt(/^[0-9]+/.exec(part)![0]);
  return n > LONG_MAX ? LONG_MAX : n;
}

function comparePart(p1: string, p2: string): Ordering {
  if (isDigit(p1[0]) && isDigit(p2[0])) {
    const l1 = toLong(p1);
    const l2 = toLong(p2);
    return l1 < l2 ? -1 : l1 > l2 ? 1 : 0;
  }
  if (!isDigit(p1[0]) && !isDigit(p2[0])) return compareForms(p1, p2);
  return isDigit(p1[0]) ? compareForms('#N#', p2) : compareForms(p1, '#N#'); // `#N#` stands for a number
}

/** version_compare($a, $b) over latin1-decoded UTF-8 bytes. */
export function phpVersionCompare(a: string, b: string): Ordering {
  if (a === '' || b === '') return a === b ? 0 : a === '' ? -1 : 1;
  const v1 = a.startsWith('#') ? a : canonicalize(a);
  const v2 = b.startsWith('#') ? b : canonicalize(b);
  // Mirrors php-src's two cursors: p is where the current part starts, n the dot ending it (-1: none).
  let p1 = 0;
  let p2 = 0;
  let n1 = 0;
  let n2 = 0;
  let compare: Ordering = 0;
  while (p1 < v1.length && p2 < v2.length && n1 >= 0 && n2 >= 0) {
    n1 = v1.indexOf('.', p1);
    n2 = v2.indexOf('.', p2);
    compare = comparePart(v1.slice(p1, n1 < 0 ? undefined : n1), v2.slice(p2, n2 < 0 ? undefined : n2));
    if (compare !== 0) break;
    if (n1 >= 0) p1 = n1 + 1;
    if (n2 >= 0) p2 = n2 + 1;
  }
  if (compare !== 0) return compare;
  if (n1 >= 0) return isDigit(v1[p1]) ? 1 : phpVersionCompare(v1.slice(p1), '#N#');
  if (n2 >= 0) return isDigit(v2[p2]) ? -1 : phpVersionCompare('#N#', v2.slice(p2));
  return 0;
}
