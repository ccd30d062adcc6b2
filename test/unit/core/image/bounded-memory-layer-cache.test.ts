import { describe, expect, it } from 'vitest';
import type { Digest } from '../../../../lambdas/core/digest.ts';
import { BoundedMemoryLayerCache } from '../../../../lambdas/core/image/bounded-memory-layer-cache.ts';
import type { LayerAnalysis } from '../../../../lambdas/core/image/layer-analysis.ts';
import type { LayerCacheKey } from '../../../../lambdas/core/ports.ts';
import { sha256 } from '../../../../tools/image-builder/oci-layout-writer.ts';
import { tarBytes, type TarInput } from '../../../../tools/image-builder/tar-writer.ts';
import { analyzeTar } from '../../../support/analyze-tar.ts';

const FINGERPRINT = 'npm@1';

/** A real analysis of a layer holding `packages` package.json files. */
function layer(name: string, packages: number): { key: LayerCacheKey; analysis: LayerAnalysis } {
  const entries: TarInput[] = Array.from({ length: packages }, (_, index) => ({
    type: 'file',
    path: `srv/${name}/node_modules/p${index}/package.json`,
    content: JSON.stringify({ name: `p${index}`, version: '1.0.0' }),
  }));
  const tar = tarBytes(entries);
  const digest = sha256(tar) as Digest;
  return { key: { digest, analyzers: FINGERPRINT }, analysis: { ...analyzeTar(tar), digest, diffId: digest, analyzers: FINGERPRINT } };
}

describe('BoundedMemoryLayerCache', () => {
  it('drops the least recently used analysis when the record budget is spent', async () => {
    const [a, b, c] = [layer('a', 4), layer('b', 4), layer('c', 4)];
    expect(a.analysis.records).toHaveLength(4);
    // Each costs its records plus one: two fit in 10, three do not.
    const cache = new BoundedMemoryLayerCache(10);
    await cache.put(a.key, a.analysis);
    await cache.put(b.key, b.analysis);
    expect(await cache.get(a.key)).toBe(a.analysis); // a is now the most recently used
    await cache.put(c.key, c.analysis);
    expect(await cache.get(b.key)).toBeUndefined();
    expect(await cache.get(a.key)).toBe(a.analysis);
    expect(await cache.get(c.key)).toBe(c.analysis);
    expect(cache.size).toBe(2);
  });

  it('keeps nothing larger than the whole budget, and evicts nothing for it', async () => {
    const [small, big] = [layer('small', 2), layer('big', 20)];
    const cache = new BoundedMemoryLayerCache(10);
    await cache.put(small.key, small.analysis);
    await cache.put(big.key, big.analysis);
    expect(await cache.get(big.key)).toBeUndefined();
    expect(await cache.get(small.key)).toBe(small.analysis);
  });

  it('counts a rewritten key once', async () => {
    const [a, b] = [layer('a', 4), layer('b', 4)];
    const cache = new BoundedMemoryLayerCache(10);
    for (let round = 0; round < 5; round++) await cache.put(a.key, a.analysis);
    await cache.put(b.key, b.analysis);
    expect(await cache.get(a.key)).toBe(a.analysis);
    expect(await cache.get(b.key)).toBe(b.analysis);
  });

  it('keys by analyzer fingerprint as well as digest', async () => {
    const a = layer('a', 1);
    const cache = new BoundedMemoryLayerCache();
    await cache.put(a.key, a.analysis);
    expect(await cache.get({ digest: a.key.digest, analyzers: 'npm@2' })).toBeUndefined();
  });
});
