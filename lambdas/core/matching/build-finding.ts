import type { Finding, FindingReference } from '../findings/model.ts';
import type { Package } from '../sbom/model.ts';
import type { VersionScheme } from '../versions/version-scheme.ts';
import type { RateSeverity } from './memo-severity.ts';
import { sortVersions } from './sort-versions.ts';
import type { VulnerabilityGroup } from './vulnerability-groups.ts';

const CVE_IN_TEXT = /CVE-\d{4}-\d+/g;

/** The finding for one vulnerability of one package, merged from the records that report it. */
export function buildFinding(pkg: Package, installedVersion: string, group: VulnerabilityGroup, scheme: VersionScheme | undefined, rate: RateSeverity): Finding {
  const records = group.contributions.map((contribution) => contribution.record);
  const primary = records.find((record) => record.id === group.id);
  const title = primary?.summary ?? records.find((record) => record.summary !== undefined)?.summary;
  const description = primary?.details ?? records.find((record) => record.details !== undefined)?.details;
  const published = earliest(records.map((record) => record.published));
  return {
    id: group.id,
    aliases: group.aliases,
    package: pkg,
    installedVersion,
    fixedVersions: sortVersions(
      group.contributions.flatMap((contribution) => contribution.advisory.fixedVersions),
      scheme,
    ),
    severity: rate(
      group.id,
      group.contributions.map(({ record, entries }) => ({ record, affected: entries[0] })),
    ),
    ...(title !== undefined ? { title } : {}),
    ...(description !== undefined ? { description } : {}),
    references: references(group),
    advisories: group.contributions.map((contribution) => contribution.advisory),
    ...(published !== undefined ? { published } : {}),
  };
}

/**
 * Every record's references, once per URL. A distribution advisory fixing several CVEs links to all
 * of them; under one CVE's finding only the links naming no other CVE are kept (the advisory's own
 * page among them).
 */
function references(group: VulnerabilityGroup): FindingReference[] {
  const known = new Set([group.id, ...group.aliases]);
  const seen = new Set<string>();
  const out: FindingReference[] = [];
  for (const { record } of group.contributions) {
    for (const { url, type } of record.references ?? []) {
      if (seen.has(url)) continue;
      if (group.distro && (url.toUpperCase().match(CVE_IN_TEXT) ?? []).some((cve) => !known.has(cve))) continue;
      seen.add(url);
      out.push({ url, type });
    }
  }
  return out;
}

function earliest(dates: readonly (string | undefined)[]): string | undefined {
  let best: string | undefined;
  for (const date of dates) {
    if (date === undefined || Number.isNaN(Date.parse(date))) continue;
    if (best === undefined || Date.parse(date) < Date.parse(best)) best = date;
  }
  return best;
}
