import type { LayerAnalysisCache, LayerCacheKey } from '../ports.ts';
import type { LayerAnalysis } from './layer-analysis.ts';

/** Keeps layer analyses for the life of the process: images sharing base layers read them once. */
export class MemoryLayerCache implements LayerAnalysisCache {
  private readonly entries = new Map<string, LayerAnalysis>();

  async get(key: LayerCacheKey): Promise<LayerAnalysis | undefined> {
    return this.entries.get(layerCacheId(key));
  }

  async put(key: LayerCacheKey, analysis: LayerAnalysis): Promise<void> {
    this.entries.set(layerCacheId(key), analysis);
  }
}

/** One string per (verified digest, analyzers): the key both in-memory caches hold analyses under. */
export function layerCacheId(key: LayerCacheKey): string {
  return `${key.digest}|${key.analyzers}`;
}
