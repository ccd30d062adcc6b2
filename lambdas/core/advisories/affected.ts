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
  /** Set when the version being evaluated is what could not be read, not the range. */
  readonly version?: string;
}

export interface AffectedVerdict {
  readonly affected: boolean;
  /** Ranges that could not be evaluated (no scheme, or versions the scheme cannot read); they matched nothing. */
  readonly unreadable: readonly UnreadableRange[];
}

export interface AffectedEvaluation extends AffectedVerdict {
  /**
   * The `fixed` versions that end the ranges holding the version, as the record spells them; empty
   * when those ranges are open or end in `last_affected`. For a version matched only by the
   * `versions` list: each range's next `fixed` above the version.
   */
  readonly fixed: readonly string[];
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
  const { affected: hit, unreadable } = evaluateAffected(affected, version, schemes);
  return { affected: hit, unreadable };
}

/** Like `isAffected`, and also the fixes that apply to `version`. Never throws on bad data. */
export function evaluateAffected(affected: OsvAffected, version: string, schemes: RangeSchemes): AffectedEvaluation {
  const compiled = compiledEntry(affected, schemes);
  const unreadable: UnreadableRange[] = [...compiled.unreadable];
  const fixed = new Set<string>();
  let hit = false;
  const readable = new Map<VersionScheme, boolean>();
  const canRead = (scheme: VersionScheme): boolean => {
    let known = readable.get(scheme);
    if (known === undefined) readable.set(scheme, (known = scheme.isValid(version)));
    return known;
  };
  for (const range of compiled.ranges) {
    const outcome = inRange(range, version, canRead(range.scheme));
    if (outcome === 'unreadable') unreadable.push({ index: range.index, reason: `${range.scheme.name} cannot read version ${JSON.stringify(version)}`, version });
    else if (outcome.affected) {
      hit = true;
      if (outcome.fix !== undefined) fixed.add(outcome.fix);
    }
  }
  if (!hit && compiled.versions.has(version)) {
    hit = true;
    for (const range of compiled.ranges) {
      const fix = canRead(range.scheme) ? nextFix(range, version) : undefined;
      if (fix !== undefined) fixed.add(fix);
    }
  }
  return { affected: hit, unreadable, fixed: [...fixed] };
}

interface Point {
  readonly kind: 'introduced' | 'fixed' | 'last_affected';
  /** Undefined for `introduced: "0"`, which precedes every version. */
  readonly version?: string;
}

/** A range with its events checked and sorted once, so evaluating a version only compares. */
interface CompiledRange {
  readonly index: number;
  readonly scheme: VersionScheme;
  readonly points: readonly Point[];
  /** `limit` events; `*` stands for no limit. */
  readonly limits: readonly string[];
}

interface CompiledEntry {
  readonly versions: ReadonlySet<string>;
  readonly ranges: readonly CompiledRange[];
  /** Ranges that cannot be evaluated whatever the version. */
  readonly unreadable: readonly UnreadableRange[];
}

// Entries are compiled once per scheme choice; records held by a store are the same objects across
// lookups, so matching many packages against one corpus sorts each range only once.
const compiledEntries = new WeakMap<OsvAffected, WeakMap<RangeSchemes, CompiledEntry>>();

function compiledEntry(affected: OsvAffected, schemes: RangeSchemes): CompiledEntry {
  let bySchemes = compiledEntries.get(affected);
  if (!bySchemes) compiledEntries.set(affected, (bySchemes = new WeakMap()));
  let compiled = bySchemes.get(schemes);
  if (!compiled) bySchemes.set(schemes, (compiled = compileEntry(affected, schemes)));
  return compiled;
}

function compileEntry(affected: OsvAffected, schemes: RangeSchemes): CompiledEntry {
  const ranges: CompiledRange[] = [];
  const unreadable: UnreadableRange[] = [];
  for (const [index, range] of (affected.ranges ?? []).entries()) {
    if (range.type === 'GIT') continue;
    const scheme = range.type === 'SEMVER' ? schemes.semver : schemes.ecosystem;
    if (!scheme) unreadable.push({ index, reason: `no version scheme for ${range.type} range` });
    else {
      const compiled = compileRange(index, range, scheme);
      if ('reason' in compiled) unreadable.push(compiled);
      else ranges.push(compiled);
    }
  }
  return { versions: new Set(affected.versions ?? []), ranges, unreadable };
}

