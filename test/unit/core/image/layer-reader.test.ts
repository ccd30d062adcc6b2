import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { PathMatcher } from '../../../../lambdas/core/catalog/path-matcher.ts';
import { defaultCatalogers, supportAnalyzers } from '../../../../lambdas/core/catalog/catalogers.ts';
import type { Digest } from '../../../../lambdas/core/digest.ts';
import { analyzeLayer } from '../../../../lambdas/core/image/analyze-layer.ts';
import { readLayer } from '../../../../lambdas/core/image/layer-reader.ts';
import { LayerWalker } from '../../../../lambdas/core/image/layer-walker.ts';
import { MemoryLayerCache } from '../../../../lambdas/core/image/memory-layer-cache.ts';
import { withLimits } from '../../../../lambdas/core/limits.ts';
import type { ImageSource } from '../../../../lambdas/core/ports.ts';
import { compress, sha256 } from '../../../../tools/image-builder/oci-layout-writer.ts';
import { tarBytes } from '../../../../tools/image-builder/tar-writer.ts';

const limits = withLimits();
const matcher = new PathMatcher([...supportAnalyzers, ...defaultCatalogers]);
const layerTar = tarBytes([
  { type: 'file', path: 'etc/os-release', content: 'ID=debian\nVERSION_ID="12"\n' },
  { type: 'file', path: 'usr/share/doc/filler', content: 'filler '.repeat(50_000) },
  { type: 'file', path: 'var/lib/dpkg/status', content: 'Package: a\nVersion: 1\n' },
]);
const diffId = sha256(layerTar) as Digest;
/** Incompressible, so even compressed the blob is many chunks long. */
const largeTar = tarBytes([
  { type: 'file', path: 'etc/os-release', content: 'ID=debian\n' },
  { type: 'file', path: 'opt/noise', content: randomBytes(2 << 20) },
]);

/** Streams bytes in small chunks, as a network would. */
async function* chunks(bytes: Uint8Array, size = 4096): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.length; offset += size) yield bytes.subarray(offset, offset + size);
}

function read(blob: Uint8Array, overrides: { digest?: string; size?: number; diffId?: string; maxLayerBytes?: number } = {}) {
  const walker = new LayerWalker(matcher, limits);
  return readLayer({
    digest: (overrides.digest ?? sha256(blob)) as Digest,
    size: overrides.size ?? blob.length,
    diffId: (overrides.diffId ?? diffId) as Digest,
    open: async () => chunks(blob),
    visitor: walker,
    limits: withLimits(overrides.maxLayerBytes ? { maxLayerBytes: overrides.maxLayerBytes } : {}),
  }).then((result) => ({ result, walker }));
}

