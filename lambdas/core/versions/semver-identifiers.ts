/**
 * Prerelease identifier ordering shared by the SemVer-shaped schemes (semver, nuget, go): numeric
 * identifiers compare as numbers, numeric sorts below alphanumeric, and a longer chain wins a tie.
 */
import { compareDigits } from './digit-strings.ts';
import { sign, type Ordering } from './version-scheme.ts';

const DIGITS = /^\d+$/;

function compareIdentifier(a: string, b: string, foldCase: boolean): Ordering {
  const aNumeric = DIGITS.test(a);
  const bNumeric = DIGITS.test(b);
  if (aNumeric && bNumeric) return compareDigits(a, b);
  if (aNumeric !== bNumeric) return aNumeric ? -1 : 1;
  // Identifiers are ASCII, so UTF-16 order is ASCII order; NuGet folds to upper (OrdinalIgnoreCase).
  const x = foldCase ? a.toUpperCase() : a;
  const y = foldCase ? b.toUpperCase() : b;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Orders prerelease chains; an empty chain is a release and outranks every prerelease. */
export function comparePrerelease(a: readonly string[], b: readonly string[], foldCase = false): Ordering {
  if (a.length === 0 || b.length === 0) return sign(b.length - a.length);
  const shared = Math.min(a.length, b.length);
  for (let i = 0; i < shared; i++) {
    const order = compareIdentifier(a[i]!, b[i]!, foldCase);
    if (order !== 0) return order;
  }
  return sign(a.length - b.length);
}
