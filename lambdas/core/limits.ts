/**
 * Caps applied to untrusted input. Every reader takes them from here so that a user (or the Lambda
 * configuration) can tighten or relax them in one place.
 */
export interface ScanLimits {
  /** Largest manifest, index or OCI layout index.json read (registries refuse above 4 MiB too). */
  readonly maxManifestBytes: number;
  /** Largest image config blob read. */
  readonly maxConfigBytes: number;
  /** Largest file a cataloger may have read into memory; larger ones are skipped with a warning. */
  readonly maxCapturedFileBytes: number;
  /** How many indexes may be nested inside one another below the reference. */
  readonly maxIndexDepth: number;
  /** Largest uncompressed layer; guards against decompression bombs that would run for hours. */
  readonly maxLayerBytes: number;
  /** Most layers an image may have. */
  readonly maxLayers: number;
  /** Largest PAX extended header or GNU long name/link record. */
  readonly maxTarMetadataBytes: number;
  /** Symlinks followed while resolving one path before it is declared a loop. */
  readonly maxSymlinkHops: number;
  /** Symlinks, whiteouts and similar bookkeeping records kept per layer. */
  readonly maxRecordsPerLayer: number;
  /** Layers read at once. */
  readonly layerConcurrency: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_LIMITS: ScanLimits = Object.freeze({
  maxManifestBytes: 4 * MiB,
  maxConfigBytes: 8 * MiB,
  maxCapturedFileBytes: 64 * MiB,
  maxIndexDepth: 3,
  maxLayerBytes: 64 * 1024 * MiB,
  maxLayers: 512,
  maxTarMetadataBytes: 1 * MiB,
  maxSymlinkHops: 40,
  maxRecordsPerLayer: 2_000_000,
  layerConcurrency: 3,
});

export function withLimits(overrides: Partial<ScanLimits> = {}): ScanLimits {
  return Object.freeze({ ...DEFAULT_LIMITS, ...overrides });
}

export function formatBytes(bytes: number): string {
  if (bytes >= MiB) return `${(bytes / MiB).toFixed(bytes % MiB === 0 ? 0 : 1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(bytes % 1024 === 0 ? 0 : 1)} KiB`;
  return `${bytes} B`;
}
