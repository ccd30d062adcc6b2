import type { LayerAnalysisCache, LayerCacheKey } from '../ports.ts';
import type { LayerAnalysis } from './layer-analysis.ts';

/**
 * A fast cache in front of a shared one (process memory in front of S3): reads try the near tier
 * first and copy a far hit into it; writes go to both. Each tier is only an optimisation, so the
 * far tier is expected to turn its own failures into misses.
 */
export class TieredLayerCache implements LayerAnalysisCache {
  constructor(
    private readonly near: LayerAnalysisCache,
    private readonly far: LayerAnalysisCache,
  ) {}

  async get(key: LayerCacheKey): Promise<LayerAnalysis | undefined> {
    const near = await this.near.get(key);
    if (near) return near;
    const far = await this.far.get(key);
    if (far) await this.near.put(key, far);
    return far;
  }

  async put(key: LayerCacheKey, analysis: LayerAnalysis): Promise<void> {
    await Promise.all([this.near.put(key, analysis), this.far.put(key, analysis)]);
  }
}
