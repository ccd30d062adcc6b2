import type { ParsedPurl } from './package-url.ts';

/**
 * Whether the purl a policy wrote (`pattern`) names the package purl `candidate`: type, namespace and
 * name agree; version, qualifiers and subpath only constrain the match when the pattern gives them.
 */
export function purlMatches(pattern: ParsedPurl, candidate: ParsedPurl): boolean {
  if (pattern.type !== candidate.type) return false;
  if (normalise(pattern.type, pattern.namespace ?? '') !== normalise(candidate.type, candidate.namespace ?? '')) return false;
  if (normalise(pattern.type, pattern.name) !== normalise(candidate.type, candidate.name)) return false;
  if (pattern.version !== undefined && pattern.version !== candidate.version) return false;
  if (pattern.subpath !== undefined && pattern.subpath !== candidate.subpath) return false;
  for (const [key, value] of Object.entries(pattern.qualifiers)) {
    if (candidate.qualifiers[key] !== value) return false;
  }
  return true;
}

/** The purl spec makes PyPI names case-insensitive with `_` and `.` equivalent to `-` (PEP 503). */
function normalise(type: string, value: string): string {
  return type === 'pypi' ? value.toLowerCase().replace(/[-_.]+/g, '-') : value;
}
