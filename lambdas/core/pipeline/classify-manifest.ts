import { CONFIG_MEDIA_TYPES, INDEX_MEDIA_TYPES, MediaType } from '../image/media-types.ts';
import { indexSchema, manifestSchema, type Descriptor } from '../image/manifest-schema.ts';

export type ManifestKind =
  | { readonly kind: 'index'; readonly children: readonly Descriptor[] }
  | { readonly kind: 'image' }
  | { readonly kind: 'not-an-image'; readonly reason: string };

/**
 * What a verified root document is, by its content: an index (scanned child by child), a container
 * image, or an artifact that is not one (Helm chart, signature, SBOM referrer, in-toto attestation),
 * which is recorded as NOT_AN_IMAGE rather than failed. Documents that do not parse are left to
 * buildSbom, whose error is the one-line reason of a FAILED scan.
 */
export function classifyManifest(bytes: Uint8Array): ManifestKind {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return { kind: 'image' };
  }
  const declared = typeof json === 'object' && json !== null && 'mediaType' in json ? (json as { mediaType?: unknown }).mediaType : undefined;
  const index = indexSchema.safeParse(json);
  if (index.success && (declared === undefined || (typeof declared === 'string' && INDEX_MEDIA_TYPES.has(declared)))) return { kind: 'index', children: index.data.manifests };
  const manifest = manifestSchema.safeParse(json);
  if (!manifest.success) return { kind: 'image' };
  const { config, layers, annotations } = manifest.data;
  const artifactType = (json as { artifactType?: unknown }).artifactType;
  if (typeof artifactType === 'string') return { kind: 'not-an-image', reason: `an OCI artifact of type ${artifactType}` };
  const inToto = layers.find((layer) => layer.mediaType.startsWith('application/vnd.in-toto'));
  if (inToto || annotations?.['vnd.docker.reference.type'] === 'attestation-manifest') {
    return { kind: 'not-an-image', reason: `an attestation manifest${inToto ? ` (layer of type ${inToto.mediaType})` : ''}` };
  }
  if (config.mediaType === MediaType.ociEmpty || !CONFIG_MEDIA_TYPES.has(config.mediaType)) {
    return { kind: 'not-an-image', reason: `an artifact whose config has media type ${config.mediaType}` };
  }
  return { kind: 'image' };
}
