import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { execFileSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createRegistrySource } from '../../../lambdas/adapters/oci-registry/registry-source.ts';
import { LAYER_ANALYSIS_PREFIX, S3LayerAnalysisCache, type LayerCacheCounters } from '../../../lambdas/adapters/s3/s3-layer-analysis-cache.ts';
import { defaultCatalogers, supportAnalyzers } from '../../../lambdas/core/catalog/catalogers.ts';
import { analyzerFingerprint } from '../../../lambdas/core/catalog/file-analyzer.ts';
import { PathMatcher } from '../../../lambdas/core/catalog/path-matcher.ts';
import type { Digest } from '../../../lambdas/core/digest.ts';
import { BoundedMemoryLayerCache } from '../../../lambdas/core/image/bounded-memory-layer-cache.ts';
import type { LayerAnalysis } from '../../../lambdas/core/image/layer-analysis.ts';
import { LayerWalker } from '../../../lambdas/core/image/layer-walker.ts';
import { TarStreamParser } from '../../../lambdas/core/image/tar/tar-stream-parser.ts';
import { TieredLayerCache } from '../../../lambdas/core/image/tiered-layer-cache.ts';
import { withLimits } from '../../../lambdas/core/limits.ts';
import type { LayerCacheKey } from '../../../lambdas/core/ports.ts';
import type { Package } from '../../../lambdas/core/sbom/model.ts';
import { buildSbom } from '../../../lambdas/core/use-cases/build-sbom.ts';
import { npmLayerEntries, npmPlanOf, type NpmImageSpec } from '../../../scripts/bench/bench-entries.ts';
import { BENCH_IMAGES } from '../../../scripts/bench/bench-images.ts';
import { OCI, OciLayoutWriter, sha256 } from '../../../tools/image-builder/oci-layout-writer.ts';
import { tarChunks, type TarInput } from '../../../tools/image-builder/tar-writer.ts';
import { debianRootfs } from '../../support/debian-rootfs.ts';
import { registryReference } from '../../support/expectations.ts';
import { installedNpmApp } from '../../support/npm-app.ts';
import { startRegistryProxy, type RunningProxy } from '../../support/registry-proxy.ts';
import { skopeoCopy } from '../../support/skopeo.ts';

const FINGERPRINT = analyzerFingerprint([...supportAnalyzers, ...defaultCatalogers]);
const noCounts: LayerCacheCounters = { hits: 0, misses: 0, invalid: 0, readErrors: 0, writes: 0, writeErrors: 0, skipped: 0 };

