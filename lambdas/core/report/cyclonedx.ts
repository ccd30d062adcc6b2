import { randomUUID } from 'node:crypto';
import { CustomsError } from '../errors.ts';
import { formatPlatform } from '../image/platform.ts';
import type { VulnerabilityReport } from '../findings/model.ts';
import type { Distro, ImageSbom, Package, ScanResult } from '../sbom/model.ts';
import { formatPurl } from '../sbom/purl.ts';
import { BomRefs } from './bom-refs.ts';
import { cycloneDxVulnerabilities, type PackageRefs } from './cyclonedx-vulnerabilities.ts';
import { ownerLabel } from './owner-label.ts';
import { sortPackages } from './package-order.ts';
import { nonEmpty } from './non-empty.ts';

export interface CycloneDxMeta {
  readonly tool: { readonly name: string; readonly version: string };
  readonly generatedAt: Date;
  /** `urn:uuid:…` or a bare UUID; random when absent. Pass one to get reproducible output. */
  readonly serialNumber?: string;
}

interface Property {
  readonly name: string;
  readonly value: string;
}

interface Component {
  readonly type: 'application' | 'container' | 'operating-system' | 'library';
  readonly 'bom-ref'?: string;
  readonly name: string;
  readonly version?: string;
  readonly description?: string;
  readonly purl?: string;
  readonly properties?: Property[];
  readonly components?: Component[];
}

interface Dependency {
  readonly ref: string;
  readonly dependsOn: string[];
}

/** The CycloneDX rendering of one platform image: its container component, contents and graph. */
interface ImageBom {
  readonly component: Component;
  readonly contents: Component[];
  readonly dependencies: Dependency[];
  readonly packageRefs: PackageRefs;
}

/**
 * CycloneDX 1.6 JSON. A single platform image is the BOM's subject with its OS and packages as
 * top-level components; a multi-platform index is the subject with one container component per
 * platform, each nesting its own OS and packages, so the same package on two platforms stays two
 * distinct components.
 */
export function renderCycloneDx(result: ScanResult, meta: CycloneDxMeta): string {
  return serialize(buildBom(result, meta, new BomRefs()).bom);
}

/**
 * The same BOM with a CycloneDX `vulnerabilities` array: the findings, and the VEX-suppressed ones
 * with their `analysis`. Without either it is byte-for-byte the plain SBOM.
 */
export function renderCycloneDxWithVulnerabilities(report: VulnerabilityReport, meta: CycloneDxMeta): string {
  const refs = new BomRefs();
  const result: ScanResult = {
    reference: report.reference,
    images: report.images.map((image) => image.sbom),
    ...(report.failures ? { failures: report.failures } : {}),
  };
  const { bom, packageRefs } = buildBom(result, meta, refs);
  const vulnerabilities = cycloneDxVulnerabilities(report, packageRefs, refs);
  return serialize(vulnerabilities.length > 0 ? { ...bom, vulnerabilities } : bom);
}

function buildBom(result: ScanResult, meta: CycloneDxMeta, refs: BomRefs): { bom: object; packageRefs: PackageRefs[] } {
  const single = result.images.length === 1 ? result.images[0] : undefined;
  let subject: Component;
  let components: Component[];
  let dependencies: Dependency[];
  let packageRefs: PackageRefs[];
  if (single) {
    const image = imageBom(single, refs, false);
    subject = image.component;
    components = image.contents;
    dependencies = image.dependencies;
    packageRefs = [image.packageRefs];
  } else {
    subject = indexComponent(result, refs);
    const images = result.images.map((image) => imageBom(image, refs, true));
    components = images.map((image) => withChildren(image.component, image.contents));
    dependencies = [
      { ref: subject['bom-ref']!, dependsOn: images.map((image) => image.component['bom-ref']!) },
      ...images.flatMap((image) => image.dependencies),
    ];
    packageRefs = images.map((image) => image.packageRefs);
  }
  const bom = {
    $schema: 'http://cyclonedx.org/schema/bom-1.6.schema.json',
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: serialNumberOf(meta.serialNumber),
    version: 1,
    metadata: {
      timestamp: meta.generatedAt.toISOString(),
      tools: { components: [{ type: 'application', name: meta.tool.name, version: meta.tool.version }] },
      component: subject,
    },
    components: nonEmpty(components),
    dependencies,
  };
  return { bom, packageRefs };
}

function serialize(bom: object): string {
  return `${JSON.stringify(bom, null, 2)}\n`;
}

