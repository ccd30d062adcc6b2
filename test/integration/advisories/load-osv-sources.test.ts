import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdvisoryStore } from '../../../lambdas/core/advisories/advisory-store.ts';
import { loadOsvDirectory } from '../../../lambdas/adapters/osv/load-osv-directory.ts';
import { loadOsvZip } from '../../../lambdas/adapters/osv/load-osv-zip.ts';
import { OsvBucket } from '../../../lambdas/adapters/osv/osv-bucket.ts';
import { startOsvBucket } from '../../support/osv-bucket-server.ts';
import { osvFilesIn, zipWithCli } from '../../support/osv-fixtures.ts';
import { sharedFixtures } from '../../support/paths.ts';

const corpus = sharedFixtures('osv-corpus');
const small = sharedFixtures('osv');

/** Every record offered is loaded, withdrawn, malformed or of another ecosystem: nothing vanishes. */
function expectAccounted(store: AdvisoryStore, seen: number): void {
  const { loaded, withdrawn, malformed, otherEcosystems } = store.counts;
  expect(loaded + withdrawn + malformed + otherEcosystems).toBe(seen);
}

describe('loading OSV from a directory', () => {
  it('accounts for all of osv-corpus; the Alpine secdb YAML is skipped as not OSV', async () => {
    const store = new AdvisoryStore();
    const report = await loadOsvDirectory(corpus, store);
    const files = osvFilesIn(corpus);
    expect(report.seen).toBe(files.json.length);
    expect(report.seen).toBe(7030);
    expect(store.counts).toEqual({ loaded: 7003, withdrawn: 27, malformed: 0, otherEcosystems: 0 });
    expectAccounted(store, report.seen);
    // 18 secdb YAML files plus SOURCES.md and MANIFEST-readfile.tsv.
    expect(report.skipped.filter((file) => file.path.startsWith('Alpine-secdb/') && file.path.endsWith('.yaml'))).toHaveLength(18);
    expect(report.skipped).toHaveLength(files.other.length);
    expect(store.lookup('Ubuntu:22.04:LTS', 'openssl').length).toBeGreaterThan(0);
    expect(store.lookup('PyPI', 'django').length).toBeGreaterThan(50);
    expect(store.lookup('Go', 'stdlib').length).toBeGreaterThan(100);
  });

  it('accounts for all of the small osv fixtures', async () => {
    const store = new AdvisoryStore();
    const report = await loadOsvDirectory(small, store);
    expect(report.seen).toBe(26);
    expect(store.counts).toEqual({ loaded: 26, withdrawn: 0, malformed: 0, otherEcosystems: 0 });
    expect(report.skipped.map((file) => file.path)).toEqual(['SOURCES.tsv']);
  });
});

describe('loading OSV from a zip built with the zip CLI', () => {
  for (const [label, root, counts] of [
    ['osv-corpus', corpus, { loaded: 7003, withdrawn: 27, malformed: 0, otherEcosystems: 0 }],
    ['osv', small, { loaded: 26, withdrawn: 0, malformed: 0, otherEcosystems: 0 }],
  ] as const) {
    it(`accounts for every entry of ${label}`, () => {
      const files = osvFilesIn(root);
      const zip = zipWithCli(root, [...files.json, ...files.other]);
      const store = new AdvisoryStore();
      const report = loadOsvZip(zip, `${label}.zip`, store);
      expect(report.seen).toBe(files.json.length);
      expect(report.skipped).toHaveLength(files.other.length);
      expect(store.counts).toEqual(counts);
      expectAccounted(store, report.seen);
    });
  }
});

