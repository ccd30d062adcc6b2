import { messageOf } from '../errors.ts';
import type { VersionScheme } from '../versions/version-scheme.ts';
import { parseEcosystem } from './ecosystem.ts';
import type { OsvAffected, OsvEvent, OsvRange } from './osv-schema.ts';

/** The orderings an `affected` entry's ranges are read with. */
export interface RangeSchemes {
  /** Orders ECOSYSTEM ranges: the package ecosystem's own scheme. */
  readonly ecosystem?: VersionScheme;
  /** Orders SEMVER ranges: semver, or Go's variant of it for Go modules. */
  readonly semver?: VersionScheme;
}

export interface UnreadableRange {
  /** Position of the range in `affected.ranges`. */
  readonly index: number;
  readonly reason: string;
}

export interface AffectedVerdict {
  readonly affected: boolean;
  /** Ranges that could not be evaluated (no scheme, or versions the scheme cannot read); they matched nothing. */
  readonly unreadable: readonly UnreadableRange[];
}

/**
 * Picks the schemes for an ecosystem. SEMVER ranges use semver except for Go, whose module versions
 * follow golang.org/x/mod/semver; `schemeFor` is asked for `Go` or `npm` (plain semver) accordingly.
 */
export function rangeSchemesFor(ecosystem: string, schemeFor: (ecosystem: string) => VersionScheme | undefined): RangeSchemes {
  const { base } = parseEcosystem(ecosystem);
  return { ecosystem: schemeFor(ecosystem), semver: schemeFor(base === 'Go' ? 'Go' : 'npm') };
}

/**
 * Whether `version` is affected, by the OSV evaluation algorithm: an exact `versions` entry, or any
 * ECOSYSTEM/SEMVER range whose sorted events leave the version vulnerable and below a `limit`. GIT
 * ranges name commits, which a package version cannot be placed among, so they are skipped.
 */
export function isAffected(affected: OsvAffected, version: string, schemes: RangeSchemes): AffectedVerdict {
  const unreadable: UnreadableRange[] = [];
  if (affected.versions?.includes(version)) return { affected: true, unreadable };
  const ranges = affected.ranges ?? [];
  for (const [index, range] of ranges.entries()) {
    if (range.type === 'GIT') continue;
    const scheme = range.type === 'SEMVER' ? schemes.semver : schemes.ecosystem;
    if (!scheme) {
      unreadable.push({ index, reason: `no version scheme for ${range.type} range` });
      continue;
    }
    try {
      if (inRange(range, version, scheme)) return { affected: true, unreadable };
    } catch (error) {
      unreadable.push({ index, reason: messageOf(error) });
    }
  }
  return { affected: false, unreadable };
}

interface Point {
  readonly kind: 'introduced' | 'fixed' | 'last_affected';
  /** Undefined for `introduced: "0"`, which precedes every version. */
  readonly version?: string;
}

/** Throws when the scheme cannot read a version, so the caller can report the range. */
function inRange(range: OsvRange, version: string, scheme: VersionScheme): boolean {
  const compare = (a: string, b: string): number => {
    if (!scheme.isValid(a)) throw new Error(`${scheme.name} cannot read version ${JSON.stringify(a)}`);
    if (!scheme.isValid(b)) throw new Error(`${scheme.name} cannot read version ${JSON.stringify(b)}`);
    return scheme.compare(a, b);
  };
  const limits: string[] = [];
  const points: Point[] = [];
  for (const event of range.events) {
    const point = pointOf(event);
    if (point === 'limit') limits.push(event.limit ?? '*');
    else if (point) points.push(point);
  }
  // Events may come in any order; the spec evaluates them sorted by version, "0" first. At equal
  // versions `introduced` goes first so an empty range (introduced X, fixed X) stays empty.
  const sorted = points
    .map((point, order) => ({ point, order }))
    .sort((a, b) => byVersion(a.point, b.point, compare) || rank(a.point) - rank(b.point) || a.order - b.order)
    .map(({ point }) => point);
  let vulnerable = false;
  for (const point of sorted) {
    if (point.kind === 'introduced') {
      if (point.version === undefined || compare(version, point.version) >= 0) vulnerable = true;
    } else if (point.kind === 'fixed') {
      if (point.version !== undefined && compare(version, point.version) >= 0) vulnerable = false;
    } else if (point.version !== undefined && compare(version, point.version) > 0) {
      vulnerable = false;
    }
  }
  if (!vulnerable || limits.length === 0) return vulnerable;
  // With limits, the version must sit below at least one of them; `*` is no limit at all.
  return limits.some((limit) => limit === '*' || compare(version, limit) < 0);
}

function pointOf(event: OsvEvent): Point | 'limit' | undefined {
  if (event.introduced !== undefined) return { kind: 'introduced', version: event.introduced === '0' ? undefined : event.introduced };
  if (event.fixed !== undefined) return { kind: 'fixed', version: event.fixed };
  if (event.last_affected !== undefined) return { kind: 'last_affected', version: event.last_affected };
  if (event.limit !== undefined) return 'limit';
  return undefined;
}

function byVersion(a: Point, b: Point, compare: (a: string, b: string) => number): number {
  if (a.version === undefined) return b.version === undefined ? 0 : -1;
  if (b.version === undefined) return 1;
  return compare(a.version, b.version);
}

function rank(point: Point): number {
  return point.kind === 'introduced' ? 0 : 1;
}
