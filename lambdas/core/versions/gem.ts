/**
 * RubyGems versions, ordered as `Gem::Version#<=>` (RubyGems 3.3, Debian's ruby 3.1): numbers and
 * letter runs are segments, a letter segment sorts below any number (so `1.0.a` < `1.0`), `-`
 * reads as `.pre.`, and trailing zeros of the release part and of the pre-release part vanish.
 */
import { CustomsError } from '../errors.ts';
import { compareDigits } from './digit-strings.ts';
import type { Ordering, VersionScheme } from './version-scheme.ts';

// Gem::Version::ANCHORED_VERSION_PATTERN; Ruby's `\s` is ASCII whitespace only. Blank means "0".
const WS = '[ \\t\\n\\v\\f\\r]*';
const PATTERN = new RegExp(`^${WS}([0-9]+(?:\\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?)?${WS}$`);

/** A segment: digits (leading zeros stripped, so any size compares exactly) or a letter run. */
type Segment = { number: string } | { text: string };

interface Gem {
  version: string;
  canonical: Segment[];
}

function parse(version: string): Gem | undefined {
  const m = PATTERN.exec(version);
  if (!m) return undefined;
  const normal = (m[1] ?? '0').replaceAll('-', '.pre.');
  const segments: Segment[] = (normal.match(/[0-9]+|[a-z]+/gi) ?? []).map((s) =>
    /^[0-9]/.test(s) ? { number: s.replace(/^0+(?=.)/, '') } : { text: s },
  );
  // Trailing zeros are dropped separately before and after the first letter segment.
  const firstText = segments.findIndex((s) => 'text' in s);
  const cut = firstText < 0 ? segments.length : firstText;
  return { version: normal, canonical: [...dropTrailingZeros(segments.slice(0, cut)), ...dropTrailingZeros(segments.slice(cut))] };
}

function dropTrailingZeros(segments: Segment[]): Segment[] {
  let end = segments.length;
  while (end > 0 && isZero(segments[end - 1]!)) end--;
  return segments.slice(0, end);
}

function isZero(s: Segment): boolean {
  return 'number' in s && s.number === '0';
}

function compareSegment(a: Segment, b: Segment): Ordering {
  if ('number' in a && 'number' in b) return compareDigits(a.number, b.number);
  if ('text' in a && 'text' in b) return a.text < b.text ? -1 : a.text > b.text ? 1 : 0; // bytewise, case-sensitive
  return 'text' in a ? -1 : 1;
}

function compareParsed(a: Gem, b: Gem): Ordering {
  if (a.version === b.version) return 0;
  const zero: Segment = { number: '0' };
  for (let i = 0; i < Math.max(a.canonical.length, b.canonical.length); i++) {
    const c = compareSegment(a.canonical[i] ?? zero, b.canonical[i] ?? zero);
    if (c) return c;
  }
  return 0;
}

function parseOrThrow(version: string): Gem {
  const parsed = parse(version);
  if (!parsed) throw new CustomsError('malformed', `not a RubyGems version: ${JSON.stringify(version)}`);
  return parsed;
}

export const gemScheme: VersionScheme = {
  name: 'gem',
  isValid: (version) => parse(version) !== undefined,
  compare: (a, b) => compareParsed(parseOrThrow(a), parseOrThrow(b)),
};
