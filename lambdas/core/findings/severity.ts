import type { OsvAffected, OsvRecord } from '../advisories/osv-schema.ts';
import { scoreCvss, type CvssType } from './cvss-score.ts';
import { distributionRating } from './distribution-rating.ts';
import type { Severity, SeverityRating } from './model.ts';
import { affectedEntries, cveMapSeverities, severityEntries, stringField } from './rating-fields.ts';

/** A record that contributed to a finding, with the `affected` entry the package matched. */
export interface RatedRecord {
  readonly record: OsvRecord;
  readonly affected?: OsvAffected;
}

/**
 * The severity of vulnerability `vulnerabilityId` as the records that reported it rate it. Sources
 * are tried in order, and within each the records in the order given (most trusted first):
 * the distribution's own rating (it knows how the package is built and used there), then a CVSS
 * vector's base score, then a database's label (GHSA `database_specific.severity`).
 */
export function rateSeverity(vulnerabilityId: string, records: readonly RatedRecord[]): SeverityRating {
  for (const rate of [distributionRating, cvssRating, databaseRating]) {
    for (const { record, affected } of records) {
      const rating = rate(vulnerabilityId, record, affected);
      if (rating) return rating;
    }
  }
  return { severity: 'UNKNOWN', kind: 'none' };
}

/** The record's best CVSS vector: v4.0 over v3.x, and the most specific place first within a version. */
function cvssRating(vulnerabilityId: string, record: OsvRecord, affected: OsvAffected | undefined): SeverityRating | undefined {
  const entries = affectedEntries(record, affected);
  const candidates = [
    ...cveMapSeverities(vulnerabilityId, entries),
    ...entries.flatMap((entry) => severityEntries(entry.severity)),
    ...severityEntries(record.severity),
  ];
  for (const type of ['CVSS_V4', 'CVSS_V3'] as const satisfies readonly CvssType[]) {
    for (const candidate of candidates) {
      if (candidate.type !== type) continue;
      const scored = scoreCvss(type, candidate.score);
      if (scored) return { ...scored, kind: 'cvss', source: type, record: record.id, vector: candidate.score };
    }
  }
  return undefined;
}

/** GitHub's words; `MODERATE` is its MEDIUM. */
const DATABASE_WORDS: Readonly<Record<string, Severity>> = {
  CRITICAL: 'CRITICAL',
  HIGH: 'HIGH',
  MODERATE: 'MEDIUM',
  MEDIUM: 'MEDIUM',
  LOW: 'LOW',
};

function databaseRating(_vulnerabilityId: string, record: OsvRecord, _affected: OsvAffected | undefined): SeverityRating | undefined {
  const word = stringField(record.database_specific, 'severity')?.trim().toUpperCase();
  if (word === undefined || !Object.hasOwn(DATABASE_WORDS, word)) return undefined;
  const database = record.id.split('-', 1)[0];
  return { severity: DATABASE_WORDS[word]!, kind: 'database', source: `${database} database_specific`, record: record.id };
}
