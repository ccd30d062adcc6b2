import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { S3AdvisoryChangeSets } from '../../../lambdas/adapters/s3/s3-advisory-change-sets.ts';
import type { OsvRecord } from '../../../lambdas/core/advisories/osv-schema.ts';
import { ChangeAccumulator } from '../../../lambdas/core/advisories/sync-plan.ts';
import { sharedFixtures } from '../../support/paths.ts';

/** The change sets a sync hands on, on moto S3: parts appended per put, replayed by get. */
const NPM = sharedFixtures('osv-corpus', 'npm');
const records: OsvRecord[] = readdirSync(NPM)
  .filter((name) => name.endsWith('.json'))
  .sort()
  .slice(0, 30)
  .map((name) => JSON.parse(readFileSync(join(NPM, name), 'utf8')) as OsvRecord);

describe('S3AdvisoryChangeSets', () => {
  let s3: S3Client;
  let bucket: string;

  beforeAll(async () => {
    s3 = new S3Client({ endpoint: inject('motoEndpoint'), region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'moto', secretAccessKey: 'moto' } });
    bucket = `customs-change-sets-${randomUUID()}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  });

  const store = (): S3AdvisoryChangeSets => new S3AdvisoryChangeSets({ client: s3, bucket });
  const partKeys = async (syncId: string): Promise<string[]> => ((await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `advisory-changes/${syncId}/` }))).Contents ?? []).map((object) => object.Key!);
  const partBytes = async (key: string): Promise<number> => (await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToByteArray()).byteLength;

  it('a growing set is stored as parts of what each put adds, and read back whole, also by a new instance that goes on appending', async () => {
    const syncId = `sync-${randomUUID()}`;
    const sets = store();
    const accumulator = new ChangeAccumulator(syncId);
    for (let group = 0; group < 3; group++) {
      accumulator.written(records.slice(group * 10, group * 10 + 10), []);
      await sets.put(accumulator.changes());
      // A retried put of the same set adds nothing.
      await sets.put(accumulator.changes());
    }
    const keys = await partKeys(syncId);
    expect(keys).toEqual([0, 1, 2].map((n) => `advisory-changes/${syncId}/00000${n}.json.gz`));
    // Each part holds its own group, not the set so far: the third is no bigger than twice the first.
    const sizes = await Promise.all(keys.map(partBytes));
    expect(sizes[2]!).toBeLessThan(2 * sizes[0]!);
    expect(await store().get(syncId)).toEqual(accumulator.changes());

    // A continuation reads the set, changes a record and retracts another; a third instance, which never read it, appends too.
    const continued = store();
    const earlier = await continued.get(syncId);
    const next = new ChangeAccumulator(syncId, earlier);
    const modified: OsvRecord = { ...records[0]!, modified: '2030-01-01T00:00:00Z' };
    next.written([modified], []);
    next.retract([records[1]!]);
    await continued.put(next.changes());
    expect(await partKeys(syncId)).toHaveLength(4);
    const last = new ChangeAccumulator(syncId, await store().get(syncId));
    last.written([records[1]!], [{ ecosystem: 'npm', name: 'dropped-package' }]);
    await store().put(last.changes());
    expect(await partKeys(syncId)).toHaveLength(5);
    const whole = await store().get(syncId);
    expect(whole).toEqual(last.changes());
    expect(whole.records.find((record) => record.id === records[0]!.id)).toEqual(modified);
    expect(whole.retracted).toEqual([]);
    expect(whole.keys).toContainEqual({ ecosystem: 'npm', name: 'dropped-package' });
  });

  it('an empty set is stored (the rescans of waiting images read it); a set never stored is not-found', async () => {
    const syncId = `sync-${randomUUID()}`;
    await store().put({ syncId, keys: [], records: [], retracted: [] });
    expect(await store().get(syncId)).toEqual({ syncId, keys: [], records: [], retracted: [] });
    await expect(store().get(`sync-${randomUUID()}`)).rejects.toMatchObject({ code: 'not-found' });
  });

  it('refuses parts that are not the sync\'s: another sync named inside, a schema violation, a gap in the numbering, a sync id that would leave the prefix', async () => {
    const put = (key: string, body: unknown): Promise<unknown> => s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: gzipSync(JSON.stringify(body)) }));
    const foreign = `sync-${randomUUID()}`;
    await put(`advisory-changes/${foreign}/000000.json.gz`, { syncId: 'another', keys: [], records: [], retracted: [] });
    await expect(store().get(foreign)).rejects.toMatchObject({ code: 'malformed', message: expect.stringMatching(/holds the changes of sync "another"/) });
    const bad = `sync-${randomUUID()}`;
    await put(`advisory-changes/${bad}/000000.json.gz`, { syncId: bad, keys: [{ ecosystem: '' }], records: [], retracted: [] });
    await expect(store().get(bad)).rejects.toMatchObject({ code: 'malformed', message: expect.stringMatching(/keys\.0/) });
    const gap = `sync-${randomUUID()}`;
    await put(`advisory-changes/${gap}/000000.json.gz`, { syncId: gap, keys: [], records: [], retracted: [] });
    await put(`advisory-changes/${gap}/000002.json.gz`, { syncId: gap, keys: [], records: [], retracted: [] });
    await expect(store().get(gap)).rejects.toMatchObject({ code: 'malformed', message: expect.stringMatching(/where part 1 belongs/) });
    await expect(store().get('../elsewhere')).rejects.toMatchObject({ code: 'usage' });
  });

  it('caps what the parts inflate to together', async () => {
    const syncId = `sync-${randomUUID()}`;
    const sets = new S3AdvisoryChangeSets({ client: s3, bucket, maxBytes: 20_000 });
    const accumulator = new ChangeAccumulator(syncId);
    for (const record of records) {
      accumulator.written([record], []);
      await sets.put(accumulator.changes());
    }
    await expect(new S3AdvisoryChangeSets({ client: s3, bucket, maxBytes: 20_000 }).get(syncId)).rejects.toMatchObject({ code: 'malformed', message: expect.stringMatching(/inflates past 20000 bytes|under 20000 bytes/) });
    expect(await store().get(syncId)).toEqual(accumulator.changes());
  });
});