describe('readLayer', () => {
  it.each(['gzip', 'zstd', 'none'] as const)('reads a %s layer, verifying both digests', async (compression) => {
    const blob = compress(layerTar, compression);
    const { result, walker } = await read(blob);
    expect(result).toEqual({ compression, compressedBytes: blob.length, uncompressedBytes: layerTar.length });
    expect(walker.records.map((record) => record.path)).toEqual(['etc/os-release', 'var/lib/dpkg/status']);
  });

  it('reads a gzip stream of several members', async () => {
    const half = layerTar.length / 2;
    const blob = Buffer.concat([gzipSync(layerTar.subarray(0, half)), gzipSync(layerTar.subarray(half))]);
    await expect(read(blob)).resolves.toBeDefined();
  });

  it('rejects a tampered blob, naming the digest it claimed', async () => {
    const blob = Buffer.from(compress(layerTar, 'gzip'));
    const claimed = sha256(blob);
    blob[blob.length - 20]! ^= 0x01;
    await expect(read(blob, { digest: claimed })).rejects.toThrow(expect.objectContaining({ code: 'digest-mismatch', message: expect.stringContaining(`layer ${claimed}`) }));
  });

  // Flipped early in a large blob, the byte breaks decompression (or the tar walk) long before the blob ends.
  it.each(['gzip', 'zstd', 'none'] as const)('reports a %s blob with one flipped byte as a digest mismatch, not a format error', async (compression) => {
    const blob = Buffer.from(compress(largeTar, compression));
    const claimed = sha256(blob);
    blob[compression === 'none' ? 1024 + 10 : 40]! ^= 0x01; // for a plain tar, inside the second header
    const actual = sha256(blob);
    const failure = await read(blob, { digest: claimed, diffId: sha256(largeTar) }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ code: 'digest-mismatch', message: expect.stringContaining(`layer ${claimed} does not match its content (expected ${claimed}, content hashes to ${actual})`) });
    // The format error that stopped the read is kept as the cause.
    expect((failure as Error).cause).toMatchObject({ code: expect.stringMatching(/^(malformed|limit)$/) });
  });

  it('reads the rest of the blob after a format error only to check its digest', async () => {
    const blob = Buffer.from(compress(largeTar, 'gzip'));
    const claimed = sha256(blob);
    blob[40]! ^= 0x01;
    let served = 0;
    const walker = new LayerWalker(matcher, limits);
    const request = { digest: claimed as Digest, size: blob.length, diffId: sha256(largeTar) as Digest, visitor: walker, limits, onBytes: (bytes: number) => (served += bytes), open: async () => chunks(blob) };
    await expect(readLayer(request)).rejects.toThrow(expect.objectContaining({ code: 'digest-mismatch' }));
    expect(served).toBe(blob.length);
  });

  it('rejects a blob longer or shorter than its descriptor', async () => {
    const blob = compress(layerTar, 'gzip');
    await expect(read(blob, { size: blob.length - 1 })).rejects.toThrow(/is longer than the \d+ bytes its descriptor declares/);
    await expect(read(blob, { size: blob.length + 1 })).rejects.toThrow(/ends after \d+ of the \d+ bytes its descriptor declares/);
  });

  it('rejects a layer whose content does not match the diffID in the config', async () => {
    const blob = compress(layerTar, 'zstd');
    const wrong = sha256(Buffer.from('something else'));
    await expect(read(blob, { diffId: wrong })).rejects.toThrow(
      expect.objectContaining({ code: 'digest-mismatch', message: `layer ${sha256(blob)} uncompresses to ${diffId}, but the image config gives its diffID as ${wrong}` }),
    );
  });

  it('reports a truncated gzip stream (whose blob digest is right) as malformed', async () => {
    const gz = compress(layerTar, 'gzip');
    const truncated = gz.subarray(0, gz.length - 100);
    await expect(read(truncated)).rejects.toThrow(expect.objectContaining({ code: 'malformed', message: expect.stringMatching(/^layer sha256:\w+ is not a valid gzip stream: unexpected end of file/) }));
  });

  it('reports a truncated zstd stream as malformed', async () => {
    const zst = compress(layerTar, 'zstd');
    await expect(read(zst.subarray(0, zst.length - 30))).rejects.toThrow(expect.objectContaining({ code: 'malformed', message: expect.stringContaining('is not a valid zstd stream') }));
  });

  it('reports a corrupt tar inside a valid gzip with the layer digest', async () => {
    const broken = Buffer.from(layerTar);
    broken[1024 + 10]! ^= 0xff; // inside the second header (the first entry's data fills block 1)
    const blob = compress(broken, 'gzip');
    await expect(read(blob, { diffId: sha256(broken) })).rejects.toThrow(new RegExp(`^layer ${sha256(blob)}: tar header at offset 1024 has a bad checksum`));
  });

  it('stops a decompression bomb at the cap', async () => {
    const bomb = tarBytes([{ type: 'file', path: 'zeros', content: new Uint8Array(4 << 20) }]);
    await expect(read(compress(bomb, 'gzip'), { diffId: sha256(bomb), maxLayerBytes: 1 << 20 })).rejects.toThrow(
      expect.objectContaining({ code: 'limit', message: expect.stringContaining('expands past the 1 MiB cap') }),
    );
  });

  it('reads an empty layer', async () => {
    const empty = tarBytes([]);
    const { walker } = await read(compress(empty, 'gzip'), { diffId: sha256(empty) });
    expect(walker.records).toEqual([]);
  });
});

describe('analyzeLayer cache', () => {
  const blob = compress(layerTar, 'gzip');
  const descriptor = { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha256(blob) as Digest, size: blob.length };

  function sourceServing(bytes: Uint8Array, opened: { count: number }): ImageSource {
    return {
      reference: 'test',
      repository: 'test',
      root: () => Promise.reject(new Error('unused')),
      open: async () => {
        opened.count++;
        return chunks(bytes);
      },
      close: async () => undefined,
    };
  }

  const request = (source: ImageSource, cache: MemoryLayerCache, claimedDiffId = diffId) => ({ source, descriptor, diffId: claimedDiffId, matcher, fingerprint: 'f1', limits, cache });

  it('reads a layer once and reuses its verified analysis', async () => {
    const cache = new MemoryLayerCache();
    const opened = { count: 0 };
    const first = await analyzeLayer(request(sourceServing(blob, opened), cache));
    const second = await analyzeLayer(request(sourceServing(blob, opened), cache));
    expect([first.cached, second.cached, opened.count]).toEqual([false, true, 1]);
    expect(second.analysis).toBe(first.analysis);
  });

  it('caches nothing when verification fails', async () => {
    const cache = new MemoryLayerCache();
    const tampered = Buffer.from(blob);
    tampered[30]! ^= 0xff;
    await expect(analyzeLayer(request(sourceServing(tampered, { count: 0 }), cache))).rejects.toThrow(/does not match its content/);
    expect(await cache.get({ digest: descriptor.digest, analyzers: 'f1' })).toBeUndefined();
  });

  it('does not lend a cached analysis to a config claiming another diffID', async () => {
    const cache = new MemoryLayerCache();
    await analyzeLayer(request(sourceServing(blob, { count: 0 }), cache));
    const lying = sha256(Buffer.from('another layer'));
    await expect(analyzeLayer(request(sourceServing(blob, { count: 0 }), cache, lying as Digest))).rejects.toThrow(/but the image config gives its diffID as/);
  });
});
