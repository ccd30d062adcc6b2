import { normalizePypiName } from '../catalog/python/pypi-name.ts';
import type { Digest } from '../digest.ts';
import { messageOf } from '../errors.ts';
import type { ImageSbom, Package, PackageOwner, PackageType } from './model.ts';
import { parsePurl } from './parse-purl.ts';
import type { PurlParts } from './purl.ts';
import { packageHints, type PackageHints, type SbomProperties, type SourceHint } from './sbom-document-properties.ts';
import type { SbomDocumentWarnings } from './sbom-document-warnings.ts';

/**
 * Stands in for the layer digests of a package whose SBOM does not say which layer it came from.
 * All zeros: a well-formed sha256 that names no content anyone can produce, so it can never be
 * confused with (or looked up as) a real blob, and PackageLocation keeps its Digest type.
 */
export const UNKNOWN_LAYER_DIGEST = `sha256:${'0'.repeat(64)}` as Digest;

/** Location path of a package whose SBOM gives no file it was read from. */
export const UNKNOWN_PATH = '/';

const PACKAGE_TYPES: ReadonlySet<string> = new Set<PackageType>(['deb', 'rpm', 'apk', 'npm', 'pypi', 'golang', 'maven', 'gem', 'cargo', 'nuget', 'composer']);

/** One package entry of an SBOM document, whatever its format. */
export interface DocumentPackage {
  /** How a warning names it: `component 12`, `package 3`. */
  readonly position: string;
  /** bom-ref or SPDXID. */
  readonly id?: string;
  readonly name?: string;
  readonly purl?: string;
  readonly properties: SbomProperties;
  /** A file the format itself says the package was read from (SPDX sourceInfo). */
  readonly pathHint?: string;
}

export interface PackageContext {
  readonly cataloger: string;
  readonly warnings: SbomDocumentWarnings;
  /** Layer diffIDs in image order, when the document lists them (Trivy), to recover layer indexes. */
  readonly layerDiffIds?: readonly Digest[];
  /** Removed from ids: Customs prefixes a platform image's package refs with the image's ref. */
  readonly idPrefix?: string;
  /** Ids already used in this image, to keep Package.id unique. */
  readonly ids: Set<string>;
}

export interface ReadPackage {
  readonly package: Package;
  /** The purl's `distro` qualifier (`debian-12`), a fallback for images without an OS component. */
  readonly distro?: string;
}

/** The Package an entry describes, or undefined (with a warning) when it cannot be matched. */
export function readDocumentPackage(entry: DocumentPackage, context: PackageContext): ReadPackage | undefined {
  const { warnings } = context;
  if (!entry.purl) {
    warnings.skippedWithoutPurl();
    return undefined;
  }
  const label = entry.name ? `${entry.position} (${JSON.stringify(shorten(entry.name))})` : entry.position;
  let parts: PurlParts;
  try {
    parts = parsePurl(entry.purl);
  } catch (error) {
    warnings.add(`${label} skipped: ${messageOf(error)}`);
    return undefined;
  }
  if (!PACKAGE_TYPES.has(parts.type)) {
    warnings.skippedType(parts.type);
    return undefined;
  }
  const type = parts.type as PackageType;
  if (!parts.version) {
    warnings.add(`${label} skipped: purl ${JSON.stringify(shorten(entry.purl))} has no version`);
    return undefined;
  }

  const hints = packageHints(entry.properties);
  // Customs names packages itself (Python's display name, Maven's group:artifact): keep its name.
  const name = hints.customsType === type && entry.name ? entry.name : nameOf(type, parts, entry.name);
  const version = versionOf(type, parts.version, parts.qualifiers?.epoch);
  const architecture = parts.qualifiers?.arch ?? hints.architecture;
  const source = sourceOf(type, name, version, parts, hints);
  const pkg: Package = {
    id: uniqueId(idOf(entry, context.idPrefix), context.ids),
    type,
    name,
    version,
    ...(architecture ? { architecture } : {}),
    ...(source ? { source } : {}),
    purl: entry.purl,
    location: locationOf(hints, entry.pathHint, context.layerDiffIds),
    cataloger: hints.cataloger ?? context.cataloger,
    ...(hints.dev ? { dev: true } : {}),
    ...(hints.alias ? { alias: hints.alias } : {}),
    ...(hints.versionInferred ? { versionInferred: true } : {}),
  };
  const distro = parts.qualifiers?.distro;
  return distro ? { package: pkg, distro } : { package: pkg };
}

/** Names as the catalogers write them: `group:artifact`, `@scope/name`, full Go module paths. */
function nameOf(type: PackageType, parts: PurlParts, documentName: string | undefined): string {
  const { namespace, name } = parts;
  switch (type) {
    case 'deb':
    case 'rpm':
    case 'apk':
      return name; // the namespace is the distribution vendor
    case 'maven':
      return namespace ? `${namespace}:${name}` : name;
    case 'pypi':
      // purls carry the normalised name; the document's own name keeps the project's spelling.
      return documentName && normalizePypiName(documentName) === normalizePypiName(name) ? documentName : name;
    default:
      return namespace ? `${namespace}/${name}` : name;
  }
}