function compileRange(index: number, range: OsvRange, scheme: VersionScheme): CompiledRange | UnreadableRange {
  const limits: string[] = [];
  const points: Point[] = [];
  for (const event of range.events) {
    const point = pointOf(event);
    const text = point === 'limit' ? (event.limit ?? '*') : point?.version;
    const version = text === undefined || text === '*' ? text : readableVersion(text, scheme);
    if (version === undefined && text !== undefined) return { index, reason: `${scheme.name} cannot read version ${JSON.stringify(text)}` };
    if (point === 'limit') limits.push(version!);
    else if (point) points.push(version === undefined ? point : { ...point, version });
  }
  // Events may come in any order; the spec evaluates them sorted by version, "0" first. At equal
  // versions `introduced` goes first so an empty range (introduced X, fixed X) stays empty.
  const sorted = points
    .map((point, order) => ({ point, order }))
    .sort((a, b) => byVersion(a.point, b.point, scheme) || rank(a.point) - rank(b.point) || a.order - b.order)
    .map(({ point }) => point);
  return { index, scheme, points: sorted, limits };
}

/**
 * The version as the scheme reads it. GitHub's npm advisories occasionally write `1.0` for `1.0.0`;
 * strict semver refuses it, and dropping the range would hide the vulnerability, so it is padded.
 */
function readableVersion(version: string, scheme: VersionScheme): string | undefined {
  if (scheme.isValid(version)) return version;
  if (scheme.name !== 'semver' || !/^\d+(\.\d+)?$/.test(version)) return undefined;
  const padded = version.includes('.') ? `${version}.0` : `${version}.0.0`;
  return scheme.isValid(padded) ? padded : undefined;
}

/**
 * Walks the sorted events up to the version; the first closing event beyond it ends the range that
 * holds the version, and is its fix when it is a `fixed`.
 */
function inRange(range: CompiledRange, version: string, readable: boolean): { affected: boolean; fix?: string } | 'unreadable' {
  const { points, scheme } = range;
  let vulnerable = false;
  let next = points.length;
  for (let i = 0; i < points.length; i++) {
    const point = points[i]!;
    if (point.version === undefined) {
      vulnerable = true;
      continue;
    }
    if (!readable) return 'unreadable';
    const order = scheme.compare(version, point.version);
    const passed = point.kind === 'last_affected' ? order > 0 : order >= 0;
    if (!passed) {
      next = i;
      break;
    }
    vulnerable = point.kind === 'introduced';
  }
  if (!vulnerable) return { affected: false };
  // With limits, the version must sit below at least one of them; `*` is no limit at all.
  if (range.limits.length > 0 && !range.limits.includes('*')) {
    if (!readable) return 'unreadable';
    if (!range.limits.some((limit) => scheme.compare(version, limit) < 0)) return { affected: false };
  }
  for (let i = next; i < points.length; i++) {
    const point = points[i]!;
    if (point.kind === 'fixed') return { affected: true, fix: point.version };
    if (point.kind === 'last_affected') break;
  }
  return { affected: true };
}

/** The lowest `fixed` above the version, for a version the `versions` list names. */
function nextFix(range: CompiledRange, version: string): string | undefined {
  return range.points.find((point) => point.kind === 'fixed' && point.version !== undefined && range.scheme.compare(version, point.version) < 0)?.version;
}

function pointOf(event: OsvEvent): Point | 'limit' | undefined {
  if (event.introduced !== undefined) return { kind: 'introduced', version: event.introduced === '0' ? undefined : event.introduced };
  if (event.fixed !== undefined) return { kind: 'fixed', version: event.fixed };
  if (event.last_affected !== undefined) return { kind: 'last_affected', version: event.last_affected };
  if (event.limit !== undefined) return 'limit';
  return undefined;
}

function byVersion(a: Point, b: Point, scheme: VersionScheme): number {
  if (a.version === undefined) return b.version === undefined ? 0 : -1;
  if (b.version === undefined) return 1;
  return scheme.compare(a.version, b.version);
}

function rank(point: Point): number {
  return point.kind === 'introduced' ? 0 : 1;
}
