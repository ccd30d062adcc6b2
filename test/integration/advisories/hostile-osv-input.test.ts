import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AdvisoryStore } from '../../../lambdas/core/advisories/advisory-store.ts';
import { DEFAULT_OSV_LIMITS, type OsvLimits } from '../../../lambdas/core/advisories/osv-limits.ts';
import { loadOsvDirectory } from '../../../lambdas/adapters/osv/load-osv-directory.ts';
import { loadOsvZip } from '../../../lambdas/adapters/osv/load-osv-zip.ts';
import { OsvBucket } from '../../../lambdas/adapters/osv/osv-bucket.ts';
import { startOsvBucket } from '../../support/osv-bucket-server.ts';
import { forgeZip } from '../../support/zip-writer.ts';

const limits: OsvLimits = { ...DEFAULT_OSV_LIMITS, maxRecordBytes: 64 * 1024 };
const good = (id: string) => JSON.stringify({ id, modified: '2024-01-01T00:00:00Z', affected: [{ package: { ecosystem: 'npm', name: 'x' }, versions: ['1.0.0'] }] });
const oversized = JSON.stringify({ id: 'BIG-1', modified: '2024-01-01T00:00:00Z', details: 'x'.repeat(100 * 1024) });

describe('hostile OSV input', () => {
  it('reports malformed and oversized files in a directory and loads the rest', async () => {
    const root = mkdtempSync(join(tmpdir(), 'customs-osv-hostile-'));
    mkdirSync(join(root, 'npm'));
    writeFileSync(join(root, 'npm', 'GOOD-1.json'), good('GOOD-1'));
    writeFileSync(join(root, 'npm', 'broken.json'), '{"id": "X", "modified": ');
    writeFileSync(join(root, 'npm', 'not-osv.json'), '[1, 2, 3]');
    writeFileSync(join(root, 'npm', 'BIG-1.json'), oversized);
    const store = new AdvisoryStore({ maxRecordBytes: limits.maxRecordBytes });
    const report = await loadOsvDirectory(root, store, limits);
    rmSync(root, { recursive: true, force: true });
    expect(report.seen).toBe(4);
    expect(store.counts).toEqual({ loaded: 1, withdrawn: 0, malformed: 3, otherEcosystems: 0 });
    expect(Object.fromEntries(store.malformed.map((problem) => [problem.source, problem.reason]))).toEqual({
      'npm/BIG-1.json': expect.stringMatching(/over the 65536-byte cap/),
      'npm/broken.json': expect.stringMatching(/^not JSON/),
      'npm/not-osv.json': expect.stringMatching(/^not an OSV record/),
    });
  });

  it('refuses zip entries whose names climb out or are absolute', () => {
    const zip = forgeZip([
      { name: '../evil.json', data: good('EVIL-1') },
      { name: 'a/../../evil2.json', data: good('EVIL-2') },
      { name: '/etc/evil3.json', data: good('EVIL-3') },
      { name: '..\\evil4.yaml', data: 'x' },
      { name: 'GOOD-1.json', data: good('GOOD-1') },
    ]);
    const store = new AdvisoryStore();
    const report = loadOsvZip(zip, 'slip.zip', store, limits);
    expect(report.seen).toBe(5);
    expect(store.counts).toEqual({ loaded: 1, withdrawn: 0, malformed: 4, otherEcosystems: 0 });
    expect(store.malformed.every((problem) => problem.reason.startsWith('refused entry name'))).toBe(true);
    expect(store.get('EVIL-1')).toBeUndefined();
  });

  it('reports a zip bomb entry, an oversized record and a lying entry, and loads the rest', () => {
    const zeros = new Uint8Array(50 * 1024 * 1024);
    const zip = forgeZip([
      { name: 'BOMB.json', data: zeros },
      { name: 'BIG-1.json', data: oversized },
      // Claims 100 bytes but inflates to far more: inflation stops at the declared size.
      { name: 'LIAR.json', data: zeros.subarray(0, 1024 * 1024), declaredSize: 100 },
      { name: 'GOOD-1.json', data: good('GOOD-1') },
    ]);
    expect(zip.byteLength).toBeLessThan(200 * 1024);
    const store = new AdvisoryStore({ maxRecordBytes: limits.maxRecordBytes });
    const report = loadOsvZip(zip, 'bomb.zip', store, limits);
    expect(report.seen).toBe(4);
    expect(store.counts).toEqual({ loaded: 1, withdrawn: 0, malformed: 3, otherEcosystems: 0 });
    expect(store.malformed.map((problem) => problem.source)).toEqual(['bomb.zip!BOMB.json', 'bomb.zip!BIG-1.json', 'bomb.zip!LIAR.json']);
    expect(store.malformed[2]?.reason).toMatch(/inflates past its declared 100 bytes/);
  });

  it('stops an archive that would inflate past the total budget', () => {
    const zip = forgeZip([{ name: 'A.json', data: good('A') }, { name: 'B.json', data: good('B') }]);
    const tight = { ...limits, maxTotalBytes: good('A').length + 10 };
    expect(() => loadOsvZip(zip, 'many.zip', new AdvisoryStore(), tight)).toThrow(expect.objectContaining({ code: 'limit' }));
  });

  it('refuses too many entries and a file that is not a zip', () => {
    const zip = forgeZip([{ name: 'A.json', data: good('A') }, { name: 'B.json', data: good('B') }]);
    expect(() => loadOsvZip(zip, 'wide.zip', new AdvisoryStore(), { ...limits, maxZipEntries: 1 })).toThrow(expect.objectContaining({ code: 'limit' }));
    expect(() => loadOsvZip(new TextEncoder().encode('not a zip'), 'junk.zip', new AdvisoryStore(), limits)).toThrow(expect.objectContaining({ code: 'malformed' }));
  });

  it('caps downloads: an oversized record is reported, an oversized all.zip refused', async () => {
    const files = new Map<string, Uint8Array>([
      ['npm/modified_id.csv', new TextEncoder().encode('2024-07-01T00:00:00Z,BIG-1\n2024-07-01T00:00:00Z,GOOD-1\n')],
      ['npm/BIG-1.json', new TextEncoder().encode(oversized)],
      ['npm/GOOD-1.json', new TextEncoder().encode(good('GOOD-1'))],
      ['npm/all.zip', new Uint8Array(2 * 1024 * 1024)],
    ]);
    const bucket = await startOsvBucket(files);
    try {
      const osv = new OsvBucket(bucket.url, { limits: { ...limits, maxDownloadBytes: 1024 * 1024 } });
      const store = new AdvisoryStore({ maxRecordBytes: limits.maxRecordBytes });
      await osv.fetchModifiedSince('npm', new Date(0), store);
      expect(store.counts).toEqual({ loaded: 1, withdrawn: 0, malformed: 1, otherEcosystems: 0 });
      expect(store.malformed[0]).toEqual({ source: 'npm/BIG-1.json', reason: expect.stringMatching(/cap/) });
      await expect(osv.loadAll(['npm'], store)).rejects.toMatchObject({ code: 'limit' });
    } finally {
      await bucket.close();
    }
  });

  it('times out a bucket that never answers', async () => {
    const never = ((_url: string | URL | Request, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)))) as typeof fetch;
    const osv = new OsvBucket('https://osv.invalid/', { limits: { ...limits, requestTimeoutMs: 50 }, fetch: never });
    await expect(osv.loadAll(['npm'], new AdvisoryStore())).rejects.toMatchObject({ code: 'network' });
  });

  it('accepts only http(s) bucket URLs', () => {
    expect(() => new OsvBucket('file:///etc/')).toThrow(expect.objectContaining({ code: 'usage' }));
  });
});
