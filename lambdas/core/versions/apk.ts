/**
 * Alpine (apk) versions: `digits{.digits}[letter]{_suffix[digits]}[~hash][-rN]`, ordered as
 * apk-tools 3 (Alpine 3.23+) orders them. One leniency from apk-tools 2.x, which older Alpine
 * releases ship: digits straight after the letter (`3.3.3p1`) are read as a plain number rather
 * than refused, so those packages stay comparable.
 */
import { CustomsError } from '../errors.ts';
import type { Ordering, VersionScheme } from './version-scheme.ts';

// Token kinds in apk-tools' order: each may only follow an earlier kind, and when two versions
// agree up to where one runs on, the kind reached decides.
const Kind = { InitialDigit: 0, Digit: 1, Letter: 2, Suffix: 3, SuffixNo: 4, CommitHash: 5, RevisionNo: 6, End: 7 } as const;
type Kind = (typeof Kind)[keyof typeof Kind];

interface Token {
  readonly kind: Kind;
  readonly text: string;
  /** Digits after the letter: numeric even with a leading zero (2.x leniency). */
  readonly afterLetter?: boolean;
}

// Pre-release suffixes sort below no suffix, post-release ones above; apk needs the exact word.
const SUFFIXES = ['alpha', 'beta', 'pre', 'rc', '', 'cvs', 'svn', 'git', 'hg', 'p'];
const NO_SUFFIX = SUFFIXES.indexOf('');

// One token per alternative; the groups say which kind it is (digits, letter, suffix, hash, revision).
const TOKEN = /^(?:\.?(\d+)|([a-z])|_([a-z]*)|~([0-9a-fA-F]+)|-r(\d+))/;

/** apk's token stream, or undefined when apk would refuse the version. */
function tokenize(version: string): Token[] | undefined {
  const first = /^\d+/.exec(version);
  if (first === null) return undefined;
  const tokens: Token[] = [{ kind: Kind.InitialDigit, text: first[0] }];
  let at = first[0].length;
  while (at < version.length) {
    const match = TOKEN.exec(version.slice(at));
    if (match === null) return undefined;
    const previous = tokens.at(-1)!.kind;
    const [whole, digits, letter, suffix, hash, revision] = match;
    let token: Token;
    if (digits !== undefined) {
      const dotted = whole.startsWith('.');
      if (previous === Kind.Suffix && !dotted) token = { kind: Kind.SuffixNo, text: digits };
      else if (previous === Kind.Letter && !dotted) token = { kind: Kind.Digit, text: digits, afterLetter: true };
      else if (previous <= Kind.Digit && dotted) token = { kind: Kind.Digit, text: digits };
      else return undefined;
    } else if (letter !== undefined) {
      if (previous > Kind.Digit) return undefined;
      token = { kind: Kind.Letter, text: letter };
    } else if (suffix !== undefined) {
      if (previous > Kind.SuffixNo || suffix === '' || !SUFFIXES.includes(suffix)) return undefined;
      token = { kind: Kind.Suffix, text: suffix };
    } else if (hash !== undefined) {
      if (previous >= Kind.CommitHash) return undefined;
      token = { kind: Kind.CommitHash, text: hash };
    } else {
      if (previous >= Kind.RevisionNo) return undefined;
      token = { kind: Kind.RevisionNo, text: revision! };
    }
    tokens.push(token);
    at += whole.length;
  }
  tokens.push({ kind: Kind.End, text: '' });
  return tokens;
}

function read(version: string): Token[] {
  const tokens = tokenize(version);
  if (tokens === undefined) throw new CustomsError('malformed', `apk version '${version}' is malformed`);
  return tokens;
}

function byText(a: string, b: string): Ordering {
  return a === b ? 0 : a < b ? -1 : 1;
}

/** Digit strings by value, without the precision limits of Number. */
function byValue(a: string, b: string): Ordering {
  const x = a.replace(/^0+/, '');
  const y = b.replace(/^0+/, '');
  return x.length === y.length ? byText(x, y) : x.length < y.length ? -1 : 1;
}

function compareToken(a: Token, b: Token): Ordering {
  switch (a.kind) {
    case Kind.Digit:
      // A component after '.' with a leading zero sorts as a string, as Gentoo's rule has it.
      if (!a.afterLetter && !b.afterLetter && (a.text.startsWith('0') || b.text.startsWith('0'))) return byText(a.text, b.text);
      return byValue(a.text, b.text);
    case Kind.InitialDigit:
    case Kind.SuffixNo:
    case Kind.RevisionNo:
      return byValue(a.text, b.text);
    case Kind.Suffix:
      return byValue(String(SUFFIXES.indexOf(a.text)), String(SUFFIXES.indexOf(b.text)));
    default:
      return byText(a.text, b.text);
  }
}

function compareTokens(a: Token[], b: Token[]): Ordering {
  let i = 0;
  for (; a[i]!.kind === b[i]!.kind && a[i]!.kind !== Kind.End; i++) {
    const order = compareToken(a[i]!, b[i]!);
    if (order !== 0) return order;
  }
  const [x, y] = [a[i]!, b[i]!];
  if (x.kind === y.kind) return 0;
  // Where one runs on, a pre-release suffix makes it the smaller; anything else the larger.
  if (x.kind === Kind.Suffix && SUFFIXES.indexOf(x.text) < NO_SUFFIX) return -1;
  if (y.kind === Kind.Suffix && SUFFIXES.indexOf(y.text) < NO_SUFFIX) return 1;
  return x.kind > y.kind ? -1 : 1;
}

export const apkScheme: VersionScheme = {
  name: 'apk',
  isValid: (version) => tokenize(version) !== undefined,
  compare: (a, b) => compareTokens(read(a), read(b)),
};
