import { isDigest, type Digest } from '../digest.ts';
import { messageOf } from '../errors.ts';
import { parsePlatform, type Platform } from '../image/platform.ts';
import type { Distro, ImageSbom, Package } from './model.ts';
import { parsePurl } from './parse-purl.ts';
import type { PurlParts } from './purl.ts';
import { digestProperty, property, type SbomProperties } from './sbom-document-properties.ts';

/** An SBOM that does not say which platform it describes. */
export const UNKNOWN_PLATFORM: Platform = Object.freeze({ os: 'unknown', architecture: 'unknown' });

/** What an SBOM says about the image it describes (CycloneDX container component, SPDX CONTAINER package). */
export interface ImageDescription {
  readonly name?: string;
  readonly version?: string;
  readonly purl?: string;
  readonly properties: SbomProperties;
}

/** What an SBOM says about the image it describes, in the inventory's own terms. */
export type ImageIdentity = Pick<ImageSbom, 'reference' | 'repository' | 'tag' | 'platform' | 'indexDigest' | 'manifestDigest' | 'configDigest' | 'created'> & {
  /** Layer diffIDs in order, when listed (Trivy), so package layer indexes can be recovered. */
  readonly layerDiffIds?: readonly Digest[];
};

export interface IdentityContext {
  /** File name of the SBOM: the repository when the document names no image. */
  readonly fileName: string;
  /**
   * Digest of the SBOM document itself, used as the config digest when the document gives none:
   * ImageSbom requires one, and this still identifies exactly what was read without claiming to be
   * an image blob.
   */
  readonly documentDigest: Digest;
  readonly warn: (message: string) => void;
}

/** Image identity from Customs' `customs:image:*` properties, an oci purl, Trivy's properties, or the name. */
export function imageIdentity(description: ImageDescription | undefined, context: IdentityContext): ImageIdentity {
  const properties = description?.properties ?? new Map<string, string[]>();
  const oci = ociPurl(description?.purl);
  const named = splitReference(description?.name);
  const repository = oci?.qualifiers?.repository_url ?? named?.repository ?? context.fileName;
  const version = description?.version?.trim();
  const tag = oci?.qualifiers?.tag ?? named?.tag ?? (version && !isDigest(version) ? version : undefined);
  const manifestDigest = digestProperty(properties, 'customs:image:manifest-digest') ?? (oci?.version && isDigest(oci.version) ? (oci.version as Digest) : undefined);
  const indexDigest = digestProperty(properties, 'customs:image:index-digest');
  const configDigest = digestProperty(properties, 'customs:image:config-digest', 'aquasecurity:trivy:ImageID') ?? context.documentDigest;
  const created = property(properties, 'customs:image:created');
  const layerDiffIds = (properties.get('aquasecurity:trivy:DiffID') ?? []).filter(isDigest);
  return {
    reference: tag ? `${repository}:${tag}` : manifestDigest ? `${repository}@${manifestDigest}` : repository,
    repository,
    ...(tag ? { tag } : {}),
    platform: platformOf(property(properties, 'customs:image:platform'), oci?.qualifiers?.arch, context.warn),
    ...(indexDigest ? { indexDigest } : {}),
    ...(manifestDigest ? { manifestDigest } : {}),
    configDigest,
    ...(created ? { created } : {}),
    ...(layerDiffIds.length > 0 ? { layerDiffIds } : {}),
  };
}

export function assembleImage(identity: ImageIdentity, distro: Distro | undefined, packages: readonly Package[], warnings: readonly string[]): ImageSbom {
  const { layerDiffIds: _layerDiffIds, ...image } = identity;
  // The layer list is not known from an SBOM; packages still carry their layer where it was given.
  return { ...image, ...(distro ? { distro } : {}), layers: [], packages, warnings };
}

/** The distribution from a purl `distro` qualifier: `debian-12`, `opensuse-leap-15.5`, `debian-bookworm`. */
export function distroFromQualifier(qualifier: string, source: string): Distro | undefined {
  const text = qualifier.trim().toLowerCase();
  if (!/^[a-z][a-z0-9._+-]*$/.test(text)) return undefined;
  const versioned = /^(.+)-(\d[^-]*)$/.exec(text);
  if (versioned) return { id: versioned[1]!, versionId: versioned[2]!, source };
  const dash = text.indexOf('-');
  if (dash > 0) return { id: text.slice(0, dash), codename: text.slice(dash + 1), source };
  return { id: text, source };
}

function ociPurl(purl: string | undefined): PurlParts | undefined {
  if (!purl) return undefined;
  try {
    const parts = parsePurl(purl);
    return parts.type === 'oci' ? parts : undefined;
  } catch {
    return undefined;
  }
}

/** `registry/repo:tag@digest` → repository and tag; the digest, if any, is dropped. */
function splitReference(name: string | undefined): { repository: string; tag?: string } | undefined {
  const text = name?.trim().replace(/@.*$/, '');
  if (!text) return undefined;
  const colon = text.lastIndexOf(':');
  if (colon > text.lastIndexOf('/') && colon > 0) return { repository: text.slice(0, colon), tag: text.slice(colon + 1) };
  return { repository: text };
}

function platformOf(declared: string | undefined, arch: string | undefined, warn: (message: string) => void): Platform {
  if (declared) {
    try {
      return parsePlatform(declared);
    } catch (error) {
      warn(`image platform ignored: ${messageOf(error)}`);
    }
  }
  return arch && /^[a-z0-9._-]+$/i.test(arch) ? { os: UNKNOWN_PLATFORM.os, architecture: arch.toLowerCase() } : UNKNOWN_PLATFORM;
}
