import { CONFIG_MEDIA_TYPES, INDEX_MEDIA_TYPES, layerKind, MediaType } from '../image/media-types.ts';
import { indexSchema, manifestSchema, type Descriptor } from '../image/manifest-schema.ts';

export type ManifestKind =
  | { readonly kind: 'index'; readonly children: readonly Descriptor[] }
  | { readonly kind: 'image' }
  | { readonly kind: 'not-an-image'; readonly reason: string };

/**
 * What a verified root document is, by its content: an index (scanned child by child), a container
 * image, or an artifact that is not one (Helm chart, signature, SBOM referrer, in-toto attestation),
 * which is recorded as NOT_AN_IMAGE rather than failed. Artifacts stored under an image config (as
 * cosign's tag-based `.sig`, `.att` and `.sbom` manifests are) are told by their layers: none is an
 * image layer of any kind. Documents that do not parse are left to buildSbom, whose error is the
 * one-line reason of a FAILED scan.
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
  // A layerless image is still an image, and one with a layer type of the image families that Customs
  // cannot read is left to buildSbom to refuse (FAILED): only manifests of no image layer at all are artifacts.
  if (layers.length > 0 && !layers.some((layer) => isImageLayer(layer.mediaType))) {
    const types = [...new Set(layers.map((layer) => layer.mediaType))].sort();
    return { kind: 'not-an-image', reason: `an artifact with no image layers (layers of type ${types.join(', ')})` };
  }
  return { kind: 'image' };
}

const IMAGE_LAYER_FAMILIES = ['application/vnd.oci.image.layer.', 'application/vnd.docker.image.rootfs.'];

function isImageLayer(mediaType: string): boolean {
  return layerKind(mediaType) !== undefined || IMAGE_LAYER_FAMILIES.some((family) => mediaType.startsWith(family));
}
