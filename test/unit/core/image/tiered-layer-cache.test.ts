import { describe, expect, it } from 'vitest';
import type { Digest } from '../../../../lambdas/core/digest.ts';
import type { LayerAnalysis } from '../../../../lambdas/core/image/layer-analysis.ts';
import { MemoryLayerCache } from '../../../../lambdas/core/image/memory-layer-cache.ts';
import { TieredLayerCache } from '../../../../lambdas/core/image/tiered-layer-cache.ts';
import type { LayerAnalysisCache, LayerCacheKey } from '../../../../lambdas/core/ports.ts';
import { sha256 } from '../../../../tools/image-builder/oci-layout-writer.ts';
import { tarBytes } from '../../../../tools/image-builder/tar-writer.ts';
import { analyzeTar } from '../../../support/analyze-tar.ts';

const FINGERPRINT = 'dpkg@1,os-release@1';

/** A real analysis of a small layer, under that layer's digest. */
function analysisOf(release: string): { key: LayerCacheKey; analysis: LayerAnalysis } {
  const tar = tarBytes([{ type: 'file', path: 'etc/os-release', content: `ID=${release}\n` }, { type: 'file', path: 'var/lib/dpkg/status', content: 'Package: a\nVersion: 1\n' }]);
  const digest = sha256(tar) as Digest;
  const analysis = { ...analyzeTar(tar), digest, diffId: digest, analyzers: FINGERPRINT };
  return { key: { digest, analyzers: FINGERPRINT }, analysis };
}

/** A memory cache that records which calls reached it. */
class RecordingCache implements LayerAnalysisCache {
  readonly calls: string[] = [];
  private readonly inner = new MemoryLayerCache();
  async get(key: LayerCacheKey): Promise<LayerAnalysis | undefined> {
    this.calls.push(`get ${key.digest}`);
    return this.inner.get(key);
  }
  async put(key: LayerCacheKey, analysis: LayerAnalysis): Promise<void> {
    this.calls.push(`put ${key.digest}`);
    await this.inner.put(key, analysis);
  }
}

describe('TieredLayerCache', () => {
  it('answers from the far tier on a near miss and keeps the answer near', async () => {
    const { key, analysis } = analysisOf('debian');
    const near = new RecordingCache();
    const far = new RecordingCache();
    await far.put(key, analysis);
    far.calls.length = 0;
    const cache = new TieredLayerCache(near, far);

    expect(await cache.get(key)).toEqual(analysis);
    expect(await cache.get(key)).toEqual(analysis);
    expect(far.calls).toEqual([`get ${key.digest}`]);
    expect(near.calls).toEqual([`get ${key.digest}`, `put ${key.digest}`, `get ${key.digest}`]);
  });

  it('writes both tiers, so a fresh near tier still finds the analysis far', async () => {
    const { key, analysis } = analysisOf('alpine');
    const far = new RecordingCache();
    await new TieredLayerCache(new RecordingCache(), far).put(key, analysis);
    const afterRestart = new RecordingCache();
    expect(await new TieredLayerCache(afterRestart, far).get(key)).toEqual(analysis);
    expect(afterRestart.calls).toEqual([`get ${key.digest}`, `put ${key.digest}`]);
  });

  it('is a miss when neither tier has the layer, and copies nothing', async () => {
    const { key } = analysisOf('fedora');
    const near = new RecordingCache();
    const far = new RecordingCache();
    expect(await new TieredLayerCache(near, far).get(key)).toBeUndefined();
    expect(near.calls).toEqual([`get ${key.digest}`]);
    expect(far.calls).toEqual([`get ${key.digest}`]);
  });
});
