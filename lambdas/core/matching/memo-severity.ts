import type { SeverityRating } from '../findings/model.ts';
import { rateSeverity, type RatedRecord } from '../findings/severity.ts';

export type RateSeverity = (vulnerabilityId: string, records: readonly RatedRecord[]) => SeverityRating;

/**
 * `rateSeverity` remembered for one image: the same library installed at many paths (nested
 * node_modules) yields the same vulnerability from the same records many times, and scoring CVSS
 * vectors is the dearest step of matching.
 */
export function memoizedRateSeverity(): RateSeverity {
  const ratings = new Map<string, SeverityRating>();
  return (vulnerabilityId, records) => {
    const key = [vulnerabilityId, ...records.map(({ record, affected }) => `${record.id}@${record.modified}#${affected ? (record.affected ?? []).indexOf(affected) : -1}`)].join('\0');
    let rating = ratings.get(key);
    if (!rating) ratings.set(key, (rating = rateSeverity(vulnerabilityId, records)));
    return rating;
  };
}
