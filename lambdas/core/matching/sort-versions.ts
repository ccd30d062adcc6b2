import type { VersionScheme } from '../versions/version-scheme.ts';

/** Distinct versions, lowest first by the scheme; ones it cannot read go last, in text order. */
export function sortVersions(versions: Iterable<string>, scheme: VersionScheme | undefined): string[] {
  const distinct = [...new Set(versions)];
  const readable = scheme ? distinct.filter((version) => scheme.isValid(version)) : [];
  const rest = distinct.filter((version) => !readable.includes(version)).sort();
  return [...readable.sort((a, b) => scheme!.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0)), ...rest];
}
