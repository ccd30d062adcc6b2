import { AdvisoryStore } from '../../core/advisories/advisory-store.ts';
import type { OsvRecord } from '../../core/advisories/osv-schema.ts';

export interface SourcedRecord {
  readonly record: OsvRecord;
  readonly source: string;
}

/**
 * The in-memory store the OSV loaders fill, keeping each record's latest version in load order so
 * the table loader can write exactly what `customs scan --advisories` would have matched against.
 */
export class CollectingAdvisoryStore extends AdvisoryStore {
  private readonly kept = new Map<string, SourcedRecord>();

  override add(record: OsvRecord, source: string = record.id): void {
    super.add(record, source);
    // A later version replaces the earlier one; one outside the wanted ecosystems removes it.
    this.kept.delete(record.id);
    if (this.get(record.id) === record) this.kept.set(record.id, { record, source });
  }

  get records(): readonly SourcedRecord[] {
    return [...this.kept.values()];
  }
}
