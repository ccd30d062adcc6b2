import type { Digest } from '../digest.ts';
import { CustomsError } from '../errors.ts';
import type { ScanLimits } from '../limits.ts';
import type { ImageSource } from '../ports.ts';
import { CONFIG_MEDIA_TYPES, INDEX_MEDIA_TYPES, layerKind, MANIFEST_MEDIA_TYPES, MediaType, SCHEMA1_MEDIA_TYPES } from './media-types.ts';
import { configSchema, indexSchema, manifestSchema, type Descriptor, type ImageConfig, type ImageManifest } from './manifest-schema.ts';
import { parseJson, peekJson } from './parse-json.ts';
import { formatPlatform, normalizePlatform, platformMatches, type Platform } from './platform.ts';
import { readBounded } from './read-bounded.ts';

/** One platform image, with its manifest and config read and verified. */
export interface ResolvedImage {
  readonly platform: Platform;
  readonly indexDigest?: Digest;
  /** Absent when the source synthesized the manifest (docker-archive). */
  readonly manifestDigest?: Digest;
  readonly manifest: ImageManifest;
  readonly configDigest: Digest;
  readonly config: ImageConfig;
  readonly notes: readonly string[];
}

export interface ResolveOptions {
  readonly platform?: Platform;
  readonly limits: ScanLimits;
}

interface Document {
  readonly bytes: Buffer;
  readonly digest: Digest;
  readonly mediaType: string;
  readonly synthesized: boolean;
}

interface Candidate {
  readonly descriptor: Descriptor;
  /** Digest of the index listing it; absent when that index was made up by the source. */
  readonly indexDigest: Digest | undefined;
}

/**
 * Walks from the reference to the platform images it names: through an index (or nested indexes, up
 * to the limit) to image manifests and their configs, verifying every document against its digest.
 * Attestation manifests and other artifacts in an index are skipped with a note.
 */
export async function resolveImages(source: ImageSource, options: ResolveOptions): Promise<{ images: ResolvedImage[]; notes: string[] }> {
  const root = await source.root();
  const document =
    root.kind === 'descriptor'
      ? await fetchDocument(source, root.descriptor, options.limits)
      : await readRoot(root.content, root.mediaType, root.expectedDigest, root.synthesized === true, options.limits, source.reference);
  const notes: string[] = [];
  if (!INDEX_MEDIA_TYPES.has(document.mediaType)) {
    const image = await resolveManifest(source, document, undefined, undefined, options.limits);
    if (options.platform && !platformMatches(options.platform, image.platform)) {
      throw new CustomsError('not-found', `${source.reference} is a single ${formatPlatform(image.platform)} image; it has no ${formatPlatform(options.platform)} variant`);
    }
    return { images: [image], notes };
  }
  const candidates = await collectManifests(source, document, 1, options.limits, notes);
  const chosen = choosePlatforms(candidates, options.platform, source.reference);
  const images: ResolvedImage[] = [];
  for (const candidate of chosen) {
    const manifest = await fetchDocument(source, candidate.descriptor, options.limits);
    images.push(await resolveManifest(source, manifest, candidate.indexDigest, candidate.descriptor, options.limits));
  }
  return { images, notes };
}

async function readRoot(
  content: AsyncIterable<Uint8Array>,
  transportType: string | undefined,
  expectedDigest: Digest | undefined,
  synthesized: boolean,
  limits: ScanLimits,
  reference: string,
): Promise<Document> {
  const what = `manifest of ${reference}`;
  const { bytes, digest } = await readBounded(content, { max: limits.maxManifestBytes, what, ...(expectedDigest ? { expectedDigest } : {}) });
  return { bytes, digest, mediaType: mediaTypeOf(bytes, transportType, undefined, what), synthesized };
}

async function fetchDocument(source: ImageSource, descriptor: Descriptor, limits: ScanLimits): Promise<Document> {
  const what = `manifest ${descriptor.digest}`;
  const { bytes, digest } = await readBounded(await source.open(descriptor), {
    max: limits.maxManifestBytes,
    what,
    expectedDigest: descriptor.digest,
    expectedSize: descriptor.size,
  });
  return { bytes, digest, mediaType: mediaTypeOf(bytes, undefined, descriptor.mediaType, what), synthesized: false };
}

/**
 * The document's own mediaType field wins (the digest covers it); a verified descriptor must agree
 * with it; the transport's Content-Type is only a hint; the shape decides when nothing else does.
 */
function mediaTypeOf(bytes: Buffer, transportType: string | undefined, descriptorType: string | undefined, what: string): string {
  const json = peekJson(bytes, what);
  if (json.schemaVersion === 1 || (transportType && SCHEMA1_MEDIA_TYPES.has(transportType))) {
    throw new CustomsError('unsupported', `${what} is a Docker schema 1 manifest, which is deprecated and not supported; push the image again with a current client`);
  }
  const declared = typeof json.mediaType === 'string' ? json.mediaType : undefined;
  if (declared && descriptorType && declared !== descriptorType) {
    throw new CustomsError('malformed', `${what} declares media type ${declared}, but the descriptor pointing to it says ${descriptorType}`);
  }
  const mediaType = declared ?? descriptorType ?? (transportType && transportType !== 'application/json' ? transportType : undefined) ?? shapeOf(json);
  if (!INDEX_MEDIA_TYPES.has(mediaType) && !MANIFEST_MEDIA_TYPES.has(mediaType)) {
    throw new CustomsError('unsupported', `${what} has media type ${mediaType}, which is not an image manifest or index`);
  }
  return mediaType;
}

