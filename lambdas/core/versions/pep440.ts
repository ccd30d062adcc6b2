/**
 * PEP 440 versions, ordered exactly as `packaging.version.Version` (packaging ≥ 22, no legacy
 * versions): the same regular expression, the same normalisation (alternate spellings, implicit
 * numbers) and the same sort key.
 */
import { CustomsError } from '../errors.ts';
import { compareDigits } from './digit-strings.ts';
import { sign, type Ordering, type VersionScheme } from './version-scheme.ts';

// packaging's VERSION_PATTERN. `\s` is spelled out: Python's str `\s` and JavaScript's differ
// outside ASCII, and only ASCII matters for real package metadata.
const WS = '[ \\t\\n\\r\\f\\v]*';
const PATTERN = new RegExp(
  `^${WS}v?(?:(?:([0-9]+)!)?([0-9]+(?:\\.[0-9]+)*)` +
    '(?:[-_.]?(alpha|a|beta|b|preview|pre|c|rc)[-_.]?([0-9]+)?)?' +
    '(?:-([0-9]+)|[-_.]?(post|rev|r)[-_.]?([0-9]+)?)?' +
    '(?:[-_.]?(dev)[-_.]?([0-9]+)?)?)' +
    `(?:\\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?${WS}$`,
  'i',
);

/** Parsed parts; numbers stay digit strings so arbitrarily large ones order correctly. */
interface Pep440 {
  epoch: string;
  release: string[]; // trailing zeros removed: 1.0 == 1
  pre?: [letter: 'a' | 'b' | 'rc', number: string];
  post?: string;
  dev?: string;
  local?: string[];
}

function parse(version: string): Pep440 | undefined {
  const m = PATTERN.exec(version);
  if (!m) return undefined;
  const [, epoch, release, preL, preN, postN1, postL, postN2, devL, devN, local] = m;
  const parts = release!.split('.');
  while (parts.length > 0 && /^0+$/.test(parts[parts.length - 1]!)) parts.pop();
  return {
    epoch: epoch ?? '0',
    release: parts,
    pre: preL === undefined ? undefined : [preLetter(preL), preN ?? '0'],
    post: postN1 ?? (postL === undefined ? undefined : (postN2 ?? '0')),
    dev: devL === undefined ? undefined : (devN ?? '0'),
    local: local === undefined ? undefined : local.toLowerCase().split(/[-_.]/),
  };
}

function preLetter(label: string): 'a' | 'b' | 'rc' {
  const l = label.toLowerCase();
  if (l === 'a' || l === 'alpha') return 'a';
  if (l === 'b' || l === 'beta') return 'b';
  return 'rc'; // c, rc, pre, preview
}

/** Rank of the pre-release slot in packaging's key: a bare dev release sorts before any pre-release. */
function preRank(v: Pep440): number {
  if (v.pre) return 0;
  return v.post === undefined && v.dev !== undefined ? -1 : 1;
}

function compareParsed(a: Pep440, b: Pep440): Ordering {
  return (
    compareDigits(a.epoch, b.epoch) ||
    compareRelease(a.release, b.release) ||
    sign(preRank(a) - preRank(b)) ||
    comparePre(a.pre, b.pre) ||
    compareOptional(a.post, b.post, -1) || // no post sorts first
    compareOptional(a.dev, b.dev, 1) || // no dev sorts last
    compareLocal(a.local, b.local)
  );
}

function compareRelease(a: string[], b: string[]): Ordering {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = compareDigits(a[i]!, b[i]!);
    if (c) return c;
  }
  return sign(a.length - b.length);
}

function comparePre(a: Pep440['pre'], b: Pep440['pre']): Ordering {
  if (!a || !b) return 0; // ranks already differ when only one has a pre-release
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  return compareDigits(a[1], b[1]);
}

/** `missing` is where an absent part sorts: -1 before every present value, 1 after. */
function compareOptional(a: string | undefined, b: string | undefined, missing: Ordering): Ordering {
  if (a === undefined && b === undefined) return 0;
  if (a === undefined) return missing;
  if (b === undefined) return (-missing) as Ordering;
  return compareDigits(a, b);
}

/** Local labels compare segment-wise: numbers above strings, a longer label above its prefix. */
function compareLocal(a: string[] | undefined, b: string[] | undefined): Ordering {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? -1 : 1;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i]!;
    const y = b[i]!;
    const xNum = /^[0-9]+$/.test(x);
    const yNum = /^[0-9]+$/.test(y);
    const c = xNum && yNum ? compareDigits(x, y) : xNum !== yNum ? (xNum ? 1 : -1) : x < y ? -1 : x > y ? 1 : 0;
    if (c) return c;
  }
  return sign(a.length - b.length);
}

function parseOrThrow(version: string): Pep440 {
  const parsed = parse(version);
  if (!parsed) throw new CustomsError('malformed', `not a PEP 440 version: ${JSON.stringify(version)}`);
  return parsed;
}

export const pep440Scheme: VersionScheme = {
  name: 'pep440',
  isValid: (version) => parse(version) !== undefined,
  compare: (a, b) => compareParsed(parseOrThrow(a), parseOrThrow(b)),
};
