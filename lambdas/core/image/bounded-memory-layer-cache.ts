import type { LayerAnalysisCache, LayerCacheKey } from '../ports.ts';
import type { LayerAnalysis } from './layer-analysis.ts';
import { layerCacheId } from './memory-layer-cache.ts';

/**
 * Layer analyses kept in memory, least recently used dropped first, within a budget of records.
 * For a process that outlives one scan (a warm Lambda): an unbounded cache there grows with every
 * image it ever scanned. Records are the measure because they are what an analysis holds: about
 * 450 bytes of heap each for a Debian base layer, 320 for a large node_modules layer.
 */
export class BoundedMemoryLayerCache implements LayerAnalysisCache {
  private readonly entries = new Map<string, LayerAnalysis>();
  private records = 0;

  /** @param maxRecords budget across all entries; an analysis larger than it is not kept. */
  constructor(private readonly maxRecords = 100_000) {}

  async get(key: LayerCacheKey): Promise<LayerAnalysis | undefined> {
    const id = layerCacheId(key);
    const analysis = this.entries.get(id);
    if (analysis) {
      // Map order is insertion order: re-inserting marks it most recently used.
      this.entries.delete(id);
      this.entries.set(id, analysis);
    }
    return analysis;
  }

  async put(key: LayerCacheKey, analysis: LayerAnalysis): Promise<void> {
    const id = layerCacheId(key);
    this.remove(id);
    const weight = weightOf(analysis);
    if (weight > this.maxRecords) return;
    for (const [oldest] of this.entries) {
      if (this.records + weight <= this.maxRecords) break;
      this.remove(oldest);
    }
    this.entries.set(id, analysis);
    this.records += weight;
  }

  /** How many analyses are held. */
  get size(): number {
    return this.entries.size;
  }

  private remove(id: string): void {
    const analysis = this.entries.get(id);
    if (!analysis) return;
    this.entries.delete(id);
    this.records -= weightOf(analysis);
  }
}

/** An empty analysis still costs its entry. */
function weightOf(analysis: LayerAnalysis): number {
  return analysis.records.length + 1;
}
