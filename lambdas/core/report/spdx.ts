import { randomUUID } from 'node:crypto';
import type { Finding, ImageFindings, VulnerabilityReport } from '../findings/model.ts';
import { formatPlatform } from '../image/platform.ts';
import type { Package } from '../sbom/model.ts';
import { ociPurl } from './cyclonedx.ts';
import { sortPackages } from './package-order.ts';
import { advisoryUrl } from './advisory-links.ts';
import { OWNER_MANAGERS } from './owner-label.ts';
import { fixText } from './sarif-rules.ts';
import { SpdxIds } from './spdx-ids.ts';

export interface SpdxMeta {
  readonly tool: { readonly name: string; readonly version: string };
  readonly generatedAt: Date;
  /** A unique absolute URI naming this document; made up (random) when absent. Pass one for reproducible output. */
  readonly documentNamespace?: string;
}

interface ExternalRef {
  readonly referenceCategory: 'PACKAGE-MANAGER' | 'SECURITY';
  readonly referenceType: string;
  readonly referenceLocator: string;
  readonly comment?: string;
}

interface SpdxPackage {
  readonly SPDXID: string;
  readonly name: string;
  readonly versionInfo?: string;
  readonly primaryPackagePurpose?: 'CONTAINER' | 'OPERATING_SYSTEM';
  readonly downloadLocation: 'NOASSERTION';
  readonly filesAnalyzed: false;
  readonly licenseConcluded: 'NOASSERTION';
  readonly licenseDeclared: 'NOASSERTION';
  readonly description?: string;
  readonly sourceInfo?: string;
  readonly comment?: string;
  readonly externalRefs?: ExternalRef[];
}

interface Relationship {
  readonly spdxElementId: string;
  readonly relationshipType: 'DESCRIBES' | 'CONTAINS';
  readonly relatedSpdxElement: string;
  readonly comment?: string;
}

const DOCUMENT_ID = 'SPDXRef-DOCUMENT';

/**
 * SPDX 2.3 JSON. Each platform image is a CONTAINER package the document DESCRIBES and that CONTAINS
 * its OS and packages. SPDX 2.3 has no vulnerability objects; a finding becomes a SECURITY
 * `advisory` external reference on its package, with the vulnerability ID in the comment.
 * Suppressed findings are left out. A report without findings is a plain SBOM.
 */