function imageBom(image: ImageSbom, refs: BomRefs, nested: boolean): ImageBom {
  const platform = formatPlatform(image.platform);
  const imageRef = refs.claim(`${platform}:${image.manifestDigest ?? image.configDigest}`);
  // Inside an index the same package id occurs once per platform; the image's ref keeps them apart.
  const localRef = (id: string): string => refs.claim(nested ? `${imageRef}/${id}` : id);

  const contents: Component[] = [];
  const packageRefs: PackageRefs = new Map();
  if (image.distro) contents.push(osComponent(image.distro, localRef(osId(image.distro))));
  // Every ref is claimed before any component is built: an owned package may sort before its owner.
  const packages = sortPackages(image.packages).map((pkg) => ({ pkg, ref: localRef(pkg.id) }));
  // A repeated package id keeps its first component: findings and owners name packages by id.
  for (const { pkg, ref } of packages) if (!packageRefs.has(pkg.id)) packageRefs.set(pkg.id, ref);
  const owned = new Map<string, string[]>();
  for (const { pkg, ref } of packages) {
    // An owner missing from the image (or the package itself) would be a dangling or looping ref.
    const found = pkg.owner && packageRefs.get(pkg.owner.id);
    const ownerRef = found !== ref ? found : undefined;
    contents.push(packageComponent(pkg, ref, ownerRef));
    if (ownerRef) owned.set(ownerRef, [...(owned.get(ownerRef) ?? []), ref]);
  }

  const component: Component = {
    type: 'container',
    'bom-ref': imageRef,
    name: image.repository,
    version: image.tag || image.manifestDigest || image.configDigest,
    // The oci purl names a manifest; an archive without one has no purl that would resolve.
    purl: image.manifestDigest ? ociPurl(image.repository, image.manifestDigest, image.tag, image.platform.architecture) : undefined,
    properties: propertiesOf([
      ['customs:image:platform', platform],
      ['customs:image:manifest-digest', image.manifestDigest],
      ['customs:image:config-digest', image.configDigest],
      ['customs:image:index-digest', image.indexDigest],
      ['customs:image:created', image.created],
    ]),
  };
  const contentRefs = contents.map((child) => child['bom-ref']!);
  // The graph stays connected through the image; an OS package also depends on the language
  // packages it installed, which is where CycloneDX records what Syft calls file ownership.
  const dependencies = [{ ref: imageRef, dependsOn: contentRefs }, ...contentRefs.map((ref) => ({ ref, dependsOn: owned.get(ref) ?? [] }))];
  return { component, contents, dependencies, packageRefs };
}

function indexComponent(result: ScanResult, refs: BomRefs): Component {
  const first = result.images[0];
  const indexDigest = first?.indexDigest;
  return {
    type: 'container',
    'bom-ref': refs.claim(indexDigest ? `index:${indexDigest}` : `index:${result.reference}`),
    name: first?.repository || result.reference,
    version: indexDigest || first?.tag || undefined,
    purl: first && indexDigest ? ociPurl(first.repository, indexDigest, first.tag) : undefined,
    properties: propertiesOf([['customs:image:reference', result.reference]]),
  };
}

function osComponent(distro: Distro, ref: string): Component {
  return {
    type: 'operating-system',
    'bom-ref': ref,
    name: distro.id,
    version: distro.versionId || undefined,
    description: distro.prettyName || undefined,
    properties: propertiesOf([
      ['customs:distro:codename', distro.codename],
      ['customs:distro:source', distro.source],
    ]),
  };
}

function osId(distro: Distro): string {
  return distro.versionId ? `os:${distro.id}@${distro.versionId}` : `os:${distro.id}`;
}

/** `ownerRef`: the bom-ref of the OS package that installed it, when that package is in the BOM. */
function packageComponent(pkg: Package, ref: string, ownerRef: string | undefined): Component {
  return {
    type: 'library',
    'bom-ref': ref,
    name: pkg.name,
    version: pkg.version || undefined,
    purl: pkg.purl || undefined,
    properties: propertiesOf([
      ['customs:package:type', pkg.type],
      ['customs:package:dev', pkg.dev ? 'true' : undefined],
      ['customs:package:alias', pkg.alias],
      ['customs:package:version-inferred', pkg.versionInferred ? 'true' : undefined],
      ['customs:package:architecture', pkg.architecture],
      ['customs:package:source-name', pkg.source?.name],
      ['customs:package:source-version', pkg.source?.version],
      ['customs:package:owner', pkg.owner && ownerRef ? ownerLabel(pkg.owner) : undefined],
      ['customs:package:owner-ref', ownerRef],
      ['customs:location:path', pkg.location.path],
      ['customs:layer:index', String(pkg.location.layerIndex)],
      ['customs:layer:digest', pkg.location.layerDigest],
      ['customs:layer:diff-id', pkg.location.layerDiffId],
      ['customs:cataloger', pkg.cataloger],
    ]),
  };
}

/** purl-spec `oci` type: name is the last repository segment, the full repository goes in a qualifier. */
export function ociPurl(repository: string, digest: string, tag: string | undefined, arch?: string): string {
  const name = repository.slice(repository.lastIndexOf('/') + 1);
  return formatPurl({ type: 'oci', name, version: digest, qualifiers: { arch, repository_url: repository, tag } });
}

function withChildren(component: Component, children: Component[]): Component {
  return children.length > 0 ? { ...component, components: children } : component;
}

function propertiesOf(entries: readonly (readonly [string, string | undefined])[]): Property[] | undefined {
  return nonEmpty(entries.filter((entry): entry is readonly [string, string] => !!entry[1]).map(([name, value]) => ({ name, value })));
}

function serialNumberOf(given: string | undefined): string {
  const uuid = (given ?? randomUUID()).toLowerCase().replace(/^urn:uuid:/, '');
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(uuid)) {
    throw new CustomsError('usage', `serial number ${JSON.stringify(given)} is not a UUID`);
  }
  return `urn:uuid:${uuid}`;
}