function shapeOf(json: Record<string, unknown>): string {
  if (Array.isArray(json.manifests)) return MediaType.ociIndex;
  if (json.config && Array.isArray(json.layers)) return MediaType.ociManifest;
  return 'an unknown kind of document';
}

async function collectManifests(source: ImageSource, index: Document, depth: number, limits: ScanLimits, notes: string[]): Promise<Candidate[]> {
  const parsed = parseJson(index.bytes, indexSchema, `index ${index.digest}`);
  const candidates: Candidate[] = [];
  for (const descriptor of parsed.manifests) {
    if (isAttestation(descriptor)) {
      notes.push(`skipped attestation manifest ${descriptor.digest}`);
      continue;
    }
    if (INDEX_MEDIA_TYPES.has(descriptor.mediaType)) {
      if (depth >= limits.maxIndexDepth) {
        throw new CustomsError('limit', `index ${index.digest} nests indexes deeper than ${limits.maxIndexDepth} levels`);
      }
      const nested = await fetchDocument(source, descriptor, limits);
      if (!INDEX_MEDIA_TYPES.has(nested.mediaType)) throw new CustomsError('malformed', `manifest ${descriptor.digest} was listed as an index but is not one`);
      candidates.push(...(await collectManifests(source, nested, depth + 1, limits, notes)));
    } else if (MANIFEST_MEDIA_TYPES.has(descriptor.mediaType)) {
      candidates.push({ descriptor, indexDigest: index.synthesized ? undefined : index.digest });
    } else {
      notes.push(`skipped ${descriptor.mediaType} entry ${descriptor.digest}: not an image manifest`);
    }
  }
  return candidates;
}

function isAttestation(descriptor: Descriptor): boolean {
  if (descriptor.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest') return true;
  return descriptor.platform?.os === 'unknown' && descriptor.platform.architecture === 'unknown';
}

function choosePlatforms(candidates: Candidate[], requested: Platform | undefined, reference: string): Candidate[] {
  if (candidates.length === 0) throw new CustomsError('not-found', `${reference} is an index without any image manifest`);
  if (!requested) return candidates;
  const matching = candidates.filter((candidate) => candidate.descriptor.platform && platformMatches(requested, candidate.descriptor.platform));
  const exact = matching.find((candidate) => normalizePlatform(candidate.descriptor.platform!).variant === normalizePlatform(requested).variant);
  const chosen = exact ?? matching[0];
  if (!chosen) {
    const available = candidates.map((candidate) => (candidate.descriptor.platform ? formatPlatform(candidate.descriptor.platform) : 'unspecified')).join(', ');
    throw new CustomsError('not-found', `${reference} has no ${formatPlatform(requested)} image (available: ${available})`);
  }
  return [chosen];
}

async function resolveManifest(
  source: ImageSource,
  document: Document,
  indexDigest: Digest | undefined,
  descriptor: Descriptor | undefined,
  limits: ScanLimits,
): Promise<ResolvedImage> {
  const what = `manifest ${document.synthesized ? `of ${source.reference}` : document.digest}`;
  const manifest = parseJson(document.bytes, manifestSchema, what);
  if (!CONFIG_MEDIA_TYPES.has(manifest.config.mediaType)) {
    throw new CustomsError('unsupported', `${what} is not a container image: its config has media type ${manifest.config.mediaType}`);
  }
  if (manifest.layers.length > limits.maxLayers) throw new CustomsError('limit', `${what} has ${manifest.layers.length} layers, over the cap of ${limits.maxLayers}`);
  for (const layer of manifest.layers) {
    if (!layerKind(layer.mediaType)) throw new CustomsError('unsupported', `${what} has layer ${layer.digest} of unsupported media type ${layer.mediaType}`);
  }
  const { bytes } = await readBounded(await source.open(manifest.config), {
    max: limits.maxConfigBytes,
    what: `image config ${manifest.config.digest}`,
    expectedDigest: manifest.config.digest,
    expectedSize: manifest.config.size,
  });
  const config = parseJson(bytes, configSchema, `image config ${manifest.config.digest}`);
  if (config.rootfs.diff_ids.length !== manifest.layers.length) {
    throw new CustomsError('malformed', `${what} lists ${manifest.layers.length} layers but its config lists ${config.rootfs.diff_ids.length} diffIDs`);
  }
  const platform = normalizePlatform({ os: config.os, architecture: config.architecture, ...(config.variant ? { variant: config.variant } : {}) });
  const notes: string[] = [];
  if (descriptor?.platform && !platformMatches(descriptor.platform, platform)) {
    notes.push(`the index lists this image as ${formatPlatform(descriptor.platform)}, but its config says ${formatPlatform(platform)}`);
  }
  return {
    platform,
    ...(indexDigest ? { indexDigest } : {}),
    ...(document.synthesized ? {} : { manifestDigest: document.digest }),
    manifest,
    configDigest: manifest.config.digest,
    config,
    notes,
  };
}
