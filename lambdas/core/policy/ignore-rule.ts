import { globToRegex } from '../catalog/path-matcher.ts';
import type { Finding } from '../findings/model.ts';
import type { Package } from '../sbom/model.ts';
import { parsePurl, type ParsedPurl } from './package-url.ts';
import { purlMatches } from './purl-match.ts';
import { normaliseId } from './vulnerability-ids.ts';

/** Which packages an ignore entry covers: by name (binary or source package) or by purl. */
export type PackageScope = { readonly kind: 'name'; readonly name: string } | { readonly kind: 'purl'; readonly text: string; readonly purl: ParsedPurl };

/** One entry of an ignore file (see ignore-file.ts for the format). */
export interface IgnoreRule {
  /** As written; matched case-insensitively against the finding's ID and aliases. */
  readonly id: string;
  readonly reason: string;
  /** The expiry as written (a date `YYYY-MM-DD` or an RFC 3339 timestamp). */
  readonly expires?: string;
  /** The last millisecond the entry applies: the end of the day (UTC) for a date. */
  readonly expiresAt?: number;
  readonly package?: PackageScope;
  /** Glob on the package's location path, as written. */
  readonly path?: string;
  readonly pathRegex?: RegExp;
  /** The ignore file the entry came from, and its 1-based position there, for messages. */
  readonly source: string;
  readonly entry: number;
}

export function isExpired(rule: IgnoreRule, now: Date): boolean {
  return rule.expiresAt !== undefined && now.getTime() > rule.expiresAt;
}

/** Whether the entry names this finding and its package is in scope (expiry is the caller's concern). */
export function ignoreMatches(rule: IgnoreRule, ids: readonly string[], finding: Finding): boolean {
  if (!ids.includes(normaliseId(rule.id))) return false;
  if (rule.package && !packageInScope(rule.package, finding.package)) return false;
  if (rule.pathRegex && !rule.pathRegex.test(absolute(finding.package.location.path))) return false;
  return true;
}

function packageInScope(scope: PackageScope, pkg: Package): boolean {
  if (scope.kind === 'name') return pkg.name === scope.name || pkg.source?.name === scope.name;
  const candidate = parsePurl(pkg.purl);
  return candidate !== undefined && purlMatches(scope.purl, candidate);
}

/** Globs are written as absolute paths; image paths may be stored without the leading slash. */
export function absolute(path: string): string {
  return path.startsWith('/') ? path : `/${path}`;
}

export function compilePathGlob(glob: string): RegExp {
  return globToRegex(absolute(glob));
}
