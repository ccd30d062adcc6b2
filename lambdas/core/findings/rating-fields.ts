import { parseEcosystem } from '../advisories/ecosystem.ts';
import type { OsvAffected, OsvRecord } from '../advisories/osv-schema.ts';

/**
 * Readers for the places OSV databases put severities. `database_specific` and `ecosystem_specific`
 * are free-form, so every read checks the shape and answers undefined rather than trusting it.
 */

export interface SeverityEntry {
  readonly type: string;
  readonly score: string;
}

/** OSV ecosystems that are operating-system distributions: their severity words are the vendor's. */
const DISTRIBUTIONS = new Set([
  'AlmaLinux',
  'Alpine',
  'Azure Linux',
  'Chainguard',
  'Debian',
  'Mageia',
  'MinimOS',
  'openEuler',
  'openSUSE',
  'Photon OS',
  'Red Hat',
  'Rocky Linux',
  'SUSE',
  'Ubuntu',
  'Wolfi',
]);

/** The affected entries to read: the one the package matched, else all of the record's. */
export function affectedEntries(record: OsvRecord, affected: OsvAffected | undefined): readonly OsvAffected[] {
  return affected ? [affected] : (record.affected ?? []);
}

/** The distribution a record belongs to (`Ubuntu`, `Red Hat`), or undefined for a language database. */
export function distributionOf(record: OsvRecord, affected: OsvAffected | undefined): string | undefined {
  const ecosystem = (affected ?? record.affected?.[0])?.package?.ecosystem;
  if (ecosystem === undefined) return undefined;
  const { base } = parseEcosystem(ecosystem);
  return DISTRIBUTIONS.has(base) ? base : undefined;
}

/**
 * The `severity` of the `cves_map` entry Ubuntu's records keep per CVE, for the vulnerability being
 * rated. A USN covers several CVEs, each rated on its own, so only the matching entry counts.
 */
export function cveMapSeverities(vulnerabilityId: string, affected: readonly OsvAffected[]): readonly SeverityEntry[] {
  const wanted = withoutDistroPrefix(vulnerabilityId);
  for (const entry of affected) {
    const cves = field(field(entry.database_specific, 'cves_map'), 'cves');
    if (!Array.isArray(cves)) continue;
    const match = cves.find((cve: unknown) => {
      const id = field(cve, 'id');
      return typeof id === 'string' && withoutDistroPrefix(id) === wanted;
    });
    if (match !== undefined) return severityEntries(field(match, 'severity'));
  }
  return [];
}

/** The well-formed `{type, score}` items of a severity array; anything else is skipped. */
export function severityEntries(value: unknown): readonly SeverityEntry[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item: unknown) => {
    const type = field(item, 'type');
    const score = field(item, 'score');
    return typeof type === 'string' && typeof score === 'string' ? [{ type, score }] : [];
  });
}

/** A string field of a free-form object, or undefined. */
export function stringField(value: unknown, key: string): string | undefined {
  const found = field(value, key);
  return typeof found === 'string' ? found : undefined;
}

export function field(value: unknown, key: string): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
}

// Finding IDs are CVEs; some databases key the same CVE as `UBUNTU-CVE-…` or `DEBIAN-CVE-…`.
function withoutDistroPrefix(id: string): string {
  return id.replace(/^[A-Z]+-(?=CVE-)/, '');
}
