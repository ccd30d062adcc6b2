/**
 * A version scheme: how one ecosystem orders its versions. Each scheme lives in its own module
 * (dpkg.ts, rpm.ts, …) and is proven against the ecosystem's own tool.
 */
export type SchemeName = 'dpkg' | 'apk' | 'rpm' | 'semver' | 'nuget' | 'pep440' | 'go' | 'maven' | 'gem' | 'composer';

export type Ordering = -1 | 0 | 1;

export interface VersionScheme {
  readonly name: SchemeName;
  /** Whether the scheme can read the version at all. */
  isValid(version: string): boolean;
  /**
   * Orders two versions. Throws CustomsError('malformed', naming the version) when one cannot be
   * read, except where the scheme itself defines an order for invalid versions (go).
   */
  compare(a: string, b: string): Ordering;
}

export function sign(value: number): Ordering {
  return value < 0 ? -1 : value > 0 ? 1 : 0;
}
