import type { OsvAffected, OsvRecord } from '../advisories/osv-schema.ts';
import type { Severity, SeverityRating } from './model.ts';
import { affectedEntries, cveMapSeverities, distributionOf, field, severityEntries, stringField } from './rating-fields.ts';

/**
 * Vendor words for severity. Ubuntu says negligible…critical, Debian's urgency unimportant…high, Red
 * Hat and SUSE low/moderate/important/critical. Anything else (`not yet assigned`, `end-of-life`,
 * `untriaged`) is no rating at all.
 */
const VENDOR_WORDS: Readonly<Record<string, Severity>> = {
  negligible: 'LOW',
  unimportant: 'LOW',
  low: 'LOW',
  medium: 'MEDIUM',
  moderate: 'MEDIUM',
  high: 'HIGH',
  important: 'HIGH',
  critical: 'CRITICAL',
};

/**
 * The distribution's own rating of `vulnerabilityId` in one of its records, or undefined when the
 * record is not a distribution's or says nothing usable.
 */
export function distributionRating(vulnerabilityId: string, record: OsvRecord, affected: OsvAffected | undefined): SeverityRating | undefined {
  const distribution = distributionOf(record, affected);
  if (distribution === undefined) return undefined;
  for (const { word, source } of vendorWords(vulnerabilityId, record, affected, distribution)) {
    const severity = vendorSeverity(word);
    if (severity) return { severity, kind: 'distribution', source, record: record.id };
  }
  return undefined;
}

/** Every place a distribution writes its rating, most specific first; unusable words fall through. */
function* vendorWords(vulnerabilityId: string, record: OsvRecord, affected: OsvAffected | undefined, distribution: string): Generator<{ word: string; source: string }> {
  const entries = affectedEntries(record, affected);
  const severities = [
    ...cveMapSeverities(vulnerabilityId, entries),
    ...entries.flatMap((entry) => severityEntries(entry.severity)),
    ...severityEntries(record.severity),
  ];
  for (const entry of severities) if (entry.type === 'Ubuntu') yield { word: entry.score, source: 'Ubuntu' };

  const holders: readonly unknown[] = [...entries, record];
  for (const holder of holders) {
    const urgency = stringField(field(holder, 'database_specific'), 'urgency');
    if (urgency !== undefined) yield { word: urgency, source: 'Debian urgency' };
  }
  for (const holder of holders) {
    for (const place of ['ecosystem_specific', 'database_specific']) {
      const word = stringField(field(holder, place), 'severity');
      if (word !== undefined) yield { word, source: distribution };
    }
  }
}

function vendorSeverity(word: string | undefined): Severity | undefined {
  if (word === undefined) return undefined;
  // The Debian tracker marks some urgencies with trailing asterisks (`low**`).
  const key = word.trim().toLowerCase().replace(/\*+$/, '');
  return Object.hasOwn(VENDOR_WORDS, key) ? VENDOR_WORDS[key] : undefined;
}
