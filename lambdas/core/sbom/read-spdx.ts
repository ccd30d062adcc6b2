import { z } from 'zod';
import { CustomsError } from '../errors.ts';
import type { ImageSbom, ScanResult } from './model.ts';
import { describeIssue, type DocumentContext } from './sbom-document-context.ts';
import { SbomDocumentImageBuilder } from './sbom-document-image-builder.ts';
import { withResolvedOwners } from './sbom-document-package.ts';
import { propertyMap, type SbomProperties } from './sbom-document-properties.ts';

const CATALOGER = 'spdx-document';

const externalRefSchema = z.object({ referenceCategory: z.string(), referenceType: z.string(), referenceLocator: z.string() });
const annotationSchema = z.object({ annotator: z.string().optional(), comment: z.string().optional() });
const packageSchema = z.object({
  SPDXID: z.string().optional(),
  name: z.string().optional(),
  versionInfo: z.string().optional(),
  primaryPackagePurpose: z.string().optional(),
  sourceInfo: z.string().optional(),
  // Entries are checked one by one: one odd reference should not cost the whole package.
  externalRefs: z.array(z.unknown()).optional(),
  annotations: z.array(z.unknown()).optional(),
});
type SpdxPackage = z.infer<typeof packageSchema>;

const relationshipSchema = z.object({ spdxElementId: z.string(), relationshipType: z.string(), relatedSpdxElement: z.string() });

const documentSchema = z.object({
  spdxVersion: z.string(),
  packages: z.array(z.unknown()).optional(),
  relationships: z.array(z.unknown()).optional(),
});

const OS_TYPES: ReadonlySet<string> = new Set(['deb', 'rpm', 'apk']);

/**
 * SPDX 2.2/2.3 JSON. Packages are matched by their PACKAGE-MANAGER purl reference; the
 * OPERATING-SYSTEM package is the distribution and the CONTAINER package (or one with an oci purl)
 * names the image. Trivy's `Key: value` annotations are read like its CycloneDX properties, and an
 * OS package that CONTAINS a language package is its owner.
 */
export function readSpdx(document: unknown, context: DocumentContext): ScanResult {
  const parsed = documentSchema.safeParse(document);
  if (!parsed.success) throw new CustomsError('malformed', `${context.source} is not a valid SPDX document ${describeIssue(parsed.error)}`);
  const version = /^SPDX-2\.(\d+)$/.exec(parsed.data.spdxVersion.trim());
  if (!version) throw new CustomsError('unsupported', `${context.source} is ${JSON.stringify(parsed.data.spdxVersion)}; Customs reads SPDX 2.2 and 2.3 JSON`);
  const documentWarnings = version[1] === '2' || version[1] === '3' ? [] : [`${parsed.data.spdxVersion} read as if it were SPDX-2.3`];

  const entries = (parsed.data.packages ?? []).map((value, index) => ({ result: packageSchema.safeParse(value), path: `packages[${index}]` }));
  const valid = entries.flatMap(({ result, path }) => (result.success ? [{ pkg: result.data, path, purl: purlOf(result.data), properties: propertiesOf(result.data) }] : []));
  const container = valid.find((entry) => purposeOf(entry.pkg) === 'CONTAINER') ?? valid.find((entry) => entry.purl?.startsWith('pkg:oci/'));

  const image = new SbomDocumentImageBuilder(
    context,
    CATALOGER,
    container && {
      ...(container.pkg.name ? { name: container.pkg.name } : {}),
      ...(container.pkg.versionInfo ? { version: container.pkg.versionInfo } : {}),
      ...(container.purl ? { purl: container.purl } : {}),
      properties: container.properties,
    },
  );
  for (const { result, path } of entries) {
    if (!result.success) image.warnings.add(`${path} skipped: not a valid SPDX package ${describeIssue(result.error)}`);
  }
  for (const entry of valid) {
    if (entry === container) continue;
    const { pkg } = entry;
    if (purposeOf(pkg) === 'OPERATING-SYSTEM') {
      const id = pkg.name?.trim().toLowerCase();
      const versionId = pkg.versionInfo?.trim();
      if (id) image.setOperatingSystem({ id, ...(versionId ? { versionId } : {}), source: context.source });
      continue;
    }
    const pathHint = pkg.sourceInfo ? /:\s*(\/[^\s,]+)/.exec(pkg.sourceInfo)?.[1] : undefined;
    image.addPackage({
      position: entry.path,
      ...(pkg.SPDXID ? { id: pkg.SPDXID } : {}),
      ...(pkg.name ? { name: pkg.name } : {}),
      ...(entry.purl ? { purl: entry.purl } : {}),
      properties: entry.properties,
      ...(pathHint ? { pathHint } : {}),
    });
  }
  const built = image.build(documentWarnings);
  const owners = ownersOf(parsed.data.relationships ?? [], built);
  return { reference: context.source, images: [owners.size > 0 ? withResolvedOwners(built, (pkg) => owners.get(pkg.id)) : built] };
}

/**
 * Customs writes an OS package CONTAINS the language package it installed; package ids are SPDXIDs.
 * The image's own CONTAINS relationships (and those to files) name no two packages and are passed over.
 */
function ownersOf(relationships: readonly unknown[], image: ImageSbom): Map<string, string> {
  const types = new Map(image.packages.map((pkg) => [pkg.id, pkg.type]));
  const owners = new Map<string, string>();
  for (const value of relationships) {
    const relationship = relationshipSchema.safeParse(value);
    if (!relationship.success || normalize(relationship.data.relationshipType) !== 'CONTAINS') continue;
    const { spdxElementId: owner, relatedSpdxElement: owned } = relationship.data;
    const ownedType = types.get(owned);
    if (!OS_TYPES.has(types.get(owner) ?? '') || !ownedType || OS_TYPES.has(ownedType) || owners.has(owned)) continue;
    owners.set(owned, owner);
  }
  return owners;
}

/** SPDX 2.2 spells the category PACKAGE_MANAGER, 2.3 PACKAGE-MANAGER. */
function purlOf(pkg: SpdxPackage): string | undefined {
  for (const value of pkg.externalRefs ?? []) {
    const ref = externalRefSchema.safeParse(value);
    if (ref.success && normalize(ref.data.referenceCategory) === 'PACKAGE-MANAGER' && ref.data.referenceType === 'purl' && ref.data.referenceLocator.trim()) {
      return ref.data.referenceLocator.trim();
    }
  }
  return undefined;
}

function purposeOf(pkg: SpdxPackage): string | undefined {
  return pkg.primaryPackagePurpose && normalize(pkg.primaryPackagePurpose);
}

function normalize(value: string): string {
  return value.trim().toUpperCase().replace(/_/g, '-');
}

/** Trivy records package facts as `Key: value` annotations; they become `aquasecurity:trivy:Key` properties. */
function propertiesOf(pkg: SpdxPackage): SbomProperties {
  const entries: { name: string; value: string }[] = [];
  for (const value of pkg.annotations ?? []) {
    const annotation = annotationSchema.safeParse(value);
    if (!annotation.success || !/trivy/i.test(annotation.data.annotator ?? '')) continue;
    const match = /^([A-Za-z][A-Za-z0-9]*):\s?(.*)$/s.exec(annotation.data.comment ?? '');
    if (match) entries.push({ name: `aquasecurity:trivy:${match[1]}`, value: match[2]! });
  }
  return propertyMap(entries);
}
