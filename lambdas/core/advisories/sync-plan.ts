import type { ModifiedEntry } from '../ports.ts';
import { ecosystemKey, normalizePackageName, parseEcosystem } from './ecosystem.ts';
import type { OsvRecord } from './osv-schema.ts';
import type { AdvisoryChanges, ChangedPackageKey, EcosystemCursor } from './sync-model.ts';

/**
 * The advisory sync's arithmetic, kept pure so each rule is tested alone: which mode a run takes,
 * where an incremental listing starts, which IDs to fetch and from where a continuation resumes,
 * which package keys a set of written or retracted records changed.
 */

export type SyncMode = 'full' | 'incremental';

/**
 * A cut-short run resumes in its own phase. Otherwise: never fully loaded → full; a full compare
 * due (records that vanish from an export never show in its CSV again) → full; else incremental.
 */
export function syncModeOf(cursor: EcosystemCursor | undefined, now: Date, fullCompareEveryMs: number): SyncMode {
  if (cursor?.progress) return cursor.progress.phase;
  if (!cursor || cursor.fullLoadAt === undefined || cursor.modifiedThrough === undefined) return 'full';
  return now.getTime() - cursor.fullLoadAt.getTime() >= fullCompareEveryMs ? 'full' : 'incremental';
}

/** The listing is read from the cursor less the overlap: records are exported late with an older `modified`. */
export function listingSince(modifiedThrough: Date, overlapMs: number): Date {
  return new Date(modifiedThrough.getTime() - overlapMs);
}

/**
 * The IDs modified after `since`, in listing order (osv.dev lists newest first, so a record listed
 * between two invocations lands ahead of the resume position and within the next run's overlap),
 * each once.
 */
export function idsToFetch(entries: readonly ModifiedEntry[], since: Date): string[] {
  const seen = new Set<string>();
  const ids: string[] = [];
  for (const entry of entries) {
    if (entry.modified.getTime() <= since.getTime() || seen.has(entry.id)) continue;
    seen.add(entry.id);
    ids.push(entry.id);
  }
  return ids;
}

/** Where a continuation picks up: after the IDs already durable, never past the end. */
export function resumeAt(total: number, done: number | undefined): number {
  return Math.min(Math.max(0, done ?? 0), total);
}

export function newestModified(entries: readonly ModifiedEntry[]): Date | undefined {
  let newest: Date | undefined;
  for (const entry of entries) if (newest === undefined || entry.modified.getTime() > newest.getTime()) newest = entry.modified;
  return newest;
}

export function laterOf(a: Date | undefined, b: Date | undefined): Date | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a.getTime() >= b.getTime() ? a : b;
}

/** Whether a record names a package of the OSV base ecosystem (a bucket folder: `Debian` for `Debian:12`). */
export function namesEcosystem(record: OsvRecord, base: string): boolean {
  return (record.affected ?? []).some((entry) => entry.package !== undefined && parseEcosystem(entry.package.ecosystem).base === base);
}

/**
 * Package keys a record names, at the package index's granularity (ecosystem with release, name as
 * the ecosystem compares it), each once, sorted.
 */
export function changedKeys(records: readonly OsvRecord[]): ChangedPackageKey[] {
  const keys = new Map<string, ChangedPackageKey>();
  for (const record of records) {
    for (const entry of record.affected ?? []) {
      if (!entry.package) continue;
      const parsed = parseEcosystem(entry.package.ecosystem);
      const key = { ecosystem: ecosystemKey(parsed), name: normalizePackageName(parsed.base, entry.package.name) };
      keys.set(`${key.ecosystem}\0${key.name}`, key);
    }
  }
  return [...keys.values()].sort(compareKeys);
}

/** IDs stored for an ecosystem that the export no longer has (none of `present` names them). */
export function vanishedIds(stored: readonly string[], ...present: readonly ReadonlySet<string>[]): string[] {
  return stored.filter((id) => !present.some((set) => set.has(id))).sort();
}

/** What a sync changed so far, accumulated across groups, ecosystems and continuations. */
export class ChangeAccumulator {
  private readonly keys = new Map<string, ChangedPackageKey>();
  private readonly records = new Map<string, OsvRecord>();
  private readonly retracted = new Set<string>();

  constructor(
    readonly syncId: string,
    earlier?: AdvisoryChanges,
  ) {
    if (earlier) {
      this.addKeys(earlier.keys);
      for (const record of earlier.records) this.records.set(record.id, record);
      for (const id of earlier.retracted) this.retracted.add(id);
    }
  }

  /** Written records: both the new versions' packages and those the replaced versions named (a dropped package changed too). */
  written(records: readonly OsvRecord[], previousKeys: readonly ChangedPackageKey[]): void {
    this.addKeys([...changedKeys(records), ...previousKeys]);
    for (const record of records) {
      this.records.set(record.id, record);
      this.retracted.delete(record.id);
    }
  }

  /** Records retracted, as they were before: their packages changed, and they are no longer among the records. */
  retract(records: readonly OsvRecord[]): void {
    this.addKeys(changedKeys(records));
    for (const record of records) {
      this.records.delete(record.id);
      this.retracted.add(record.id);
    }
  }

  /** A stored part of a change set, replayed in order: a later part's records and retractions win. */
  merge(part: AdvisoryChanges): void {
    this.addKeys(part.keys);
    for (const id of part.retracted) {
      this.records.delete(id);
      this.retracted.add(id);
    }
    for (const record of part.records) {
      this.records.set(record.id, record);
      this.retracted.delete(record.id);
    }
  }

  /** Whether the key is among the changed ones. */
  hasKey(key: ChangedPackageKey): boolean {
    return this.keys.has(`${key.ecosystem}\0${key.name}`);
  }

  /** Whether this very record (the same object) is the one held under its ID. */
  holds(record: OsvRecord): boolean {
    return this.records.get(record.id) === record;
  }

  hasRetracted(id: string): boolean {
    return this.retracted.has(id);
  }

  get empty(): boolean {
    return this.keys.size === 0 && this.records.size === 0 && this.retracted.size === 0;
  }

  get size(): number {
    return this.keys.size + this.records.size + this.retracted.size;
  }

  changes(): AdvisoryChanges {
    return {
      syncId: this.syncId,
      keys: [...this.keys.values()].sort(compareKeys),
      records: [...this.records.values()].sort((a, b) => compareText(a.id, b.id)),
      retracted: [...this.retracted].sort(compareText),
    };
  }

  private addKeys(keys: readonly ChangedPackageKey[]): void {
    for (const key of keys) this.keys.set(`${key.ecosystem}\0${key.name}`, key);
  }
}

function compareKeys(a: ChangedPackageKey, b: ChangedPackageKey): number {
  return compareText(a.ecosystem, b.ecosystem) || compareText(a.name, b.name);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
