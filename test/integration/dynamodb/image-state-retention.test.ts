import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { randomBytes, randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { findingsDocumentClient } from '../../../lambdas/adapters/dynamodb/document-client.ts';
import { DynamoDbImageStateStore } from '../../../lambdas/adapters/dynamodb/dynamodb-image-state-store.ts';
import { DynamoDbQuarantineStore } from '../../../lambdas/adapters/dynamodb/dynamodb-quarantine-store.ts';
import { DynamoDbRepositoryCatalogue } from '../../../lambdas/adapters/dynamodb/dynamodb-repository-catalogue.ts';
import { DynamoDbScanResultStore } from '../../../lambdas/adapters/dynamodb/dynamodb-scan-result-store.ts';
import { DynamoDbVerdictStore } from '../../../lambdas/adapters/dynamodb/dynamodb-verdict-store.ts';
import { imagePk, imageSk, tagSk } from '../../../lambdas/adapters/dynamodb/findings-keys.ts';
import { FINDINGS_TABLE } from '../../../lambdas/adapters/dynamodb/table-schema.ts';
import { parseDigest, type Digest } from '../../../lambdas/core/digest.ts';
import type { ImageKey, RepositoryEntry, ScanRecord } from '../../../lambdas/core/pipeline/model.ts';
import type { QuarantineRecord } from '../../../lambdas/core/pipeline/quarantine-model.ts';
import type { Verdict } from '../../../lambdas/core/pipeline/verdict-model.ts';
import { retentionStep } from '../../../lambdas/handlers/daily-review/daily-steps.ts';
import { createLocalTable, localDynamoDbClient } from '../../support/dynamodb-tables.ts';
import { sampleScanRecord } from '../../support/sample-scan-record.ts';

/**
 * Forgetting deleted image states past their retention, on DynamoDB Local: what goes (state,
 * verdict, tag pointers, catalogue counts), what stays (tag history, the digest's scan, quarantine
 * records, other repositories' states of the digest), and the races a re-push brings.
 */
const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const run = randomUUID().slice(0, 8);
const newDigest = (): Digest => parseDigest(`sha256:${randomBytes(32).toString('hex')}`);
const at = (iso: string): Date => new Date(iso);
const plenty = { remainingMs: () => 600_000, expired: () => false };

function scanRecord(digest: Digest): ScanRecord {
  return sampleScanRecord(digest, { finishedAt: at('2026-10-01T00:00:00Z') });
}

function passing(evaluatedAt: Date): Verdict {
  return { verdict: 'PASS', policyVersion: 'pv1-0123456789abcdef', policySource: 'default', mode: 'enforce', failOn: 'HIGH', counts: { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, UNKNOWN: 0 }, failingCount: 0, failingIds: [], failing: [], worst: [], suppressedCount: 0, suppressions: [], platforms: [], evaluatedAt };
}

function released(key: ImageKey): QuarantineRecord {
  return {
    key,
    id: randomUUID(),
    state: 'RELEASED',
    method: 'untag',
    trigger: 'push',
    verdict: { policyVersion: 'pv1-0123456789abcdef', policySource: 'default', failOn: 'HIGH', failingCount: 1, failingIds: ['CVE-2024-1'], evaluatedAt: at('2026-10-01T00:00:00Z') },
    startedAt: at('2026-10-01T00:00:00Z'),
    removing: [],
    removedTags: [],
    keptTags: [],
    warnings: [],
    updatedAt: at('2026-10-02T00:00:00Z'),
  };
}

describe('forgetting deleted image states on DynamoDB Local', () => {
  const dynamodb = localDynamoDbClient();
  const client = findingsDocumentClient(dynamodb);
  let tableName: string;
  let images: DynamoDbImageStateStore;
  let results: DynamoDbScanResultStore;
  let verdicts: DynamoDbVerdictStore;
  let quarantines: DynamoDbQuarantineStore;
  let catalogue: DynamoDbRepositoryCatalogue;
  const key = (repository: string, digest: Digest): ImageKey => ({ account: ACCOUNT, region: REGION, repository, digest });
  const push = (image: ImageKey, tag: string | undefined, pushedAt: Date) => images.recordPush({ ...image, ...(tag !== undefined ? { tag } : {}), pushedAt, kind: 'push' }, pushedAt);
  const counts = async (repository: string): Promise<Pick<RepositoryEntry, 'images' | 'deleted'> | undefined> => {
    const entry = (await catalogue.list()).find((one) => one.repository === repository);
    return entry ? { images: entry.images, deleted: entry.deleted } : undefined;
  };
  const raw = async (pk: string, sk: string) => (await client.send(new GetCommand({ TableName: tableName, Key: { pk, sk }, ConsistentRead: true }))).Item;

  beforeAll(async () => {
    tableName = await createLocalTable(dynamodb, FINDINGS_TABLE, 'customs-retention');
    const table = { client, tableName };
    images = new DynamoDbImageStateStore({ ...table, historyRetentionDays: 400 });
    results = new DynamoDbScanResultStore(table);
    verdicts = new DynamoDbVerdictStore(table);
    quarantines = new DynamoDbQuarantineStore(table);
    catalogue = new DynamoDbRepositoryCatalogue(table);
  });

  it('forgets the state, its verdict and its tag pointers and counts it out of the catalogue; tag history, the shared scan and quarantine records stay', async () => {
    const repository = `app-${run}`;
    const shared = newDigest();
    const gone = key(repository, shared);
    const live = key(repository, newDigest());
    const elsewhere = key(`web-${run}`, shared);
    await push(gone, 'v1', at('2026-10-01T00:00:00Z'));
    await push(gone, 'stable', at('2026-10-01T00:00:00Z'));
    await push(live, 'v2', at('2026-10-02T00:00:00Z'));
    await push(elsewhere, 'x', at('2026-10-01T00:00:00Z'));
    await results.save(scanRecord(shared), [], []);
    expect(await verdicts.put(gone, { verdict: passing(at('2026-10-01T01:00:00Z')) }, undefined)).toBe(true);
    expect(await quarantines.put(gone, { record: released(gone) }, undefined)).toBe(true);
    const deletedAt = at('2026-10-05T00:00:00Z');
    await images.markDeleted(gone, deletedAt);
    expect(await counts(repository)).toEqual({ images: 2, deleted: 1 });

    expect(await images.forgetDeleted(gone, deletedAt)).toBe(true);

    expect(await images.get(gone)).toBeUndefined();
    expect(await verdicts.get(gone)).toBeUndefined();
    expect(await raw(imagePk(gone), tagSk('v1'))).toBeUndefined();
    expect(await raw(imagePk(gone), tagSk('stable'))).toBeUndefined();
    expect(await counts(repository)).toEqual({ images: 1, deleted: 0 });
    expect((await images.imagesOfRepository(gone, Infinity)).map((state) => state.digest)).toEqual([live.digest]);
    expect((await images.imagesWithDigest(shared)).map((state) => state.repository)).toEqual([elsewhere.repository]);
    // Kept: tag history, the digest's scan (another repository holds it), the quarantine record, the live image and its pointer.
    expect((await images.tagHistory(gone, 'v1')).map((event) => event.action)).toEqual(['tagged']);
    expect((await results.get(shared))?.status).toBe('SCANNED');
    expect((await quarantines.get(gone))?.record.state).toBe('RELEASED');
    expect((await images.get(live))?.tags).toEqual(['v2']);
    expect((await raw(imagePk(live), tagSk('v2')))?.digest).toBe(live.digest);
    expect((await images.get(elsewhere))?.deletedAt).toBeUndefined();

    // Idempotent: forgetting again finds nothing and changes no count.
    expect(await images.forgetDeleted(gone, deletedAt)).toBe(false);
    expect(await counts(repository)).toEqual({ images: 1, deleted: 0 });

    // Its tag is free: a push of another digest with it records the tag (the pointer no longer names a missing image).
    const next = key(repository, newDigest());
    await push(next, 'v1', at('2026-12-01T00:00:00Z'));
    expect((await images.get(next))?.tags).toEqual(['v1']);
    // The same digest pushed again is a new image state, counted once, with no verdict carried over.
    await push(gone, 'v3', at('2026-12-02T00:00:00Z'));
    expect(await images.get(gone)).toMatchObject({ tags: ['v3'], firstSeenAt: at('2026-12-02T00:00:00Z') });
    expect((await images.get(gone))?.deletedAt).toBeUndefined();
    expect(await verdicts.get(gone)).toBeUndefined();
    expect(await counts(repository)).toEqual({ images: 3, deleted: 0 });
  });

  it('never forgets an image pushed again since it was read, nor one deleted again since', async () => {
    const repository = `repush-${run}`;
    const image = key(repository, newDigest());
    await push(image, 'v1', at('2026-10-01T00:00:00Z'));
    const firstDeletion = at('2026-10-05T00:00:00Z');
    await images.markDeleted(image, firstDeletion);
    await push(image, 'v1', at('2026-11-01T00:00:00Z')); // restored: deletedAt cleared
    expect(await images.forgetDeleted(image, firstDeletion)).toBe(false);
    expect((await images.get(image))?.deletedAt).toBeUndefined();
    expect(await counts(repository)).toEqual({ images: 1, deleted: 0 });

    const secondDeletion = at('2026-11-20T00:00:00Z');
    await images.markDeleted(image, secondDeletion);
    expect(await images.forgetDeleted(image, firstDeletion)).toBe(false);
    expect((await images.get(image))?.deletedAt).toEqual(secondDeletion);
    expect(await counts(repository)).toEqual({ images: 1, deleted: 1 });
    expect(await images.forgetDeleted(image, secondDeletion)).toBe(true);
    expect(await counts(repository)).toEqual({ images: 0, deleted: 0 });
  });

  it('a push that read the deleted state before it was forgotten records the image anew', async () => {
    const repository = `race-${run}`;
    const image = key(repository, newDigest());
    await push(image, 'v1', at('2026-10-01T00:00:00Z'));
    const deletedAt = at('2026-10-05T00:00:00Z');
    await images.markDeleted(image, deletedAt);
    // The pushing store's first read of the image item returns, then the retention forgets it, then the push goes on.
    let forgot: boolean | undefined;
    const hooked = {
      send: async (command: Parameters<DynamoDBDocumentClient['send']>[0]) => {
        const output = await client.send(command);
        const input = (command as { input?: { Key?: { sk?: unknown } } }).input;
        if (forgot === undefined && command instanceof GetCommand && input?.Key?.sk === imageSk(image.digest)) forgot = await images.forgetDeleted(image, deletedAt);
        return output;
      },
    } as unknown as DynamoDBDocumentClient;
    const pushing = new DynamoDbImageStateStore({ client: hooked, tableName });
    await pushing.recordPush({ ...image, tag: 'v2', pushedAt: at('2026-12-01T00:00:00Z'), kind: 'push' }, at('2026-12-01T00:00:00Z'));
    expect(forgot).toBe(true);
    expect(await images.get(image)).toMatchObject({ tags: ['v2'], firstSeenAt: at('2026-12-01T00:00:00Z') });
    expect((await images.get(image))?.deletedAt).toBeUndefined();
    expect(await counts(repository)).toEqual({ images: 1, deleted: 0 });
  });

  it('forgets an image with more tag pointers than one transaction holds', async () => {
    const repository = `tags-${run}`;
    const image = key(repository, newDigest());
    const tags = Array.from({ length: 60 }, (_, n) => `t${String(n).padStart(2, '0')}`);
    for (const tag of tags) await push(image, tag, at('2026-10-01T00:00:00Z'));
    const deletedAt = at('2026-10-05T00:00:00Z');
    await images.markDeleted(image, deletedAt);
    expect(await images.forgetDeleted(image, deletedAt)).toBe(true);
    expect(await images.get(image)).toBeUndefined();
    const pointers = await Promise.all(tags.map((tag) => raw(imagePk(image), tagSk(tag))));
    expect(pointers.filter((item) => item !== undefined)).toEqual([]);
    expect(await counts(repository)).toEqual({ images: 0, deleted: 0 });
  });

  it('the retention step forgets only images deleted longer ago than the retention, and a rerun forgets nothing more', async () => {
    const repository = `step-${run}`;
    const old = key(repository, newDigest());
    const recent = key(repository, newDigest());
    const live = key(repository, newDigest());
    for (const image of [old, recent, live]) await push(image, undefined, at('2026-09-01T00:00:00Z'));
    await images.markDeleted(old, at('2026-11-01T00:00:00Z'));
    await images.markDeleted(recent, at('2026-12-20T00:00:00Z'));
    const only = { list: async () => (await catalogue.list()).filter((entry) => entry.repository === repository) };
    const step = () =>
      retentionStep({ retentionDays: 30 }, { catalogue: only, states: { imagesOf: (repo) => images.imagesOfRepository(repo, Infinity) }, images, clock: { now: () => at('2027-01-01T00:00:00Z') } }).run(plenty);

    expect(await step()).toEqual({ retentionDays: 30, deleted: 2, pastRetention: 1, forgotten: 1, kept: 0, failed: 0, oldestDeletedAt: '2026-12-20T00:00:00.000Z', stoppedEarly: false });
    expect(await images.get(old)).toBeUndefined();
    expect((await images.get(recent))?.deletedAt).toEqual(at('2026-12-20T00:00:00Z'));
    expect((await images.get(live))?.deletedAt).toBeUndefined();
    expect(await counts(repository)).toEqual({ images: 2, deleted: 1 });

    expect(await step()).toMatchObject({ deleted: 1, pastRetention: 0, forgotten: 0 });
    expect(await counts(repository)).toEqual({ images: 2, deleted: 1 });
  });
});
