/**
 * The items Maven 3's ComparableVersion splits a version into, and how two items order. Numbers
 * keep Maven's three widths (int ≤ 9 digits, long ≤ 18, BigInteger beyond) because Maven orders a
 * wider kind above a narrower one without looking at values.
 */
export type MavenItem =
  | { readonly kind: 'number'; readonly width: 0 | 1 | 2; readonly value: bigint }
  | { readonly kind: 'string'; readonly key: string }
  | { readonly kind: 'list'; readonly items: MavenItem[] };

const QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const ALIASES: Readonly<Record<string, string>> = { ga: '', final: '', release: '', cr: 'rc' };
const SHORT_BEFORE_DIGIT: Readonly<Record<string, string>> = { a: 'alpha', b: 'beta', m: 'milestone' };
/** Key of "" (a release); strings compare by key, so unknown words ("7-word") sort after all known ones. */
const RELEASE_KEY = String(QUALIFIERS.indexOf(''));

export function numberItem(digits: string): MavenItem {
  // Like Maven, an all-zero run keeps its length, so ten zeros are a long (above any int).
  const stripped = /^0*$/.test(digits) ? digits : digits.replace(/^0+/, '');
  const width = stripped.length <= 9 ? 0 : stripped.length <= 18 ? 1 : 2;
  return { kind: 'number', width, value: BigInt(stripped) };
}

export function stringItem(word: string, followedByDigit: boolean): MavenItem {
  let value = followedByDigit && word.length === 1 ? (SHORT_BEFORE_DIGIT[word] ?? word) : word;
  value = Object.hasOwn(ALIASES, value) ? (ALIASES[value] ?? value) : value;
  const index = QUALIFIERS.indexOf(value);
  return { kind: 'string', key: index === -1 ? `${QUALIFIERS.length}-${value}` : String(index) };
}

export function isNullItem(item: MavenItem): boolean {
  if (item.kind === 'number') return item.value === 0n;
  if (item.kind === 'string') return item.key === RELEASE_KEY;
  return item.items.length === 0;
}

/** Java's String.compareTo sign: UTF-16 code units, as JS relational operators also compare. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Compares an item with another or, for a missing item (null), with "nothing there". */
export function compareItems(a: MavenItem, b: MavenItem | null): number {
  switch (a.kind) {
    case 'number':
      if (b === null) return a.value === 0n ? 0 : 1;
      if (b.kind !== 'number') return 1; // 1.1 > 1-sp and 1.1 > 1-1
      if (a.width !== b.width) return a.width < b.width ? -1 : 1;
      return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
    case 'string':
      if (b === null) return compareStrings(a.key, RELEASE_KEY);
      if (b.kind !== 'string') return -1;
      return compareStrings(a.key, b.key);
    case 'list':
      if (b === null) {
        // Every item counts, not just the first, as Maven 3.8 does.
        for (const item of a.items) {
          const result = compareItems(item, null);
          if (result !== 0) return result;
        }
        return 0;
      }
      if (b.kind === 'number') return -1;
      if (b.kind === 'string') return 1;
      return compareLists(a.items, b.items);
  }
}

function compareLists(left: MavenItem[], right: MavenItem[]): number {
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const l = left[i] ?? null;
    const r = right[i] ?? null;
    const result = l === null ? (r === null ? 0 : -compareItems(r, null)) : compareItems(l, r);
    if (result !== 0) return result;
  }
  return 0;
}
