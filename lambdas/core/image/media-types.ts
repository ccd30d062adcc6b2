/** Media types of the OCI image spec and the Docker v2 formats it grew from. */
export const MediaType = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  ociLayerNondistributable: 'application/vnd.oci.image.layer.nondistributable.v1.tar',
  ociLayerNondistributableGzip: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  ociLayerNondistributableZstd: 'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestV1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerManifestV1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerLayerZstd: 'application/vnd.docker.image.rootfs.diff.tar.zstd',
  dockerLayerTar: 'application/vnd.docker.image.rootfs.diff.tar',
  dockerLayerForeign: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
} as const;

export const INDEX_MEDIA_TYPES: ReadonlySet<string> = new Set([MediaType.ociIndex, MediaType.dockerManifestList]);
export const MANIFEST_MEDIA_TYPES: ReadonlySet<string> = new Set([MediaType.ociManifest, MediaType.dockerManifest]);
export const SCHEMA1_MEDIA_TYPES: ReadonlySet<string> = new Set([MediaType.dockerManifestV1, MediaType.dockerManifestV1Signed]);
export const CONFIG_MEDIA_TYPES: ReadonlySet<string> = new Set([MediaType.ociConfig, MediaType.dockerConfig]);

/** Accept header for manifest requests: every format we can read, and nothing we cannot. */
export const MANIFEST_ACCEPT = [MediaType.ociIndex, MediaType.dockerManifestList, MediaType.ociManifest, MediaType.dockerManifest].join(', ');

export type LayerKind = 'tar' | 'nondistributable';

const LAYER_TYPES: ReadonlyMap<string, LayerKind> = new Map([
  [MediaType.ociLayer, 'tar'],
  [MediaType.ociLayerGzip, 'tar'],
  [MediaType.ociLayerZstd, 'tar'],
  [MediaType.dockerLayerGzip, 'tar'],
  [MediaType.dockerLayerZstd, 'tar'],
  [MediaType.dockerLayerTar, 'tar'],
  [MediaType.ociLayerNondistributable, 'nondistributable'],
  [MediaType.ociLayerNondistributableGzip, 'nondistributable'],
  [MediaType.ociLayerNondistributableZstd, 'nondistributable'],
  [MediaType.dockerLayerForeign, 'nondistributable'],
]);

/** How a layer media type is handled; undefined for types that are not filesystem layers we can read. */
export function layerKind(mediaType: string): LayerKind | undefined {
  return LAYER_TYPES.get(mediaType);
}
