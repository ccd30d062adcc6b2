import { ecosystemKey, normalizePackageName, parseEcosystem } from './ecosystem.ts';
import type { OsvAffected, OsvRecord } from './osv-schema.ts';
import { parseOsvRecord } from './parse-osv-record.ts';

/** A record as a lookup returns it: only the `affected` entries that name the package looked up. */
export interface AdvisoryMatch {
  readonly record: OsvRecord;
  readonly affected: readonly OsvAffected[];
  readonly withdrawn: boolean;
  /** File or archive entry the record came from. */
  readonly source: string;
}

export interface MalformedAdvisory {
  readonly source: string;
  readonly reason: string;
}

export interface AdvisoryCounts {
  /** Records added and in force. */
  readonly loaded: number;
  /** Records added with `withdrawn` set: kept (a report may explain a vanished finding) but marked. */
  readonly withdrawn: number;
  /** Inputs that were not records; see `malformed`. */
  readonly malformed: number;
  /** Records left out because they name none of the ecosystems the store was made for. */
  readonly otherEcosystems: number;
}

export interface AdvisoryStoreOptions {
  /** Largest record file accepted. */
  readonly maxRecordBytes?: number;
  /**
   * Keep only records naming one of these OSV base ecosystems (`Debian`, `npm`): a scan needs only
   * its image's, and a full mirror directory holds far more than that in memory.
   */
  readonly ecosystems?: Iterable<string>;
}

interface Stored {
  readonly record: OsvRecord;
  readonly source: string;
}

/**
 * OSV records in memory, indexed by ecosystem (base plus release) and package name so a scan reads
 * only the advisories of packages it found. A record added again under the same id replaces the old
 * one, which is how incremental syncs apply changes.
 */
export class AdvisoryStore {
  private readonly byId = new Map<string, Stored>();
  /** `ecosystemKey \0 normalized name` → ids. */
  private readonly index = new Map<string, Set<string>>();
  private readonly problems: MalformedAdvisory[] = [];
  private loadedCount = 0;
  private withdrawnCount = 0;
  private otherCount = 0;
  private readonly maxRecordBytes: number;
  private readonly ecosystems: ReadonlySet<string> | undefined;

  constructor(options: AdvisoryStoreOptions = {}) {
    const { maxRecordBytes = 4 * 1024 * 1024, ecosystems } = options;
    this.maxRecordBytes = maxRecordBytes;
    this.ecosystems = ecosystems ? new Set(ecosystems) : undefined;
  }

  /** Parses and adds one file's bytes; a bad file is recorded as malformed, never thrown. */
  addBytes(source: string, bytes: Uint8Array): void {
    const parsed = parseOsvRecord(bytes, this.maxRecordBytes);
    if (parsed.ok) this.add(parsed.record, source);
    else this.reportMalformed(source, parsed.reason);
  }

  add(record: OsvRecord, source: string = record.id): void {
    // A newer version of a record replaces the old one even when it no longer names a wanted ecosystem.
    this.remove(record.id);
    if (this.ecosystems && !this.wanted(record)) {
      this.otherCount++;
      return;
    }
    this.byId.set(record.id, { record, source });
    if (record.withdrawn !== undefined) this.withdrawnCount++;
    else this.loadedCount++;
    for (const key of keysOf(record)) {
      let ids = this.index.get(key);
      if (!ids) this.index.set(key, (ids = new Set()));
      ids.add(record.id);
    }
  }

  /** Records something that was not a record (bad JSON, over a cap, unsafe archive name). */
  reportMalformed(source: string, reason: string): void {
    this.problems.push({ source, reason });
  }

  /**
   * Records affecting `name` in `ecosystem` (`Debian:12`, `npm`). Records that name only the base
   * ecosystem (`Debian`) apply to every release of it. Withdrawn records are left out unless asked for.
   */
  lookup(ecosystem: string, name: string, options: { includeWithdrawn?: boolean } = {}): AdvisoryMatch[] {
    const parsed = parseEcosystem(ecosystem);
    const wanted = normalizePackageName(parsed.base, name);
    const keys = new Set([indexKey(ecosystemKey(parsed), wanted), indexKey(parsed.base, wanted)]);
    const matches: AdvisoryMatch[] = [];
    const seen = new Set<string>();
    for (const key of keys) {
      for (const id of this.index.get(key) ?? []) {
        const stored = this.byId.get(id);
        if (!stored || seen.has(id)) continue;
        seen.add(id);
        const withdrawn = stored.record.withdrawn !== undefined;
        if (withdrawn && !options.includeWithdrawn) continue;
        const affected = (stored.record.affected ?? []).filter((entry) => entry.package && keys.has(affectedKey(entry.package.ecosystem, entry.package.name)));
        matches.push({ record: stored.record, affected, withdrawn, source: stored.source });
      }
    }
    return matches;
  }

  get(id: string): OsvRecord | undefined {
    return this.byId.get(id)?.record;
  }

  /** Distinct records held (a replaced record counts once). */
  get size(): number {
    return this.byId.size;
  }

  /** Outcomes of every input offered so far, replaced records included, so they add up to inputs seen. */
  get counts(): AdvisoryCounts {
    return { loaded: this.loadedCount, withdrawn: this.withdrawnCount, malformed: this.problems.length, otherEcosystems: this.otherCount };
  }

  get malformed(): readonly MalformedAdvisory[] {
    return this.problems;
  }

  private wanted(record: OsvRecord): boolean {
    return (record.affected ?? []).some((entry) => entry.package !== undefined && this.ecosystems!.has(parseEcosystem(entry.package.ecosystem).base));
  }

  private remove(id: string): void {
    const old = this.byId.get(id);
    if (!old) return;
    this.byId.delete(id);
    for (const key of keysOf(old.record)) this.index.get(key)?.delete(id);
  }
}

function keysOf(record: OsvRecord): Set<string> {
  const keys = new Set<string>();
  for (const entry of record.affected ?? []) {
    if (entry.package) keys.add(affectedKey(entry.package.ecosystem, entry.package.name));
  }
  return keys;
}

function affectedKey(ecosystem: string, name: string): string {
  const parsed = parseEcosystem(ecosystem);
  return indexKey(ecosystemKey(parsed), normalizePackageName(parsed.base, name));
}

function indexKey(ecosystem: string, name: string): string {
  return `${ecosystem}\0${name}`;
}