export function renderSpdx(report: VulnerabilityReport, meta: SpdxMeta): string {
  const ids = new SpdxIds();
  ids.claim('DOCUMENT');
  const packages: SpdxPackage[] = [];
  const relationships: Relationship[] = [];
  const multiPlatform = report.images.length > 1;
  for (const image of report.images) {
    const described = imagePackages(image, ids, multiPlatform);
    packages.push(...described.packages);
    relationships.push(
      { spdxElementId: DOCUMENT_ID, relationshipType: 'DESCRIBES', relatedSpdxElement: described.image },
      ...described.contents.map((id) => ({ spdxElementId: described.image, relationshipType: 'CONTAINS' as const, relatedSpdxElement: id })),
      ...described.owned,
    );
  }
  const document = {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: DOCUMENT_ID,
    name: report.reference,
    documentNamespace: meta.documentNamespace ?? defaultNamespace(meta.tool.name, report.reference),
    creationInfo: {
      created: meta.generatedAt.toISOString().replace(/\.\d+Z$/, 'Z'),
      creators: [`Tool: ${meta.tool.name}-${meta.tool.version}`],
    },
    packages,
    relationships,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

interface DescribedImage {
  readonly image: string;
  readonly packages: SpdxPackage[];
  readonly contents: string[];
  /** OS package CONTAINS the language package it installed. */
  readonly owned: Relationship[];
}

function imagePackages(image: ImageFindings, ids: SpdxIds, multiPlatform: boolean): DescribedImage {
  const sbom = image.sbom;
  const platform = formatPlatform(sbom.platform);
  const digest = sbom.manifestDigest ?? sbom.configDigest;
  const imageId = ids.claim(`Image-${platform}-${digest}`);
  // The same package id occurs once per platform of an index; the platform keeps their SPDXIDs apart.
  const scope = multiPlatform ? `${platform}-` : '';
  const packages: SpdxPackage[] = [
    {
      ...bare(imageId, sbom.repository, sbom.tag || digest),
      primaryPackagePurpose: 'CONTAINER',
      comment: [`platform ${platform}`, sbom.manifestDigest && `manifest ${sbom.manifestDigest}`, `config ${sbom.configDigest}`].filter(Boolean).join('; '),
      ...refs(sbom.manifestDigest ? [purlRef(ociPurl(sbom.repository, sbom.manifestDigest, sbom.tag, sbom.platform.architecture))] : []),
    },
  ];
  if (sbom.distro) {
    const distro = sbom.distro;
    packages.push({
      ...bare(ids.claim(`OperatingSystem-${scope}${distro.id}-${distro.versionId ?? ''}`), distro.id, distro.versionId),
      primaryPackagePurpose: 'OPERATING_SYSTEM',
      ...(distro.prettyName ? { description: distro.prettyName } : {}),
    });
  }
  const findings = findingsByPackage(image.findings);
  const sorted = sortPackages(sbom.packages).map((pkg) => ({ pkg, id: ids.claim(`Package-${scope}${pkg.id}`) }));
  for (const { pkg, id } of sorted) packages.push(packagePackage(pkg, id, findings.get(pkg.id) ?? []));
  return { image: imageId, packages, contents: packages.slice(1).map((pkg) => pkg.SPDXID), owned: ownedRelationships(sorted) };
}

/** The owner is found by package id (its first package when ids repeat); a missing owner adds nothing. */
function ownedRelationships(packages: readonly { readonly pkg: Package; readonly id: string }[]): Relationship[] {
  const spdxIds = new Map<string, string>();
  for (const { pkg, id } of packages) if (!spdxIds.has(pkg.id)) spdxIds.set(pkg.id, id);
  return packages.flatMap(({ pkg, id }) => {
    const owner = pkg.owner && spdxIds.get(pkg.owner.id);
    if (!pkg.owner || !owner || owner === id) return [];
    const comment = `installed by the OS package manager (${OWNER_MANAGERS[pkg.owner.type]})`;
    return [{ spdxElementId: owner, relationshipType: 'CONTAINS' as const, relatedSpdxElement: id, comment }];
  });
}

function packagePackage(pkg: Package, id: string, findings: readonly Finding[]): SpdxPackage {
  const security = new Map<string, ExternalRef>();
  for (const finding of findings) {
    const url = advisoryUrl(finding);
    security.set(`${finding.id} ${url}`, {
      referenceCategory: 'SECURITY',
      referenceType: 'advisory',
      referenceLocator: url,
      comment: `${finding.id}: ${finding.severity.severity}; ${fixText(finding)}`,
    });
  }
  return {
    ...bare(id, pkg.name, pkg.version),
    sourceInfo: `found in ${pkg.location.path} (layer ${pkg.location.layerDigest}) by the ${pkg.cataloger} cataloger`,
    ...refs([...(pkg.purl ? [purlRef(pkg.purl)] : []), ...security.values()]),
  };
}

function bare(id: string, name: string, version: string | undefined): SpdxPackage {
  return {
    SPDXID: id,
    name,
    ...(version ? { versionInfo: version } : {}),
    downloadLocation: 'NOASSERTION',
    filesAnalyzed: false,
    licenseConcluded: 'NOASSERTION',
    licenseDeclared: 'NOASSERTION',
  };
}

function purlRef(purl: string): ExternalRef {
  return { referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: purl };
}

function refs(externalRefs: ExternalRef[]): { externalRefs?: ExternalRef[] } {
  return externalRefs.length > 0 ? { externalRefs } : {};
}

function findingsByPackage(findings: readonly Finding[]): Map<string, Finding[]> {
  const byPackage = new Map<string, Finding[]>();
  for (const finding of findings) byPackage.set(finding.package.id, [...(byPackage.get(finding.package.id) ?? []), finding]);
  return byPackage;
}

/** The spdx.org/spdxdocs convention for tools without a namespace of their own, made unique by a UUID. */
function defaultNamespace(tool: string, reference: string): string {
  const name = `${tool}-${reference}`.replace(/[^A-Za-z0-9._-]+/g, '-');
  return `https://spdx.org/spdxdocs/${name}-${randomUUID()}`;
}
