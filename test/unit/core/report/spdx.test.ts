import { describe, expect, it } from 'vitest';
import type { VulnerabilityReport } from '../../../../lambdas/core/findings/model.ts';
import { renderSpdx } from '../../../../lambdas/core/report/spdx.ts';
import { describeErrors } from '../../../support/cyclonedx-schema.ts';
import { sampleImageFindings, sampleImageSbom, sampleOwnedPackages, sampleReport, sampleReportCases } from '../../../support/sample-findings.ts';
import { spdx23Validator } from '../../../support/spdx-schema.ts';
import { GENERATED_AT, TOOL } from './scan-results.ts';

interface ExternalRef {
  referenceCategory: string;
  referenceType: string;
  referenceLocator: string;
  comment?: string;
}
interface SpdxPackage {
  SPDXID: string;
  name: string;
  versionInfo?: string;
  primaryPackagePurpose?: string;
  downloadLocation: string;
  filesAnalyzed: boolean;
  externalRefs?: ExternalRef[];
}
interface Relationship {
  spdxElementId: string;
  relationshipType: string;
  relatedSpdxElement: string;
  comment?: string;
}
interface SpdxDocument {
  spdxVersion: string;
  dataLicense: string;
  SPDXID: string;
  name: string;
  documentNamespace: string;
  creationInfo: { created: string; creators: string[] };
  packages: SpdxPackage[];
  relationships: Relationship[];
}

const NAMESPACE = 'https://example.com/spdx/app-1.0-3e671687-395b-41f5-a30f-a58921a69b79';
const cases = sampleReportCases();
const validate = spdx23Validator();

function render(report: VulnerabilityReport, documentNamespace: string | null = NAMESPACE): SpdxDocument {
  const meta = { tool: TOOL, generatedAt: GENERATED_AT, ...(documentNamespace === null ? {} : { documentNamespace }) };
  return JSON.parse(renderSpdx(report, meta)) as SpdxDocument;
}

function errorsOf(document: unknown): string[] {
  return validate(document) ? [] : describeErrors(validate.errors);
}

const byName = (document: SpdxDocument, name: string) => document.packages.filter((p) => p.name === name);
const security = (pkg: SpdxPackage) => (pkg.externalRefs ?? []).filter((r) => r.referenceCategory === 'SECURITY');