/** Layer analyses in moto's S3, read back from real layers: a Debian base, an npm app, the bench's npm tree. */
describe('S3 layer analysis cache', () => {
  const client = new S3Client({ endpoint: inject('motoEndpoint'), region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'moto', secretAccessKey: 'moto' } });
  const bucket = `customs-layer-cache-${randomUUID()}`;
  const registryHost = inject('registryHost');
  const run = randomUUID().slice(0, 8);
  const baseRepository = `layer-cache-${run}/debian`;
  const appRepository = `layer-cache-${run}/app`;
  /** Paths of the blob downloads the registry served through the proxy, in order. */
  const blobGets: string[] = [];
  let proxy: RunningProxy;
  let work: string;
  let baseLayer: Digest;
  let appLayer: Digest;

  beforeAll(async () => {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    proxy = await startRegistryProxy(registryHost, (request) => {
      if (request.method === 'GET' && /\/blobs\/sha(256|512):/.test(request.url ?? '')) blobGets.push(request.url!);
      return false;
    });
    work = mkdtempSync(join(tmpdir(), 'customs-layer-cache-'));
    // The real debootstrap Debian 12 as one layer, and an image with a real npm install on top of it.
    const base = gzipLayer(tarOf(debianRootfs(), '.'));
    const app = gzipLayer(tarOf(dirname(installedNpmApp()), basename(installedNpmApp())));
    baseLayer = base.digest;
    appLayer = app.digest;
    await Promise.all([
      pushImage(join(work, 'base'), [base.layer], `${registryHost}/${baseRepository}:12`),
      pushImage(join(work, 'app'), [base.layer, app.layer], `${registryHost}/${appRepository}:v1`),
    ]);
  }, 180_000);

  afterAll(async () => {
    await proxy?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const newS3Cache = (overrides: Partial<ConstructorParameters<typeof S3LayerAnalysisCache>[0]> = {}): S3LayerAnalysisCache =>
    new S3LayerAnalysisCache({ client, bucket, ...overrides });
  const scan = (reference: string, cache?: TieredLayerCache) =>
    buildSbom(createRegistrySource(registryReference(`${proxy.host}/${reference}`)), cache ? { cache } : {});
  const blobGetsOf = (digest: Digest): number => blobGets.filter((path) => path.endsWith(`/blobs/${digest}`)).length;

  /** The Debian base layer's analysis as the scanner made it, stored by a first scan. */
  let stored: { key: LayerCacheKey; analysis: LayerAnalysis } | undefined;
  async function storedBaseAnalysis(): Promise<{ key: LayerCacheKey; analysis: LayerAnalysis }> {
    if (stored) return stored;
    const near = new BoundedMemoryLayerCache();
    const s3 = newS3Cache();
    await scan(`${baseRepository}:12`, new TieredLayerCache(near, s3));
    expect(s3.counters).toEqual({ ...noCounts, misses: 1, writes: 1 });
    const key = { digest: baseLayer, analyzers: FINGERPRINT };
    const analysis = (await near.get(key))!;
    expect(analysis.digest).toBe(baseLayer);
    stored = { key, analysis };
    return stored;
  }

  it('round-trips the real analysis of a Debian base layer, read by another instance', async () => {
    const { key, analysis } = await storedBaseAnalysis();
    const status = analysis.records.find((record) => record.path === 'var/lib/dpkg/status');
    expect(status?.type === 'file' && Object.keys(status.results).length).toBeGreaterThan(0);
    const reader = newS3Cache();
    expect(await reader.get(key)).toEqual(analysis);
    expect(reader.counters).toEqual({ ...noCounts, hits: 1 });
    const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: reader.location(key) }));
    const json = JSON.stringify(analysis).length;
    console.log(`Debian 12 base layer analysis: ${analysis.records.length} records, ${json} bytes JSON, ${object.ContentLength} gzip`);
    await object.Body!.transformToByteArray();
  });

  it('round-trips the analysis of the bench’s 20,500 package.json in one layer', { timeout: 120_000 }, async () => {
    const analysis = benchNpmTreeAnalysis();
    expect(analysis.records.filter((record) => record.type === 'file' && record.path.endsWith('/package.json')).length).toBeGreaterThan(20_500);
    const key = { digest: analysis.digest, analyzers: FINGERPRINT };
    const cache = newS3Cache();
    await cache.put(key, analysis);
    expect(cache.counters.writes).toBe(1);
    expect(await newS3Cache().get(key)).toEqual(analysis);
    const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: cache.location(key) }));
    console.log(`npm tree layer analysis: ${analysis.records.length} records, ${JSON.stringify(analysis).length} bytes JSON, ${object.ContentLength} gzip`);
    await object.Body!.transformToByteArray();
  });

  it('keys by analyzer fingerprint: other analyzers miss the same layer', async () => {
    const { key } = await storedBaseAnalysis();
    const cache = newS3Cache();
    expect(await cache.get({ ...key, analyzers: `${FINGERPRINT},extra@1` })).toBeUndefined();
    expect(cache.counters).toEqual({ ...noCounts, misses: 1 });
  });

  describe('treats whatever else the bucket holds as a miss', () => {
    /** A fresh key, with what `body` makes of its digest stored under it. */
    async function plant(body: (digest: Digest) => Uint8Array): Promise<{ key: LayerCacheKey; cache: S3LayerAnalysisCache }> {
      const key = { digest: sha256(Buffer.from(randomUUID())) as Digest, analyzers: FINGERPRINT };
      const cache = newS3Cache();
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: cache.location(key), Body: body(key.digest) }));
      return { key, cache };
    }
    const gzipJson = (value: unknown): Buffer => gzipSync(JSON.stringify(value));
    type Planted = (analysis: LayerAnalysis, digest: Digest) => Uint8Array;

    it.each<[string, Planted]>([
      ['not gzip', (analysis, digest) => Buffer.from(JSON.stringify({ ...analysis, digest }))],
      ['truncated gzip', (analysis, digest) => gzipJson({ ...analysis, digest }).subarray(0, 4096)],
      ['gzip of something not JSON', () => gzipSync('{"digest": ')],
      ['an object that is not an analysis', (_analysis, digest) => gzipJson({ digest, records: 'nope' })],
      ['an analysis with a record of a type the walker never writes', (analysis, digest) => gzipJson({ ...analysis, digest, records: [...analysis.records, { type: 'device', path: 'dev/null' }] })],
      ['an analysis with a negative size', (analysis, digest) => gzipJson({ ...analysis, digest, uncompressedBytes: -1 })],
      ['a valid analysis of another layer', (analysis) => gzipJson(analysis)],
      ['a valid analysis of this layer by other analyzers', (analysis, digest) => gzipJson({ ...analysis, digest, analyzers: 'dpkg@0' })],
    ])('%s', async (_name, planted) => {
      const { analysis } = await storedBaseAnalysis();
      const { key, cache } = await plant((digest) => planted(analysis, digest));
      expect(await cache.get(key)).toBeUndefined();
      expect(cache.counters).toEqual({ ...noCounts, invalid: 1 });
    });

    it('but the same analysis under its own digest is a hit (the cases above differ only as named)', async () => {
      const { analysis } = await storedBaseAnalysis();
      const { key, cache } = await plant((digest) => gzipJson({ ...analysis, digest }));
      expect(await cache.get(key)).toEqual({ ...analysis, digest: key.digest });
    });

    it('an object over the stored-size cap, or inflating past the JSON cap', async () => {
      const { key, analysis } = await storedBaseAnalysis();
      const small = newS3Cache({ maxStoredBytes: 1024 });
      expect(await small.get(key)).toBeUndefined();
      expect(small.counters).toEqual({ ...noCounts, invalid: 1 });
      // A valid analysis carrying 8 MiB of spaces: ~8 KB of gzip that inflates past a 1 MiB cap.
      const bomb = await plant((digest) => gzipJson({ ...analysis, digest, warnings: [' '.repeat(8 << 20)] }));
      const capped = newS3Cache({ maxBytes: 1 << 20 });
      expect(await capped.get(bomb.key)).toBeUndefined();
      expect(capped.counters).toEqual({ ...noCounts, invalid: 1 });
      expect(await newS3Cache().get(bomb.key)).toBeDefined();
      expect(await newS3Cache().get(key)).toBeDefined();
    });

    it('and the write after re-analysis replaces a corrupt object (counts taken per invocation)', async () => {
      const { analysis } = await storedBaseAnalysis();
      const digest = sha256(Buffer.from(randomUUID())) as Digest;
      const key = { digest, analyzers: FINGERPRINT };
      const cache = newS3Cache();
      expect(cache.location(key).startsWith(LAYER_ANALYSIS_PREFIX)).toBe(true);
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: cache.location(key), Body: Buffer.from('garbage') }));
      expect(await cache.get(key)).toBeUndefined();
      await cache.put(key, { ...analysis, digest });
      expect(await cache.get(key)).toEqual({ ...analysis, digest });
      expect(cache.takeCounters()).toEqual({ ...noCounts, invalid: 1, writes: 1, hits: 1 });
      expect(cache.counters).toEqual(noCounts);
    });
  });

  describe('never fails a scan', () => {
    it('reads and writes against a missing bucket are a read error and a write error', async () => {
      const { key, analysis } = await storedBaseAnalysis();
      const cache = new S3LayerAnalysisCache({ client, bucket: `customs-missing-${randomUUID()}` });
      expect(await cache.get(key)).toBeUndefined();
      await expect(cache.put(key, analysis)).resolves.toBeUndefined();
      expect(cache.counters).toEqual({ ...noCounts, readErrors: 1, writeErrors: 1 });
    });

    it('an endpoint that never answers costs the deadline, not the scan', async () => {
      const { key, analysis } = await storedBaseAnalysis();
      // A proxy that accepts the connection and never responds.
      const silent = await startRegistryProxy(registryHost, () => new Promise<boolean>(() => undefined));
      try {
        const hung = new S3Client({ endpoint: `http://${silent.host}`, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'moto', secretAccessKey: 'moto' } });
        const cache = new S3LayerAnalysisCache({ client: hung, bucket, timeoutMs: 300 });
        const started = performance.now();
        expect(await cache.get(key)).toBeUndefined();
        await cache.put(key, analysis);
        expect(performance.now() - started).toBeLessThan(5_000);
        expect(cache.counters).toEqual({ ...noCounts, readErrors: 1, writeErrors: 1 });
        hung.destroy();
      } finally {
        await silent.stop();
      }
    });

    it('does not write an analysis that does not match its key', async () => {
      const { key, analysis } = await storedBaseAnalysis();
      const cache = newS3Cache();
      const digest = sha256(Buffer.from(randomUUID())) as Digest;
      await cache.put({ ...key, digest }, analysis);
      expect(await cache.get({ ...key, digest })).toBeUndefined();
      expect(cache.counters).toEqual({ ...noCounts, skipped: 1, misses: 1 });
    });
  });

  it('a new image on a shared base, scanned by a fresh process, does not download the base layer again', { timeout: 120_000 }, async () => {
    await storedBaseAnalysis();
    const fresh = newS3Cache();
    const before = { base: blobGetsOf(baseLayer), app: blobGetsOf(appLayer) };
    const cached = await scan(`${appRepository}:v1`, new TieredLayerCache(new BoundedMemoryLayerCache(), fresh));
    expect(blobGetsOf(baseLayer) - before.base).toBe(0);
    expect(blobGetsOf(appLayer) - before.app).toBe(1);
    expect(fresh.counters).toEqual({ ...noCounts, hits: 1, misses: 1, writes: 1 });
    expect(cached.images[0]!.layers.map((layer) => layer.status)).toEqual(['cached', 'read']);

    // The same image without the persistent cache reads both layers and finds the same packages.
    const uncached = await scan(`${appRepository}:v1`);
    expect(blobGetsOf(baseLayer) - before.base).toBe(1);
    const packages = (result: typeof cached): readonly Package[] => result.images[0]!.packages;
    expect(packages(cached)).toEqual(packages(uncached));
    expect(new Set(packages(cached).map((pkg) => pkg.type))).toEqual(new Set(['deb', 'npm']));
  });
});

