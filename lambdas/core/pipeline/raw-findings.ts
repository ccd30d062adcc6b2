import type { Finding } from '../findings/model.ts';
import type { RawFinding } from './model.ts';

/** A finding's identity within one digest: the vulnerability and the package (its purl and path). */
export function findingKey(finding: Pick<Finding, 'id'> & { readonly package: { readonly id: string } }): string {
  return `${finding.id}|${finding.package.id}`;
}

/**
 * The stored form of a finding: everything a verdict, an alert or a rescan diff needs. Long texts
 * (description, references) stay in the advisories, which are re-read when a report is rendered.
 */
export function toRawFinding(finding: Finding): RawFinding {
  const { package: pkg } = finding;
  return {
    key: findingKey(finding),
    id: finding.id,
    aliases: [...finding.aliases],
    package: { id: pkg.id, purl: pkg.purl, name: pkg.name, version: pkg.version, type: pkg.type, path: pkg.location.path, layerIndex: pkg.location.layerIndex },
    installedVersion: finding.installedVersion,
    fixedVersions: [...finding.fixedVersions],
    severity: finding.severity,
    advisories: finding.advisories.map((advisory) => ({ id: advisory.id, ecosystem: advisory.ecosystem, name: advisory.name, fixedVersions: [...advisory.fixedVersions], modified: advisory.modified })),
    ...(finding.published !== undefined ? { published: finding.published } : {}),
    ...(finding.title !== undefined ? { title: finding.title } : {}),
  };
}