describe('loading OSV from an HTTP bucket', () => {
  const files = new Map<string, Uint8Array>();
  const expected = new Map<string, number>();
  let bucket: Awaited<ReturnType<typeof startOsvBucket>>;

  beforeAll(async () => {
    // One all.zip per ecosystem folder (flat entries, as osv.dev's), from both fixture sets.
    for (const root of [corpus, small]) {
      const byEcosystem = new Map<string, string[]>();
      for (const path of osvFilesIn(root).json) {
        const ecosystem = dirname(path);
        byEcosystem.set(ecosystem, [...(byEcosystem.get(ecosystem) ?? []), path]);
      }
      for (const [ecosystem, paths] of byEcosystem) {
        const key = root === small ? `small-${ecosystem}` : ecosystem;
        files.set(`${key}/all.zip`, zipWithCli(root, paths, { flat: true }));
        expected.set(key, paths.length);
      }
    }
    // An incremental listing: two records changed after 2024-06-01, one before, one deleted since.
    files.set('PyPI/modified_id.csv', new TextEncoder().encode(['2024-07-01T00:00:00Z,PYSEC-2023-74', '2024-06-02T00:00:00Z,GHSA-h5c8-rqwp-cp95', '2024-06-03T00:00:00Z,GONE-1', '2023-01-01T00:00:00Z,GHSA-v845-jxx5-vc9f', 'garbage line', '2024-08-01T00:00:00Z,../../etc/passwd', ''].join('\n')));
    for (const id of ['PYSEC-2023-74', 'GHSA-h5c8-rqwp-cp95', 'GHSA-v845-jxx5-vc9f']) files.set(`PyPI/${id}.json`, readFileSync(join(small, 'PyPI', `${id}.json`)));
    bucket = await startOsvBucket(files);
  });
  afterAll(() => bucket.close());

  it('loads all.zip of every listed ecosystem with every record accounted for', async () => {
    const store = new AdvisoryStore();
    const reports = await new OsvBucket(bucket.url).loadAll([...expected.keys()], store);
    let seen = 0;
    for (const [ecosystem, count] of expected) {
      expect([ecosystem, reports.get(ecosystem)?.seen]).toEqual([ecosystem, count]);
      seen += count;
    }
    expect(seen).toBe(7030 + 26);
    expect(store.counts).toEqual({ loaded: 7003 + 26, withdrawn: 27, malformed: 0, otherEcosystems: 0 });
    expectAccounted(store, seen);
  });

  it('fails clearly for an ecosystem the bucket lacks', async () => {
    await expect(new OsvBucket(bucket.url).loadAll(['crates.io'], new AdvisoryStore())).rejects.toMatchObject({ code: 'not-found' });
  });

  it('fetches only records modified after a time, refusing unsafe ids', async () => {
    const store = new AdvisoryStore();
    const report = await new OsvBucket(bucket.url).fetchModifiedSince('PyPI', new Date('2024-06-01T00:00:00Z'), store);
    expect([...report.changed].sort()).toEqual(['GHSA-h5c8-rqwp-cp95', 'GONE-1', 'PYSEC-2023-74']);
    expect(report.missing).toEqual(['GONE-1']);
    expect(report.rejectedLines.map((line) => line.line)).toEqual([5, 6]);
    expect(store.counts).toEqual({ loaded: 2, withdrawn: 0, malformed: 0, otherEcosystems: 0 });
    expect(bucket.requests).not.toContain('PyPI/GHSA-v845-jxx5-vc9f.json');
  });
});

describe('a store made for some ecosystems', () => {
  it('keeps only records naming them, and still accounts for every file', async () => {
    const store = new AdvisoryStore({ ecosystems: ['npm', 'Debian'] });
    const report = await loadOsvDirectory(small, store);
    const everything = new AdvisoryStore();
    await loadOsvDirectory(small, everything);
    expectAccounted(store, report.seen);
    expect(store.counts.otherEcosystems).toBeGreaterThan(0);
    expect(store.lookup('npm', 'lodash').length).toBe(everything.lookup('npm', 'lodash').length);
    expect(store.lookup('Debian:9', 'libxml2').map((match) => match.record.id)).toEqual(['DLA-3012-1']);
    expect(store.lookup('PyPI', 'requests')).toEqual([]);
    expect(everything.lookup('PyPI', 'requests').length).toBeGreaterThan(0);
  });
});
