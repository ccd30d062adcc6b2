import type { OsvRecord } from '../../core/advisories/osv-schema.ts';
import { ChangeAccumulator } from '../../core/advisories/sync-plan.ts';
import type { AdvisoryChanges, ChangedPackageKey } from '../../core/advisories/sync-model.ts';

const keyOf = (key: ChangedPackageKey): string => `${key.ecosystem}\0${key.name}`;

/** The parts of a change set replayed in order into the set they add up to. */
export function mergeParts(syncId: string, parts: readonly AdvisoryChanges[]): AdvisoryChanges {
  const merged = new ChangeAccumulator(syncId);
  for (const part of parts) merged.merge(part);
  return merged.changes();
}

/**
 * What a sync's stored parts add up to, kept to find what a whole set given to put adds: keys not
 * stored, records not stored as that same object (the sync hands the same objects on), retractions
 * not stored. Cheap: no record is serialized to find out.
 */
export class ChangeSetParts {
  private readonly keys = new Set<string>();
  private readonly records = new Map<string, OsvRecord>();
  private readonly retracted = new Set<string>();

  private constructor(
    private readonly syncId: string,
    /** Parts stored so far; the next one is numbered so. */
    public count: number,
  ) {}

  static empty(syncId: string): ChangeSetParts {
    return new ChangeSetParts(syncId, 0);
  }

  static of(merged: AdvisoryChanges, count: number): ChangeSetParts {
    const parts = new ChangeSetParts(merged.syncId, count);
    parts.apply(merged);
    return parts;
  }

  /** What `changes` has that the stored parts do not; undefined when nothing (a set never stored is stored even when empty). */
  delta(changes: AdvisoryChanges): AdvisoryChanges | undefined {
    const keys = changes.keys.filter((key) => !this.keys.has(keyOf(key)));
    const records = changes.records.filter((record) => this.records.get(record.id) !== record);
    const retracted = changes.retracted.filter((id) => !this.retracted.has(id));
    if (this.count > 0 && keys.length + records.length + retracted.length === 0) return undefined;
    return { syncId: this.syncId, keys, records, retracted };
  }

  /** A part is stored. */
  stored(part: AdvisoryChanges): void {
    this.apply(part);
    this.count++;
  }

  private apply(part: AdvisoryChanges): void {
    for (const key of part.keys) this.keys.add(keyOf(key));
    for (const id of part.retracted) {
      this.records.delete(id);
      this.retracted.add(id);
    }
    for (const record of part.records) {
      this.records.set(record.id, record);
      this.retracted.delete(record.id);
    }
  }
}