describe('renderSpdx', () => {
  it.each(Object.entries(cases))('produces a valid SPDX 2.3 document: %s', (_name, report) => {
    expect(errorsOf(render(report))).toEqual([]);
  });

  it('fails validation for broken documents, so the validator is not vacuous', () => {
    const noNamespace = render(cases.single) as Partial<SpdxDocument>;
    delete noNamespace.documentNamespace;
    expect(errorsOf(noNamespace).join('\n')).toContain("must have required property 'documentNamespace'");

    const badCategory = render(cases.single);
    badCategory.packages[2]!.externalRefs![0]!.referenceCategory = 'VULNERABILITY';
    expect(errorsOf(badCategory)).not.toEqual([]);

    const badPurpose = render(cases.single);
    badPurpose.packages[0]!.primaryPackagePurpose = 'IMAGE';
    expect(errorsOf(badPurpose)).not.toEqual([]);

    const badRelationship = render(cases.single);
    badRelationship.relationships[0]!.relationshipType = 'HAS';
    expect(errorsOf(badRelationship)).not.toEqual([]);
  });

  it('writes the document header', () => {
    const text = renderSpdx(cases.single, { tool: TOOL, generatedAt: GENERATED_AT, documentNamespace: NAMESPACE });
    expect(text.endsWith('}\n')).toBe(true);
    expect(JSON.parse(text)).toMatchObject({
      spdxVersion: 'SPDX-2.3',
      dataLicense: 'CC0-1.0',
      SPDXID: 'SPDXRef-DOCUMENT',
      name: 'registry.example/team/app:1.0',
      documentNamespace: NAMESPACE,
      // SPDX wants whole seconds.
      creationInfo: { created: '2025-01-02T03:04:05Z', creators: ['Tool: customs-0.1.0'] },
    });
  });

  it('makes up a unique namespace unless given one', () => {
    const a = render(cases.single, null).documentNamespace;
    const b = render(cases.single, null).documentNamespace;
    expect(a).toMatch(/^https:\/\/spdx\.org\/spdxdocs\/customs-registry\.example-team-app-1\.0-[0-9a-f-]{36}$/);
    expect(a).not.toBe(b);
    expect(renderSpdx(cases.single, { tool: TOOL, generatedAt: GENERATED_AT, documentNamespace: NAMESPACE })).toBe(
      renderSpdx(cases.single, { tool: TOOL, generatedAt: GENERATED_AT, documentNamespace: NAMESPACE }),
    );
  });

  it('describes the image as a container holding its OS and packages', () => {
    const document = render(cases.single);
    const [image, os, ...packages] = document.packages;
    expect(image).toMatchObject({ name: 'registry.example/team/app', versionInfo: '1.0', primaryPackagePurpose: 'CONTAINER', downloadLocation: 'NOASSERTION', filesAnalyzed: false });
    expect(image!.externalRefs).toEqual([
      { referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: `pkg:oci/app@sha256%3A${'c'.repeat(64)}?arch=amd64&repository_url=registry.example/team/app&tag=1.0` },
    ]);
    // The schema spells the purpose with an underscore, unlike the spec's prose.
    expect(os).toMatchObject({ name: 'debian', versionInfo: '12', primaryPackagePurpose: 'OPERATING_SYSTEM' });
    expect(packages.map((p) => p.name)).toEqual(['libssl3', 'libxml2', 'lodash', 'openssl']);
    for (const pkg of packages) {
      expect(pkg).toMatchObject({ downloadLocation: 'NOASSERTION', filesAnalyzed: false });
      expect(pkg.externalRefs![0]).toMatchObject({ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl' });
    }
    expect(document.relationships).toEqual([
      { spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: image!.SPDXID },
      ...[os!, ...packages].map((p) => ({ spdxElementId: image!.SPDXID, relationshipType: 'CONTAINS', relatedSpdxElement: p.SPDXID })),
    ]);
  });

  it('gives every element a unique SPDXID of letters, digits, dots and dashes, also across platforms', () => {
    const document = render(cases.multiPlatform);
    const ids = document.packages.map((p) => p.SPDXID);
    expect(ids.every((id) => /^SPDXRef-[A-Za-z0-9.-]+$/.test(id))).toBe(true);
    expect(new Set([...ids, 'SPDXRef-DOCUMENT']).size).toBe(ids.length + 1);
    // The same npm package on both platforms stays two packages.
    expect(byName(document, 'lodash')).toHaveLength(2);
    const known = new Set([...ids, 'SPDXRef-DOCUMENT']);
    for (const r of document.relationships) expect([known.has(r.spdxElementId), known.has(r.relatedSpdxElement)]).toEqual([true, true]);
    expect(document.relationships.filter((r) => r.relationshipType === 'DESCRIBES')).toHaveLength(2);
  });

  it('carries each finding as a SECURITY advisory reference with the vulnerability ID in the comment', () => {
    const document = render(cases.single);
    expect(security(byName(document, 'libssl3')[0]!)).toEqual([
      {
        referenceCategory: 'SECURITY',
        referenceType: 'advisory',
        referenceLocator: 'https://security-tracker.debian.org/tracker/CVE-2024-0727',
        comment: 'CVE-2024-0727: MEDIUM; fixed in 3.0.13-1~deb12u1',
      },
      // No reference in the record: the ID's own page.
      { referenceCategory: 'SECURITY', referenceType: 'advisory', referenceLocator: 'https://nvd.nist.gov/vuln/detail/CVE-2023-5678', comment: 'CVE-2023-5678: UNKNOWN; no fix available' },
    ]);
    expect(security(byName(document, 'lodash')[0]!).map((r) => r.comment)).toEqual(['GHSA-29mw-wpgm-hmr9: CRITICAL; fixed in 4.17.21']);
    for (const ref of document.packages.flatMap(security)) expect(ref.referenceLocator).not.toMatch(/\s/);
  });

  it('leaves suppressed findings out, and is a plain SBOM without findings', () => {
    const suppressed = render(cases.suppressed);
    expect(security(byName(suppressed, 'libssl3')[0]!)).toEqual([]);
    expect(security(byName(suppressed, 'libxml2')[0]!).map((r) => r.comment?.split(':')[0])).toEqual(['CVE-2024-25062']);

    const plain = render(cases.withoutFindings);
    expect(plain.packages).toHaveLength(6);
    expect(plain.packages.flatMap(security)).toEqual([]);

    const empty = render(cases.noImages);
    expect([empty.packages, empty.relationships]).toEqual([[], []]);
  });
});

describe('renderSpdx: language packages installed by an OS package', () => {
  const [owned, owner] = sampleOwnedPackages();
  const reportOf = (...architectures: string[]) =>
    sampleReport(architectures.map((architecture) => sampleImageFindings([], { sbom: sampleImageSbom([owned, owner], { platform: { os: 'linux', architecture } }) })));
  const packageRelationships = (document: SpdxDocument) => {
    const packageIds = new Set(document.packages.filter((p) => !p.primaryPackagePurpose).map((p) => p.SPDXID));
    return document.relationships.filter((r) => packageIds.has(r.spdxElementId));
  };

  it.each([['one platform', ['amd64']], ['an index', ['amd64', 'arm64']]])('says the owner CONTAINS the package: %s', (_name, architectures) => {
    const document = render(reportOf(...architectures));
    expect(errorsOf(document)).toEqual([]);
    const relationships = packageRelationships(document);
    expect(relationships).toHaveLength(architectures.length);
    const nameOf = new Map(document.packages.map((p) => [p.SPDXID, p.name]));
    for (const relationship of relationships) {
      expect(relationship).toMatchObject({ relationshipType: 'CONTAINS', comment: 'installed by the OS package manager (dpkg)' });
      expect([nameOf.get(relationship.spdxElementId), nameOf.get(relationship.relatedSpdxElement)]).toEqual(['python3-jinja2', 'Jinja2']);
    }
    // Per platform: each relationship stays within its own platform's packages.
    expect(new Set(relationships.map((r) => r.relatedSpdxElement)).size).toBe(architectures.length);
  });

  it('adds no relationship when the owner is not in the image', () => {
    const document = render(sampleReport([sampleImageFindings([], { sbom: sampleImageSbom([owned]) })]));
    expect(errorsOf(document)).toEqual([]);
    expect(packageRelationships(document)).toEqual([]);
  });
});
