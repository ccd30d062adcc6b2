import type { OsvAffected, OsvRecord } from '../advisories/osv-schema.ts';
import type { SeverityRating } from './model.ts';

/** A record that contributed to a finding, with the `affected` entry the package matched. */
export interface RatedRecord {
  readonly record: OsvRecord;
  readonly affected?: OsvAffected;
}

/**
 * The severity of vulnerability `vulnerabilityId` as the records that reported it rate it.
 * Placeholder until the rating rules land.
 */
export function rateSeverity(_vulnerabilityId: string, _records: readonly RatedRecord[]): SeverityRating {
  return { severity: 'UNKNOWN', kind: 'none' };
}
