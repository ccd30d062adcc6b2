import { z } from 'zod';
import { CustomsError } from '../errors.ts';
import type { ScanResult } from './model.ts';
import { describeIssue, type DocumentContext } from './sbom-document-context.ts';
import { SbomDocumentImageBuilder } from './sbom-document-image-builder.ts';
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

const documentSchema = z.object({
  spdxVersion: z.string(),
  packages: z.array(z.unknown()).optional(),
});

/**
 * SPDX 2.2/2.3 JSON. Packages are matched by their PACKAGE-MANAGER purl reference; the
 * OPERATING-SYSTEM package is the distribution and the CONTAINER package (or one with an oci purl)
 * names the image. Trivy's `Key: value` annotations are read like its CycloneDX properties.
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
  return { reference: context.source, images: [image.build(documentWarnings)] };
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
