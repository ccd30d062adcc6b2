import { z } from 'zod';
import { CustomsError } from '../errors.ts';
import type { Distro, ImageSbom, ScanResult } from './model.ts';
import { describeIssue, type DocumentContext } from './sbom-document-context.ts';
import type { ImageDescription } from './sbom-document-image.ts';
import { SbomDocumentImageBuilder } from './sbom-document-image-builder.ts';
import { withoutIdPrefix, withResolvedOwners } from './sbom-document-package.ts';
import { property, propertyMap, type SbomProperties } from './sbom-document-properties.ts';

/** Components nested deeper than this are not read: Customs nests two levels, real tools a few more. */
export const MAX_COMPONENT_DEPTH = 32;

const CATALOGER = 'cyclonedx-document';

// Only the fields read are validated; nested components stay unknown until their turn, so a deeply
// nested document is walked iteratively rather than by a recursive schema.
const propertySchema = z.object({ name: z.string(), value: z.string().optional() });
const componentSchema = z.object({
  type: z.string(),
  'bom-ref': z.string().optional(),
  name: z.string().optional(),
  version: z.string().optional(),
  description: z.string().optional(),
  purl: z.string().optional(),
  properties: z.array(propertySchema).optional(),
  components: z.array(z.unknown()).optional(),
});
type Component = z.infer<typeof componentSchema>;

const bomSchema = z.object({
  bomFormat: z.literal('CycloneDX'),
  specVersion: z.string(),
  metadata: z.object({ component: z.unknown().optional() }).optional(),
  components: z.array(z.unknown()).optional(),
});

/**
 * CycloneDX JSON (written for 1.4–1.6). The metadata component names the image; a single image's
 * packages are top-level components. Customs writes a multi-platform index as one `container`
 * component per platform nesting its OS and packages: each becomes its own ImageSbom.
 */
export function readCycloneDx(document: unknown, context: DocumentContext): ScanResult {
  const parsed = bomSchema.safeParse(document);
  if (!parsed.success) throw new CustomsError('malformed', `${context.source} is not a valid CycloneDX document ${describeIssue(parsed.error)}`);
  const bom = parsed.data;
  const documentWarnings = specVersionWarnings(bom.specVersion, context.source);

  const topLevel = bom.components ?? [];
  const platforms = topLevel.flatMap((value, index) => {
    const parsed = componentSchema.safeParse(value);
    return parsed.success && parsed.data.type === 'container' ? [{ container: parsed.data, path: `components[${index}]` }] : [];
  });
  const subject = componentSchema.safeParse(bom.metadata?.component);
  const subjectDescription = subject.success ? describe(subject.data) : undefined;

  if (platforms.length === 0) {
    const image = new SbomDocumentImageBuilder(context, CATALOGER, subjectDescription);
    const owners = new Map<string, string>();
    walk(bom.components ?? [], 'components', image, owners);
    return { reference: context.source, images: [withOwners(image.build(documentWarnings), owners)] };
  }

  const outside = topLevel.length - platforms.length;
  const images = platforms.map(({ container, path }) => {
    const ref = container['bom-ref'];
    const prefix = ref ? `${ref}/` : undefined;
    const image = new SbomDocumentImageBuilder(context, CATALOGER, describe(container), prefix);
    const owners = new Map<string, string>();
    walk(container.components ?? [], `${path}.components`, image, owners, prefix);
    const extra = outside > 0 ? [`${outside} top-level ${outside === 1 ? 'component' : 'components'} outside the platform images skipped`] : [];
    return withOwners(image.build([...documentWarnings, ...extra]), owners);
  });
  return { reference: context.source, images };
}

/** Depth-first, in document order, with an explicit stack so hostile nesting cannot exhaust the call stack. */
/**
 * `owners` collects, by package id, the package id of the OS package that installed it, as
 * Customs' `customs:package:owner-ref` names it; `prefix` is the platform image's ref prefix.
 */
