import type { AdvisoryMatch } from '../advisories/advisory-store.ts';
import { SEVERITIES, type Finding } from '../findings/model.ts';
import type { AdvisoryLookup } from '../ports.ts';
import type { ImageSbom, Package } from '../sbom/model.ts';
import { buildFinding } from './build-finding.ts';
import { distroEcosystem } from './distro-ecosystem.ts';
import { memoizedRateSeverity } from './memo-severity.ts';
import { rangeSchemesOf } from './ecosystem-schemes.ts';
import { affectingRecords } from './package-advisories.ts';
import { isOsPackage, packageQuery, type PackageQuery, type QueryOptions } from './package-query.ts';
import { groupVulnerabilities } from './vulnerability-groups.ts';

export interface ImageMatches {
  /** Worst first, then by package name, then by ID. */
  readonly findings: Finding[];
  readonly warnings: string[];
}

/**
 * Matches an image's packages with advisories: one batched lookup for every distinct package, then
 * one finding per vulnerability per package.
 */
export async function matchImage(sbom: ImageSbom, advisories: AdvisoryLookup, options: QueryOptions = {}): Promise<ImageMatches> {
  const warnings = new Set<string>();
  const os = distroEcosystem(sbom.distro);
  const osEcosystem = 'ecosystem' in os ? os.ecosystem : undefined;
  const planned: { pkg: Package; query: PackageQuery; slot: number }[] = [];
  const slots = new Map<string, number>();
  const queries: PackageQuery[] = [];
  const unmatchedOs = new Map<string, number>();
  for (const pkg of sbom.packages) {
    const query = packageQuery(pkg, osEcosystem, options);
    if (!query) {
      if (isOsPackage(pkg)) unmatchedOs.set(pkg.type, (unmatchedOs.get(pkg.type) ?? 0) + 1);
      continue;
    }
    const key = `${query.ecosystem}\0${query.name}`;
    let slot = slots.get(key);
    if (slot === undefined) {
      slots.set(key, (slot = queries.length));
      queries.push(query);
    }
    planned.push({ pkg, query, slot });
  }
  if ('warning' in os && unmatchedOs.size > 0) warnings.add(os.warning);
  for (const [type, count] of unmatchedOs) {
    if (osEcosystem && osEcosystem.packageType !== type) warnings.add(`${count} ${type} package(s) on a ${osEcosystem.ecosystem} image were not matched: its advisories cover ${osEcosystem.packageType} packages`);
  }

  const answers = queries.length > 0 ? await advisories.lookup(queries.map(({ ecosystem, name }) => ({ ecosystem, name }))) : [];
  const findings: Finding[] = [];
  const rate = memoizedRateSeverity();
  for (const { pkg, query, slot } of planned) {
    const matches: readonly AdvisoryMatch[] = answers[slot] ?? [];
    if (matches.length === 0) continue;
    const contributions = affectingRecords(query, matches, (message) => warnings.add(message));
    if (contributions.length === 0) continue;
    const schemes = rangeSchemesOf(query.ecosystem);
    const installed = isOsPackage(pkg) ? query.version : pkg.version;
    for (const group of groupVulnerabilities(contributions, isOsPackage(pkg))) {
      findings.push(buildFinding(pkg, installed, group, schemes.ecosystem ?? schemes.semver, rate));
    }
  }
  return { findings: findings.sort(worstFirst), warnings: [...warnings] };
}

function worstFirst(a: Finding, b: Finding): number {
  return (
    SEVERITIES.indexOf(a.severity.severity) - SEVERITIES.indexOf(b.severity.severity) ||
    compareText(a.package.name, b.package.name) ||
    compareText(a.id, b.id) ||
    compareText(a.package.id, b.package.id)
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
