import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAdvisories } from '../../../lambdas/adapters/osv/load-advisories.ts';
import { AdvisoryStore } from '../../../lambdas/core/advisories/advisory-store.ts';
import { startOsvBucket } from '../../support/osv-bucket-server.ts';
import { osvFilesIn, zipWithCli } from '../../support/osv-fixtures.ts';
import { sharedFixtures } from '../../support/paths.ts';

/** `--advisories` as a directory, an all.zip file, its URL, or a bucket URL: the same records each way. */
describe('loadAdvisories', () => {
  const small = sharedFixtures('osv');
  const npmZip = zipWithCli(small, osvFilesIn(join(small, 'npm')).json.map((path) => join('npm', path)), { flat: true });
  const work = mkdtempSync(join(tmpdir(), 'customs-advisories-'));
  let bucket: Awaited<ReturnType<typeof startOsvBucket>>;

  beforeAll(async () => {
    bucket = await startOsvBucket(new Map([['npm/all.zip', npmZip]]));
  });
  afterAll(() => bucket.close());

  const lodashIds = (store: AdvisoryStore): string[] => store.lookup('npm', 'lodash').map((match) => match.record.id).sort();

  it('reads a directory, an all.zip file, its URL and a bucket to the same npm records', async () => {
    const zipFile = join(work, 'npm-all.zip');
    writeFileSync(zipFile, npmZip);
    const stores = await Promise.all(
      [join(small, 'npm'), zipFile, `${bucket.url}npm/all.zip`, bucket.url].map(async (spec) => {
        const store = new AdvisoryStore();
        expect(await loadAdvisories(spec, store, { ecosystems: ['npm'] })).toEqual([]);
        return store;
      }),
    );
    const expected = lodashIds(stores[0]!);
    expect(expected.length).toBeGreaterThan(2);
    for (const store of stores) expect(lodashIds(store)).toEqual(expected);
  });

  it('notes an ecosystem a bucket does not carry instead of failing', async () => {
    const store = new AdvisoryStore();
    const notes = await loadAdvisories(bucket.url, store, { ecosystems: ['PyPI', 'npm'] });
    expect(notes).toEqual([`advisories: ${bucket.url} has no PyPI/all.zip; PyPI packages were not matched`]);
    expect(lodashIds(store).length).toBeGreaterThan(2);
  });

  it('fails with not-found for a missing path or zip URL', async () => {
    await expect(loadAdvisories(join(work, 'missing'), new AdvisoryStore(), { ecosystems: [] })).rejects.toMatchObject({ code: 'not-found' });
    await expect(loadAdvisories(`${bucket.url}PyPI/all.zip`, new AdvisoryStore(), { ecosystems: [] })).rejects.toMatchObject({ code: 'not-found' });
  });
});