function walk(components: readonly unknown[], path: string, image: SbomDocumentImageBuilder, owners: Map<string, string>, prefix?: string): void {
  const stack = components.map((value, index) => ({ value, path: `${path}[${index}]`, depth: 1 })).reverse();
  let tooDeep = false;
  for (let entry = stack.pop(); entry; entry = stack.pop()) {
    const parsed = componentSchema.safeParse(entry.value);
    if (!parsed.success) {
      image.warnings.add(`${entry.path} skipped: not a valid component ${describeIssue(parsed.error)}`);
      continue;
    }
    const component = parsed.data;
    const properties = propertiesOf(component);
    visit(component, properties, entry.path, image);
    const ownerRef = property(properties, 'customs:package:owner-ref');
    if (component['bom-ref'] && ownerRef) owners.set(withoutIdPrefix(component['bom-ref'], prefix), withoutIdPrefix(ownerRef, prefix));
    const children = component.components ?? [];
    if (children.length === 0) continue;
    if (entry.depth >= MAX_COMPONENT_DEPTH) {
      tooDeep = true;
      continue;
    }
    for (let index = children.length - 1; index >= 0; index--) {
      stack.push({ value: children[index], path: `${entry.path}.components[${index}]`, depth: entry.depth + 1 });
    }
  }
  if (tooDeep) image.warnings.add(`components nested more than ${MAX_COMPONENT_DEPTH} levels deep skipped`);
}

function visit(component: Component, properties: SbomProperties, path: string, image: SbomDocumentImageBuilder): void {
  if (component.type === 'operating-system') {
    if (component.name?.trim()) image.setOperatingSystem(distroOf(component, properties, image));
    return;
  }
  if (component.type === 'container') return; // a nested image's identity is not a package; its contents are walked
  // Files, applications and the like are listed by some tools without a purl: not packages.
  if (!component.purl && component.type !== 'library' && component.type !== 'framework') return;
  image.addPackage({
    position: path,
    ...(component['bom-ref'] ? { id: component['bom-ref'] } : {}),
    ...(component.name ? { name: component.name } : {}),
    ...(component.purl ? { purl: component.purl } : {}),
    properties,
  });
}

/** Owners claimed by owner-ref, checked against the packages actually read. */
function withOwners(image: ImageSbom, owners: ReadonlyMap<string, string>): ImageSbom {
  return owners.size > 0 ? withResolvedOwners(image, (pkg) => owners.get(pkg.id)) : image;
}

function distroOf(component: Component, properties: SbomProperties, image: SbomDocumentImageBuilder): Distro {
  const versionId = component.version?.trim();
  const codename = property(properties, 'customs:distro:codename');
  const prettyName = component.description?.trim();
  return {
    id: component.name!.trim().toLowerCase(),
    ...(versionId ? { versionId } : {}),
    ...(codename ? { codename } : {}),
    ...(prettyName ? { prettyName } : {}),
    source: property(properties, 'customs:distro:source') ?? image.documentSource,
  };
}

function describe(component: Component): ImageDescription {
  return {
    ...(component.name ? { name: component.name } : {}),
    ...(component.version ? { version: component.version } : {}),
    ...(component.purl ? { purl: component.purl } : {}),
    properties: propertiesOf(component),
  };
}

function propertiesOf(component: Component): SbomProperties {
  return propertyMap((component.properties ?? []).flatMap((entry) => (entry.value === undefined ? [] : [{ name: entry.name, value: entry.value }])));
}

function specVersionWarnings(specVersion: string, source: string): string[] {
  const match = /^1\.(\d+)$/.exec(specVersion.trim());
  if (!match) throw new CustomsError('unsupported', `${source} is CycloneDX ${JSON.stringify(specVersion)}; Customs reads CycloneDX 1.x JSON`);
  const minor = Number(match[1]);
  return minor >= 4 && minor <= 6 ? [] : [`CycloneDX ${specVersion} read as if it were 1.6 (Customs reads 1.4–1.6)`];
}
