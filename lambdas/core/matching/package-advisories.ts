import type { AdvisoryMatch } from '../advisories/advisory-store.ts';
import { evaluateAffected } from '../advisories/affected.ts';
import { parseEcosystem, normalizePackageName, type Ecosystem } from '../advisories/ecosystem.ts';
import type { OsvAffected, OsvRecord } from '../advisories/osv-schema.ts';
import type { MatchedAdvisory } from '../findings/model.ts';
import { rangeSchemesOf } from './ecosystem-schemes.ts';
import type { PackageQuery } from './package-query.ts';
import { sortVersions } from './sort-versions.ts';

/** A record that affects the installed version, with the entries that say so. */
export interface Contribution {
  readonly record: OsvRecord;
  /** The record's `affected` entries for the package that hold the installed version. */
  readonly entries: readonly OsvAffected[];
  readonly advisory: MatchedAdvisory;
}

interface EntryPackage {
  readonly ecosystem: Ecosystem;
  readonly name: string;
}

// Parsed once per entry: the same records answer many packages' lookups.
const entryPackages = new WeakMap<OsvAffected, EntryPackage | null>();

function entryPackage(entry: OsvAffected): EntryPackage | undefined {
  let found = entryPackages.get(entry);
  if (found === undefined) {
    const ecosystem = entry.package ? parseEcosystem(entry.package.ecosystem) : undefined;
    found = entry.package && ecosystem ? { ecosystem, name: normalizePackageName(ecosystem.base, entry.package.name) } : null;
    entryPackages.set(entry, found);
  }
  return found ?? undefined;
}

/**
 * The records among a lookup's answer that affect the package at `query.version`. Entries are checked
 * against the query again (a remote lookup may answer loosely); withdrawn records never count.
 * Ranges that cannot be evaluated are reported as warnings naming the record (and the package, when
 * its version is what cannot be read).
 */
export function affectingRecords(query: PackageQuery, matches: readonly AdvisoryMatch[], warn: (message: string) => void): Contribution[] {
  const wanted = parseEcosystem(query.ecosystem);
  const wantedName = normalizePackageName(wanted.base, query.name);
  const schemes = rangeSchemesOf(query.ecosystem);
  const contributions: Contribution[] = [];
  for (const match of matches) {
    if (match.withdrawn || match.record.withdrawn !== undefined) continue;
    const entries: OsvAffected[] = [];
    const fixed: string[] = [];
    for (const entry of match.affected) {
      const target = entryPackage(entry);
      if (!target || target.name !== wantedName || target.ecosystem.base !== wanted.base) continue;
      if (target.ecosystem.release !== undefined && target.ecosystem.release !== wanted.release) continue;
      const verdict = evaluateAffected(entry, query.version, schemes);
      for (const { index, reason, version } of verdict.unreadable) {
        // A bad range is reported once per record; a version no range can read, per package.
        const about = version === undefined ? '' : `${query.name} ${version}: `;
        warn(`${about}${match.record.id}: range ${index} for ${entry.package?.ecosystem} ${entry.package?.name} was not evaluated: ${reason}`);
      }
      if (!verdict.affected) continue;
      entries.push(entry);
      fixed.push(...verdict.fixed);
    }
    const first = entries[0]?.package;
    if (!first) continue;
    contributions.push({
      record: match.record,
      entries,
      advisory: {
        id: match.record.id,
        ecosystem: first.ecosystem,
        name: first.name,
        fixedVersions: sortVersions(fixed, schemes.ecosystem ?? schemes.semver),
        modified: match.record.modified,
      },
    });
  }
  return contributions;
}