/** An uncompressed layer tar of `entry` inside `directory` (`.` for a root filesystem). */
function tarOf(directory: string, entry: string): Buffer {
  return execFileSync('tar', ['-C', directory, '--numeric-owner', '--sort=name', '--mtime=@0', '-cf', '-', entry], { maxBuffer: 1 << 30 });
}

/** gzip -1 rather than the writer's -6: the Debian tree is 200 MB, and this is a test, not a bench. */
function gzipLayer(tar: Buffer): { layer: { tar: Uint8Array; compression: 'none'; mediaType: string; diffId: string }; digest: Digest } {
  const blob = gzipSync(tar, { level: 1 });
  return { layer: { tar: blob, compression: 'none', mediaType: OCI.layerGzip, diffId: sha256(tar) }, digest: sha256(blob) as Digest };
}

async function pushImage(dir: string, layers: { tar: Uint8Array; compression: 'none'; mediaType: string; diffId: string }[], target: string): Promise<void> {
  const writer = new OciLayoutWriter(dir);
  writer.finish([{ descriptor: writer.image({ layers }), tag: 'pushed' }]);
  await skopeoCopy(`oci:${dir}:pushed`, `docker://${target}`, ['--preserve-digests']);
}

/**
 * The analysis of the bench's npm image (`npm-20k-3layers`) with its two node_modules layers as one:
 * the walker run over the generated tar stream, under the stream's digest as an uncompressed layer.
 */
function benchNpmTreeAnalysis(): LayerAnalysis {
  const spec = BENCH_IMAGES.find((image): image is NpmImageSpec => image.kind === 'npm')!;
  const plan = npmPlanOf(spec);
  function* tree(): Generator<TarInput> {
    yield* npmLayerEntries(spec, plan, 1);
    yield* npmLayerEntries(spec, plan, 2);
  }
  const limits = withLimits();
  const walker = new LayerWalker(new PathMatcher([...supportAnalyzers, ...defaultCatalogers]), limits);
  const parser = new TarStreamParser(walker, { maxMetadataBytes: limits.maxTarMetadataBytes });
  const hash = createHash('sha256');
  let bytes = 0;
  for (const chunk of tarChunks(tree())) {
    hash.update(chunk);
    bytes += chunk.length;
    parser.write(chunk);
  }
  parser.end();
  const digest = `sha256:${hash.digest('hex')}` as Digest;
  return { digest, diffId: digest, analyzers: FINGERPRINT, records: walker.records, warnings: walker.warnings, compressedBytes: bytes, uncompressedBytes: bytes, entries: walker.entries };
}
