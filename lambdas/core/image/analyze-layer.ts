import type { Digest } from '../digest.ts';
import type { PathMatcher } from '../catalog/path-matcher.ts';
import type { ScanLimits } from '../limits.ts';
import type { ImageSource, LayerAnalysisCache } from '../ports.ts';
import type { LayerAnalysis } from './layer-analysis.ts';
import { readLayer } from './layer-reader.ts';
import { LayerWalker } from './layer-walker.ts';
import type { Descriptor } from './manifest-schema.ts';

export interface AnalyzeLayerRequest {
  readonly source: ImageSource;
  readonly descriptor: Descriptor;
  readonly diffId: Digest;
  readonly matcher: PathMatcher;
  readonly fingerprint: string;
  readonly limits: ScanLimits;
  readonly cache: LayerAnalysisCache;
  readonly onBytes?: (bytes: number) => void;
}

/**
 * Analyzes one layer, or reuses an earlier analysis of the same verified blob. A cached analysis is
 * only taken when its verified diffID is the one this image's config claims: the blob digest proves
 * the content, and the diffID check keeps a lying config from passing unnoticed.
 */
export async function analyzeLayer(request: AnalyzeLayerRequest): Promise<{ analysis: LayerAnalysis; cached: boolean }> {
  const { descriptor, diffId, limits, cache } = request;
  const key = { digest: descriptor.digest, analyzers: request.fingerprint };
  const hit = await cache.get(key);
  if (hit && hit.diffId === diffId) return { analysis: hit, cached: true };
  const walker = new LayerWalker(request.matcher, limits);
  const read = await readLayer({
    digest: descriptor.digest,
    size: descriptor.size,
    diffId,
    open: () => request.source.open(descriptor),
    visitor: walker,
    limits,
    ...(request.onBytes ? { onBytes: request.onBytes } : {}),
  });
  const analysis: LayerAnalysis = {
    digest: descriptor.digest,
    diffId,
    analyzers: request.fingerprint,
    records: walker.records,
    warnings: walker.warnings,
    compressedBytes: read.compressedBytes,
    uncompressedBytes: read.uncompressedBytes,
    entries: walker.entries,
  };
  await cache.put(key, analysis);
  return { analysis, cached: false };
}