/** dpkg and rpm write the epoch as `epoch:version`; purls carry it in a qualifier (Syft leaves it in the version). */
function versionOf(type: PackageType, version: string, epoch: string | undefined): string {
  if ((type !== 'deb' && type !== 'rpm') || !epoch || /^\d+:/.test(version)) return version;
  return `${epoch}:${version}`;
}

function sourceOf(type: PackageType, name: string, version: string, parts: PurlParts, hints: PackageHints): Package['source'] {
  const upstream = parts.qualifiers?.upstream;
  const hint: SourceHint | undefined = hints.customsSource ?? (upstream ? upstreamSource(type, upstream, parts.qualifiers?.epoch) : undefined) ?? hints.trivySource;
  if (hint) return { name: hint.name, version: hint.version ?? version };
  // OS package managers always have a source package; without one named, it is the package itself.
  if (type === 'deb' || type === 'apk' || type === 'rpm') return { name, version };
  return undefined;
}

/** `openssl`, `openssl@3.0.11`, or for rpm the source rpm's file name `openssl-3.0.7-27.el9.src.rpm`. */
function upstreamSource(type: PackageType, upstream: string, epoch: string | undefined): SourceHint | undefined {
  if (type === 'rpm') {
    const srpm = /^(.+)-([^-]+)-([^-]+)\.(?:no)?src\.rpm$/.exec(upstream);
    if (srpm) {
      const versionRelease = `${srpm[2]}-${srpm[3]}`;
      return { name: srpm[1]!, version: epoch ? `${epoch}:${versionRelease}` : versionRelease };
    }
  }
  const at = upstream.lastIndexOf('@');
  if (at > 0 && at < upstream.length - 1) return { name: upstream.slice(0, at), version: upstream.slice(at + 1) };
  return upstream ? { name: upstream } : undefined;
}

function locationOf(hints: PackageHints, pathHint: string | undefined, layerDiffIds: readonly Digest[] | undefined): Package['location'] {
  // Customs paths are relative to the image root; other tools write them absolute.
  const path = (hints.path ?? pathHint)?.replace(/^\/+/, '') || UNKNOWN_PATH;
  const listed = hints.layerDiffId ? (layerDiffIds?.indexOf(hints.layerDiffId) ?? -1) : -1;
  return {
    path,
    layerIndex: hints.layerIndex ?? (listed >= 0 ? listed : 0),
    layerDigest: hints.layerDigest ?? UNKNOWN_LAYER_DIGEST,
    layerDiffId: hints.layerDiffId ?? UNKNOWN_LAYER_DIGEST,
  };
}

function idOf(entry: DocumentPackage, prefix: string | undefined): string {
  const id = entry.id?.trim();
  return id ? withoutIdPrefix(id, prefix) : entry.purl!;
}

/** The package id a document id (bom-ref) becomes: without the platform image's prefix, if it has it. */
export function withoutIdPrefix(documentId: string, prefix: string | undefined): string {
  const id = documentId.trim();
  return prefix && id.startsWith(prefix) && id.length > prefix.length ? id.slice(prefix.length) : id;
}

function uniqueId(wanted: string, taken: Set<string>): string {
  let id = wanted;
  for (let n = 2; taken.has(id); n++) id = `${wanted}~${n}`;
  taken.add(id);
  return id;
}

function shorten(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

const OWNER_TYPES: ReadonlySet<string> = new Set<PackageOwner['type']>(['deb', 'rpm', 'apk']);

function isOwnerType(type: PackageType): type is PackageOwner['type'] {
  return OWNER_TYPES.has(type);
}

/**
 * Sets each package's owner to the OS package whose id `ownerIdOf` names, with that package's own
 * name and type, so an owner read back always resolves in the image. A claimed owner that is not
 * an OS package of the image is dropped, and counted in one warning rather than left dangling.
 */
export function withResolvedOwners(image: ImageSbom, ownerIdOf: (pkg: Package) => string | undefined): ImageSbom {
  const byId = new Map<string, Package>();
  for (const pkg of image.packages) if (!byId.has(pkg.id)) byId.set(pkg.id, pkg);
  let dropped = 0;
  const packages = image.packages.map((pkg): Package => {
    const { owner: _claimed, ...rest } = pkg;
    const wanted = ownerIdOf(pkg);
    if (wanted === undefined) return rest;
    const owner = byId.get(wanted);
    if (!owner || owner === pkg || !isOwnerType(owner.type)) {
      dropped++;
      return rest;
    }
    return { ...rest, owner: { id: owner.id, name: owner.name, type: owner.type } };
  });
  if (dropped === 0) return { ...image, packages };
  const warning = `${dropped} package ${dropped === 1 ? 'owner' : 'owners'} ignored: not an OS package of the image`;
  return { ...image, packages, warnings: [...image.warnings, warning] };
}
