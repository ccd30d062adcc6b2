import type { Distro, ImageSbom, LayerSummary, Package, PackageOwner, ScanResult } from '../sbom/model.ts';
import { sortPackages } from './package-order.ts';

/**
 * Customs' own SBOM format, described by customs-sbom.schema.json and README.md beside this file.
 * Bump on removals, renames or meaning changes; additive fields keep the version.
 */
export const SBOM_SCHEMA = 'customs.sbom';
export const SBOM_SCHEMA_VERSION = 1;

export interface SbomJsonMeta {
  readonly tool: { readonly name: string; readonly version: string };
  readonly generatedAt: Date;
}

/**
 * Pretty-printed JSON with a trailing newline. Objects are rebuilt field by field rather than
 * serialising the model, so key order is fixed and model changes cannot leak into the format
 * unannounced. Optional fields are left out rather than written empty or null.
 */
export function renderSbomJson(result: ScanResult, meta: SbomJsonMeta): string {
  const document = {
    schema: SBOM_SCHEMA,
    schemaVersion: SBOM_SCHEMA_VERSION,
    generator: { name: meta.tool.name, version: meta.tool.version },
    generatedAt: meta.generatedAt.toISOString(),
    reference: result.reference,
    images: result.images.map(imageJson),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

function imageJson(image: ImageSbom): object {
  return { ...imageInventoryJson(image), warnings: [...image.warnings] };
}

/**
 * An image's identity, OS, layers and packages as this format writes them; the scan format embeds
 * the same fields so both documents describe an image identically.
 */
export function imageInventoryJson(image: ImageSbom): object {
  return {
    reference: image.reference,
    repository: image.repository,
    tag: image.tag || undefined,
    platform: { os: image.platform.os, architecture: image.platform.architecture, variant: image.platform.variant || undefined },
    indexDigest: image.indexDigest,
    manifestDigest: image.manifestDigest,
    configDigest: image.configDigest,
    created: image.created || undefined,
    distro: image.distro && distroJson(image.distro),
    layers: [...image.layers].sort((a, b) => a.index - b.index).map(layerJson),
    packages: sortPackages(image.packages).map(packageJson),
  };
}

function distroJson(distro: Distro): object {
  return {
    id: distro.id,
    versionId: distro.versionId || undefined,
    codename: distro.codename || undefined,
    prettyName: distro.prettyName || undefined,
    idLike: distro.idLike && [...distro.idLike],
    source: distro.source,
  };
}

function layerJson(layer: LayerSummary): object {
  return {
    index: layer.index,
    digest: layer.digest,
    diffId: layer.diffId,
    mediaType: layer.mediaType,
    size: layer.size,
    status: layer.status,
    note: layer.note || undefined,
  };
}

function packageJson(pkg: Package): object {
  return {
    id: pkg.id,
    type: pkg.type,
    name: pkg.name,
    version: pkg.version,
    architecture: pkg.architecture || undefined,
    source: pkg.source && { name: pkg.source.name, version: pkg.source.version },
    purl: pkg.purl,
    location: {
      path: pkg.location.path,
      layerIndex: pkg.location.layerIndex,
      layerDigest: pkg.location.layerDigest,
      layerDiffId: pkg.location.layerDiffId,
    },
    cataloger: pkg.cataloger,
    dev: pkg.dev || undefined,
    alias: pkg.alias || undefined,
    versionInferred: pkg.versionInferred || undefined,
    owner: pkg.owner && ownerJson(pkg.owner),
  };
}

/** The OS package that installed a language package; the scan JSON's findings repeat it. */
export function ownerJson(owner: PackageOwner): object {
  return { id: owner.id, name: owner.name, type: owner.type };
}
