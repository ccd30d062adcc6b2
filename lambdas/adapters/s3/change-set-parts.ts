import { ChangeAccumulator } from '../../core/advisories/sync-plan.ts';
import type { AdvisoryChanges } from '../../core/advisories/sync-model.ts';

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
  private constructor(
    private readonly held: ChangeAccumulator,
    /** Parts stored so far; the next one is numbered so. */
    public count: number,
  ) {}

  static empty(syncId: string): ChangeSetParts {
    return new ChangeSetParts(new ChangeAccumulator(syncId), 0);
  }

  static of(merged: AdvisoryChanges, count: number): ChangeSetParts {
    return new ChangeSetParts(new ChangeAccumulator(merged.syncId, merged), count);
  }

  /** What `changes` has that the stored parts do not; undefined when nothing (a set never stored is stored even when empty). */
  delta(changes: AdvisoryChanges): AdvisoryChanges | undefined {
    const keys = changes.keys.filter((key) => !this.held.hasKey(key));
    const records = changes.records.filter((record) => !this.held.holds(record));
    const retracted = changes.retracted.filter((id) => !this.held.hasRetracted(id));
    if (this.count > 0 && keys.length + records.length + retracted.length === 0) return undefined;
    return { syncId: changes.syncId, keys, records, retracted };
  }

  /** A part is stored. */
  stored(part: AdvisoryChanges): void {
    this.held.merge(part);
    this.count++;
  }
}
