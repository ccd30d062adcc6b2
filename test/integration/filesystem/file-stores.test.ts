import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { FileLayerAnalysisCache } from '../../../lambdas/adapters/filesystem/file-layer-analysis-cache.ts';
import { FileSbomStore } from '../../../lambdas/adapters/filesystem/file-sbom-store.ts';
import { sha256Of, type Digest } from '../../../lambdas/core/digest.ts';
import type { LayerAnalysis } from '../../../lambdas/core/image/layer-analysis.ts';
import type { LayerCacheKey } from '../../../lambdas/core/ports.ts';
import { sampleImageSbom } from '../../support/sample-findings.ts';

const roots: string[] = [];
const newRoot = (): string => {
  const root = mkdtempSync(join(tmpdir(), 'customs-file-store-'));
  roots.push(root);
  return root;
};
afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

/** Every file below `dir`, relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();
}

describe('FileSbomStore', () => {
  it('round-trips an SBOM as gzip under the manifest digest and its hash, the same file on a retry', async () => {
    const root = newRoot();
    const store = new FileSbomStore({ root });
    const sbom = sampleImageSbom();
    const ref = await store.put(sbom.manifestDigest!, sbom);
    expect(ref.location).toBe(`sboms/${sbom.manifestDigest!.replace(':', '/')}/${ref.sha256.slice('sha256:'.length)}.json.gz`);
    expect(await new FileSbomStore({ root }).get(ref)).toEqual(sbom);
    expect(await store.put(sbom.manifestDigest!, sbom)).toEqual(ref);
    // No temporary file is left beside it, and the bytes are gzip.
    expect(filesUnder(root)).toEqual([ref.location]);
    const bytes = readFileSync(join(root, ref.location));
    expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
    expect(bytes.length).toBe(ref.storedBytes);
  });

  it('refuses a replaced file (naming both hashes), a missing one, and a document of the wrong shape', async () => {
    const root = newRoot();
    const store = new FileSbomStore({ root });
    const sbom = sampleImageSbom();
    const ref = await store.put(sbom.manifestDigest!, sbom);
    writeFileSync(join(root, ref.location), gzipSync(JSON.stringify({ ...sbom, packages: [] })));
    await expect(store.get(ref)).rejects.toMatchObject({ code: 'digest-mismatch', message: expect.stringContaining(ref.sha256) as unknown });

    const other = sampleImageSbom([], { manifestDigest: sha256Of(Buffer.from('another manifest')) });
    const gone = await store.put(other.manifestDigest!, other);
    rmSync(join(root, gone.location));
    await expect(store.get(gone)).rejects.toMatchObject({ code: 'not-found', message: `SBOM ${gone.location} does not exist` });

    const json = Buffer.from(JSON.stringify({ packages: 'nope' }));
    const hex = sha256Of(json).slice('sha256:'.length);
    const location = `sboms/sha256/${'a'.repeat(64)}/${hex}.json.gz`;
    mkdirSync(dirname(join(root, location)), { recursive: true });
    writeFileSync(join(root, location), gzipSync(json));
    await expect(store.get({ location, sha256: sha256Of(json), bytes: json.length, storedBytes: 0 })).rejects.toMatchObject({ code: 'malformed' });
  });

  it('refuses locations it does not write, so a stored ref cannot read outside the root', async () => {
    const root = newRoot();
    const store = new FileSbomStore({ root });
    const hex = 'b'.repeat(64);
    for (const location of ['../outside.json.gz', `sboms/sha256/../../${hex}.json.gz`, `/etc/${hex}.json.gz`, `sboms/sha256/${hex}/../${hex}.json.gz`, `sboms/md5/${hex}/${hex}.json.gz`, `sboms/sha256/${'c'.repeat(63)}/${hex}.json.gz`]) {
      await expect(store.get({ location, sha256: `sha256:${hex}` as Digest, bytes: 1, storedBytes: 1 }), location).rejects.toMatchObject({ code: 'unsafe' });
    }
    await expect(store.put('sha256:../../x' as Digest, sampleImageSbom())).rejects.toMatchObject({ code: 'usage' });
    expect(filesUnder(root)).toEqual([]);
  });

  it('does not follow a symbolic link planted where an SBOM belongs', async () => {
    const root = newRoot();
    const store = new FileSbomStore({ root });
    const sbom = sampleImageSbom();
    const ref = await store.put(sbom.manifestDigest!, sbom);
    const elsewhere = join(newRoot(), 'real.json.gz');
    writeFileSync(elsewhere, readFileSync(join(root, ref.location)));
    rmSync(join(root, ref.location));
    symlinkSync(elsewhere, join(root, ref.location));
    await expect(store.get(ref)).rejects.toMatchObject({ code: 'unsafe' });
  });
});

describe('FileLayerAnalysisCache', () => {
  const digest = sha256Of(Buffer.from('a layer blob'));
  const analysis: LayerAnalysis = {
    digest,
    diffId: sha256Of(Buffer.from('its uncompressed tar')),
    analyzers: 'dpkg@1,npm@2',
    records: [
      { type: 'directory', path: 'usr' },
      { type: 'file', path: 'var/lib/dpkg/status', size: 12, results: { dpkg: { packages: ['libc6'] } } },
      { type: 'whiteout', path: 'tmp/gone' },
    ],
    warnings: [],
    compressedBytes: 100,
    uncompressedBytes: 400,
    entries: 3,
  };
  const key: LayerCacheKey = { digest, analyzers: analysis.analyzers };

  it('round-trips an analysis under its digest and analyzers; other analyzers miss', async () => {
    const root = newRoot();
    const cache = new FileLayerAnalysisCache({ root });
    expect(await cache.get(key)).toBeUndefined();
    await cache.put(key, analysis);
    expect(await new FileLayerAnalysisCache({ root }).get(key)).toEqual(analysis);
    expect(await cache.get(key)).toEqual(analysis);
    expect(await cache.get({ digest, analyzers: 'dpkg@2' })).toBeUndefined();
    expect(cache.takeCounters()).toMatchObject({ hits: 1, misses: 2, writes: 1, invalid: 0, readErrors: 0 });
    const location = cache.location(key);
    expect(location.startsWith(join(root, 'layer-analyses'))).toBe(true);
    expect(location.endsWith(`/sha256/${digest.slice('sha256:'.length)}.json.gz`)).toBe(true);
    expect(statSync(location).mode & 0o777).toBe(0o644);
  });

  it('a tampered, foreign or corrupt file is a counted miss, never an error, and the next put replaces it', async () => {
    const root = newRoot();
    const cache = new FileLayerAnalysisCache({ root });
    await cache.put(key, analysis);
    const location = cache.location(key);
    // Another layer's analysis moved under this key.
    writeFileSync(location, gzipSync(JSON.stringify({ ...analysis, digest: sha256Of(Buffer.from('another blob')) })));
    expect(await cache.get(key)).toBeUndefined();
    writeFileSync(location, 'not gzip');
    expect(await cache.get(key)).toBeUndefined();
    writeFileSync(location, gzipSync(JSON.stringify({ records: 'nope' })));
    expect(await cache.get(key)).toBeUndefined();
    expect(cache.takeCounters()).toMatchObject({ invalid: 3, hits: 0 });
    await cache.put(key, analysis);
    expect(await cache.get(key)).toEqual(analysis);
  });

  it('refuses keys whose digest would make a path, and writes that do not match their key', async () => {
    const root = newRoot();
    const cache = new FileLayerAnalysisCache({ root });
    const bad = { digest: 'sha256:../../../../etc/passwd' as Digest, analyzers: analysis.analyzers };
    expect(() => cache.location(bad)).toThrow(expect.objectContaining({ code: 'unsafe' }) as unknown as Error);
    expect(await cache.get(bad)).toBeUndefined();
    await cache.put(bad, { ...analysis, digest: bad.digest });
    await cache.put({ digest: sha256Of(Buffer.from('other')), analyzers: analysis.analyzers }, analysis);
    expect(cache.takeCounters()).toMatchObject({ invalid: 1, skipped: 2, writes: 0 });
    expect(filesUnder(root)).toEqual([]);
  });

  it('skips an analysis over the size cap instead of writing it', async () => {
    const root = newRoot();
    const cache = new FileLayerAnalysisCache({ root, maxBytes: 100 });
    await cache.put(key, analysis);
    expect(cache.takeCounters()).toMatchObject({ skipped: 1, writes: 0 });
    expect(await cache.get(key)).toBeUndefined();
  });
});
