import { type MavenItem, isNullItem, numberItem, stringItem } from './maven-items.ts';

type ListItem = MavenItem & { kind: 'list' };

/** Digits as Maven sees them; Java's Character.isDigit also admits non-ASCII digits, which we do not. */
const isDigit = (c: string): boolean => c >= '0' && c <= '9';

/**
 * Splits a version as ComparableVersion.parseVersion does: `.` separates items; `-`, every
 * digit↔letter transition and a `.word` not closed by `.`/`-` open a nested list; empty items
 * read as 0; each list then drops its trailing null items (0, "", ga, final, release).
 */
export function parseMaven(version: string): ListItem {
  const text = version.toLowerCase();
  const root: ListItem = { kind: 'list', items: [] };
  const lists: ListItem[] = [root];
  let list = root;
  let digits = false;
  let start = 0;
  const nest = (): void => {
    const child: ListItem = { kind: 'list', items: [] };
    list.items.push(child);
    lists.push(child);
    list = child;
  };
  // Maven 3.8 reads `1.0.X1` and a final `1.0.X` as `1.0-X1` / `1.0-X`, so a word not
  // closed by `.` or `-` opens a list when it follows other items.
  const dotQualifierAsDash = (): void => {
    if (list.items.length > 0) nest();
  };
  const item = (end: number): MavenItem => {
    if (end === start) return numberItem('0');
    const part = text.slice(start, end);
    return digits ? numberItem(part) : stringItem(part, false);
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (c === '.' || c === '-') {
      list.items.push(item(i));
      start = i + 1;
      if (c === '-') nest();
    } else if (isDigit(c)) {
      if (!digits && i > start) {
        dotQualifierAsDash();
        list.items.push(stringItem(text.slice(start, i), true));
        start = i;
        nest();
      }
      digits = true;
    } else {
      if (digits && i > start) {
        list.items.push(numberItem(text.slice(start, i)));
        start = i;
        nest();
      }
      digits = false;
    }
  }
  if (text.length > start) {
    if (!digits) dotQualifierAsDash();
    list.items.push(item(text.length));
  }
  // Innermost lists first, so an emptied inner list is itself trailing null in its parent.
  for (const each of lists.reverse()) normalize(each);
  return root;
}

function normalize(list: ListItem): void {
  for (let i = list.items.length - 1; i >= 0; i--) {
    const last = list.items[i];
    if (last === undefined) continue;
    if (isNullItem(last)) list.items.splice(i, 1);
    else if (last.kind !== 'list') break;
  }
}
