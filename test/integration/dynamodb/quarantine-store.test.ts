import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { randomBytes, randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { findingsDocumentClient } from '../../../lambdas/adapters/dynamodb/document-client.ts';
import { DynamoDbQuarantineStore } from '../../../lambdas/adapters/dynamodb/dynamodb-quarantine-store.ts';
import { imagePk } from '../../../lambdas/adapters/dynamodb/findings-keys.ts';
import { MAX_QUARANTINE_DOCUMENT_BYTES, packQuarantine, quarantineLogSk, quarantineSk, UnreadableQuarantineError } from '../../../lambdas/adapters/dynamodb/quarantine-items.ts';
import { FINDINGS_TABLE } from '../../../lambdas/adapters/dynamodb/table-schema.ts';
import { ALERT_SCHEMA, type CustomsEvent, type ImageAlert } from '../../../lambdas/core/alerts/alert-model.ts';
import { parseDigest, type Digest } from '../../../lambdas/core/digest.ts';
import { CustomsError } from '../../../lambdas/core/errors.ts';
import type { ImageKey } from '../../../lambdas/core/pipeline/model.ts';
import type { QuarantineRecord } from '../../../lambdas/core/pipeline/quarantine-model.ts';
import type { PendingQuarantineAlert } from '../../../lambdas/core/ports.ts';
import { createLocalTable, localDynamoDbClient } from '../../support/dynamodb-tables.ts';

const randomDigest = (): Digest => parseDigest(`sha256:${randomBytes(32).toString('hex')}`);
const t = (minutes: number) => new Date(Date.UTC(2026, 11, 1, 10, minutes));
const imageKey = (repository = `team/app-${randomUUID().slice(0, 8)}`, digest = randomDigest()): ImageKey => ({ account: '111122223333', region: 'eu-west-1', repository, digest });

/** A record with every optional field set: a release of an untag quarantine that kept tags. */
function fullRecord(key: ImageKey, id: string = randomUUID()): QuarantineRecord {
  const moved = randomDigest();
  return {
    key,
    id,
    state: 'RELEASED',
    method: 'untag',
    trigger: 'push',
    verdict: { policyVersion: 'pv1-0123456789abcdef', policySource: 'prefix:team/', failOn: 'HIGH', failingCount: 2, failingIds: ['CVE-2024-1', 'CVE-2024-2'], reason: '2 findings at or above HIGH', evaluatedAt: t(1) },
    startedAt: t(2),
    marker: 'customs-quarantine-0123456789ab',
    removing: ['v1'],
    removedTags: [
      { tag: 'latest', removedAt: t(3) },
      { tag: 'v1', removedAt: t(4) },
    ],
    keptTags: [{ tag: 'stable', why: 'moved', digest: moved }, { tag: 'old', why: 'gone' }],
    storage: 'ACTIVATING',
    quarantinedAt: t(5),
    warnings: [{ code: 'DIGEST_PULLABLE', message: 'the digest stays pullable' }, { code: 'LIFECYCLE_EXPIRY', message: 'rule 1 could expire it' }],
    skippedReason: 'not skipped, but the field is kept',
    release: {
      by: 'arn:aws:iam::111122223333:role/security',
      reason: 'false positive',
      trigger: 'request',
      requestedAt: t(6),
      failingIds: ['CVE-2024-1'],
      restoredTags: ['latest'],
      keptTags: [{ tag: 'v1', why: 'pushed-since', digest: moved }],
      markerRemoved: true,
      storage: 'ACTIVATING',
      releasedAt: t(7),
    },
    updatedAt: t(8),
  };
}

/** The least a record holds: a quarantine just started. */
function startedRecord(key: ImageKey, id: string = randomUUID(), startedAt = t(10)): QuarantineRecord {
  return {
    key,
    id,
    state: 'QUARANTINING',
    method: 'archive',
    trigger: 'rescan',
    verdict: { policyVersion: 'pv1-0123456789abcdef', policySource: 'default', failOn: 'CRITICAL', failingCount: 1, failingIds: ['CVE-2025-9'], evaluatedAt: startedAt },
    startedAt,
    removing: [],
    removedTags: [],
    keptTags: [],
    warnings: [],
    updatedAt: startedAt,
  };
}

function pendingAlert(key: ImageKey, record: QuarantineRecord, alertId = `${record.id}-quarantined`): PendingQuarantineAlert {
  const alert: ImageAlert = {
    schema: ALERT_SCHEMA,
    kind: 'image',
    alertId,
    eventType: 'QUARANTINED',
    time: t(9).toISOString(),
    repository: { account: key.account, region: key.region, name: key.repository },
    image: { digest: key.digest, tags: [], kind: 'image', platforms: [{ digest: key.digest, platform: { os: 'linux', architecture: 'amd64' }, verdict: 'FAIL', status: 'SCANNED', scannedAt: t(1) }] },
    verdict: { value: 'FAIL', previous: 'PASS', reason: 'failing', policyVersion: record.verdict.policyVersion, policySource: record.verdict.policySource, mode: 'enforce', failOn: 'HIGH' },
    counts: { CRITICAL: 0, HIGH: 2, MEDIUM: 0, LOW: 0, UNKNOWN: 0 },
    failingCount: 2,
    suppressedCount: 0,
    worstFindings: [],
    changes: { newlyFailing: ['CVE-2024-1', 'CVE-2024-2'], noLongerFailing: [] },
    severity: 'HIGH',
    quarantine: {
      id: record.id,
      state: 'QUARANTINED',
      method: 'untag',
      trigger: 'push',
      tags: ['latest', 'v1'],
      keptTags: [{ tag: 'stable', why: 'moved', digest: randomDigest() }],
      marker: 'customs-quarantine-0123456789ab',
      storage: 'ACTIVE',
      warnings: [{ code: 'DIGEST_PULLABLE', message: 'the digest stays pullable' }],
      skippedReason: 'none',
      release: { by: 'customs', reason: 'findings resolved', trigger: 'findings-resolved' },
    },
  };
  const event: CustomsEvent = { detailType: 'Customs Quarantine', resources: [`arn:aws:ecr:${key.region}:${key.account}:repository/${key.repository}`], time: t(9), detail: { alertId, state: 'QUARANTINED', tags: ['latest', 'v1'] } };
  return { alert, events: [event], createdAt: t(9) };
}

/** Quarantine records with their alert outbox and history on DynamoDB Local. */
describe('DynamoDB quarantine store', () => {
  const base = localDynamoDbClient();
  let options: { client: ReturnType<typeof findingsDocumentClient>; tableName: string };
  let store: DynamoDbQuarantineStore;

  beforeAll(async () => {
    options = { client: findingsDocumentClient(base), tableName: await createLocalTable(base, FINDINGS_TABLE, 'quarantines') };
    store = new DynamoDbQuarantineStore(options);
  });

  const rawItem = async (key: ImageKey, sk = quarantineSk(key.digest)) => (await options.client.send(new GetCommand({ TableName: options.tableName, Key: { pk: imagePk(key), sk }, ConsistentRead: true }))).Item;

  it('reads back every field of a record and its pending alert, dates revived, and keeps the plain attributes', async () => {
    const key = imageKey();
    const record = fullRecord(key);
    const pending = pendingAlert(key, record);
    expect(await store.get(key)).toBeUndefined();
    expect(await store.put(key, { record, pending }, undefined)).toBe(true);

    const stored = await store.get(key);
    expect(stored).toEqual({ record, pending, revision: 1 });
    expect(stored?.record.release?.releasedAt).toBeInstanceOf(Date);
    expect(stored?.record.removedTags[1]?.removedAt).toEqual(t(4));
    expect(stored?.pending?.events[0]?.time).toEqual(t(9));
    expect(stored?.pending?.alert.quarantine).toEqual(pending.alert.quarantine);
    expect(stored?.pending?.alert.image.platforms[0]?.scannedAt).toEqual(t(1));

    expect(await rawItem(key)).toMatchObject({
      type: 'quarantine',
      account: key.account,
      region: key.region,
      repository: key.repository,
      digest: key.digest,
      id: record.id,
      revision: 1,
      state: 'RELEASED',
      method: 'untag',
      updatedAt: t(8).toISOString(),
      pendingAlertId: pending.alert.alertId,
    });

    // The next write without a pending alert drops it; the least record reads back without optional fields.
    const next = startedRecord(key, record.id);
    expect(await store.put(key, { record: next }, 1)).toBe(true);
    const after = await store.get(key);
    expect(after).toEqual({ record: next, revision: 2 });
    expect(Object.keys(after!.record).sort()).toEqual(Object.keys(next).sort());
    const item = await rawItem(key);
    expect(item).not.toHaveProperty('pendingAlertId');
    expect(item).not.toHaveProperty('pendingDocument');
    expect(await store.history(key)).toEqual([]); // same id: nothing logged
  });

  it('lets one of two writers win over the same revision and answers false to a stale or premature one', async () => {
    const key = imageKey();
    const id = randomUUID();
    const firsts = await Promise.all([store.put(key, { record: startedRecord(key, id, t(11)) }, undefined), store.put(key, { record: startedRecord(key, id, t(12)) }, undefined)]);
    expect(firsts.filter(Boolean)).toHaveLength(1);
    expect(await store.put(key, { record: startedRecord(key, id) }, undefined)).toBe(false);

    const a = { ...startedRecord(key, id), state: 'QUARANTINED' as const, updatedAt: t(20) };
    const b = { ...startedRecord(key, id), state: 'SKIPPED' as const, updatedAt: t(21) };
    const seconds = await Promise.all([store.put(key, { record: a }, 1), store.put(key, { record: b }, 1)]);
    expect(seconds.filter(Boolean)).toHaveLength(1);
    expect(await store.get(key)).toEqual({ record: seconds[0] ? a : b, revision: 2 });
    expect(await store.put(key, { record: a }, 1)).toBe(false);
    expect(await store.put(key, { record: a }, 3)).toBe(false);
    expect(await store.put(imageKey(), { record: startedRecord(key) }, 1).catch((error: unknown) => error)).toBeInstanceOf(CustomsError); // the record names another image
    const nothing = imageKey();
    expect(await store.put(nothing, { record: startedRecord(nothing) }, 1)).toBe(false); // no revision 1 to match
    expect(await rawItem(nothing)).toBeUndefined();
  });

  it('confirms only the pending alert still named, once, and ignores another alert or an absent record', async () => {
    const key = imageKey();
    const record = startedRecord(key);
    const pending = pendingAlert(key, record);
    await store.put(key, { record, pending }, undefined);

    await store.confirm(key, 'not-this-alert');
    expect(await store.get(key)).toEqual({ record, pending, revision: 1 });

    await store.confirm(key, pending.alert.alertId);
    expect(await store.get(key)).toEqual({ record, revision: 2 });
    const item = await rawItem(key);
    expect(item).not.toHaveProperty('pendingAlertId');
    expect(item).not.toHaveProperty('pendingDocument');

    await store.confirm(key, pending.alert.alertId); // a second delivery of the same confirmation
    expect(await store.get(key)).toEqual({ record, revision: 2 });

    // A writer that read revision 1 (before the confirm) loses and re-reads.
    expect(await store.put(key, { record: { ...record, state: 'QUARANTINED' } }, 1)).toBe(false);

    const absent = imageKey();
    await store.confirm(absent, pending.alert.alertId);
    expect(await rawItem(absent)).toBeUndefined();
  });

  it('replaces a released record with a new quarantine and keeps the old ones in the history, oldest first', async () => {
    const key = imageKey();
    const first = fullRecord(key);
    await store.put(key, { record: first, pending: pendingAlert(key, first) }, undefined);

    const second = startedRecord(key, randomUUID(), t(30));
    // Decided from a stale revision: refused, and nothing logged.
    expect(await store.put(key, { record: second }, 2)).toBe(false);
    expect(await store.history(key)).toEqual([]);

    expect(await store.put(key, { record: second, pending: pendingAlert(key, second) }, 1)).toBe(true);
    expect(await store.get(key)).toMatchObject({ record: second, revision: 2 });
    expect(await store.history(key)).toEqual([first]);
    expect(await rawItem(key, quarantineLogSk(key.digest, first.startedAt, first.id))).toMatchObject({ type: 'quarantine-log', id: first.id, state: 'RELEASED' });

    const third = startedRecord(key, randomUUID(), t(40));
    expect(await store.put(key, { record: third }, 2)).toBe(true);
    expect(await store.history(key)).toEqual([first, second]);
    expect((await store.get(key))?.record).toEqual(third);

    // Another digest of the same repository has its own history.
    expect(await store.history({ ...key, digest: randomDigest() })).toEqual([]);
  });

  it('answers false when another writer gets in between reading the record to replace and the transaction', async () => {
    const key = imageKey();
    const first = startedRecord(key);
    await store.put(key, { record: first }, undefined);
    const sneaked = { ...first, state: 'QUARANTINED' as const, updatedAt: t(25) };
    let transactions = 0;
    const client = localDynamoDbClient();
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'TransactWriteItemsCommand' && transactions++ === 0) expect(await store.put(key, { record: sneaked }, 1)).toBe(true);
        return next(args);
      },
      { step: 'initialize', name: 'customsTestIntercept' },
    );
    const racing = new DynamoDbQuarantineStore({ ...options, client: findingsDocumentClient(client) });
    expect(await racing.put(key, { record: startedRecord(key, randomUUID(), t(30)) }, 1)).toBe(false);
    expect(transactions).toBe(1);
    expect(await store.get(key)).toEqual({ record: sneaked, revision: 2 });
    expect(await store.history(key)).toEqual([]);

    // Two new quarantines over the same revision: one wins, the replaced record is logged once.
    const contenders = [startedRecord(key, randomUUID(), t(31)), startedRecord(key, randomUUID(), t(32))];
    const outcomes = await Promise.all(contenders.map((record) => store.put(key, { record }, 2)));
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    expect((await store.get(key))?.record).toEqual(contenders[outcomes[0] ? 0 : 1]);
    expect(await store.history(key)).toEqual([sneaked]);
  });

  it('lists the current records of one repository by digest, not other repositories nor history', async () => {
    const repository = `team/listed-${randomUUID().slice(0, 8)}`;
    const keys = Array.from({ length: 7 }, () => imageKey(repository));
    const records = new Map(keys.map((key) => [key.digest, startedRecord(key)]));
    for (const key of keys) await store.put(key, { record: records.get(key.digest)! }, undefined);
    // One of them replaced (its old record goes to history), and neighbours that must not show.
    const replaced = keys[3]!;
    const replacement = startedRecord(replaced, randomUUID(), t(50));
    await store.put(replaced, { record: replacement }, 1);
    records.set(replaced.digest, replacement);
    const neighbour = imageKey(`${repository}-other`);
    await store.put(neighbour, { record: startedRecord(neighbour) }, undefined);
    const elsewhere = { ...imageKey(repository), region: 'us-east-1' };
    await store.put(elsewhere, { record: startedRecord(elsewhere) }, undefined);

    const listed = await store.list({ account: keys[0]!.account, region: keys[0]!.region, repository });
    const digests = [...records.keys()].sort();
    expect(listed.map((record) => record.key.digest)).toEqual(digests);
    expect(listed).toEqual(digests.map((digest) => records.get(digest)));
    expect(await store.list({ account: '999999999999', region: 'eu-west-1', repository })).toEqual([]);
  });

  it('refuses a tampered, copied or misplaced item with an error naming the key', async () => {
    const refusal = async (key: ImageKey, read: () => Promise<unknown> = () => store.get(key)) => {
      const error = await read().catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(UnreadableQuarantineError);
      expect((error as Error).message).toContain(key.digest);
      expect((error as Error).message).toContain(imagePk(key));
      return (error as Error).message;
    };
    const update = (key: ImageKey, expression: string, values?: Record<string, unknown>, sk = quarantineSk(key.digest)) =>
      options.client.send(new UpdateCommand({ TableName: options.tableName, Key: { pk: imagePk(key), sk }, UpdateExpression: expression, ...(values ? { ExpressionAttributeValues: values } : {}) }));

    const garbage = imageKey();
    await store.put(garbage, { record: startedRecord(garbage) }, undefined);
    await update(garbage, 'SET document = :bytes', { ':bytes': randomBytes(200) });
    expect(await refusal(garbage)).toMatch(/not gzipped JSON/);
    // list reads the same items and refuses them the same way.
    expect(await refusal(garbage, () => store.list(garbage))).toMatch(/not gzipped JSON/);

    const notRecord = imageKey();
    await store.put(notRecord, { record: startedRecord(notRecord) }, undefined);
    await update(notRecord, 'SET document = :bytes', { ':bytes': gzipSync(JSON.stringify({ version: 1, item: 'current', record: { ...startedRecord(notRecord), state: 'HELD' } })) });
    expect(await refusal(notRecord)).toMatch(/not a quarantine record: record\.state/);

    const stateEdited = imageKey();
    await store.put(stateEdited, { record: startedRecord(stateEdited) }, undefined);
    // `state` is a reserved word in expressions.
    await options.client.send(new UpdateCommand({ TableName: options.tableName, Key: { pk: imagePk(stateEdited), sk: quarantineSk(stateEdited.digest) }, UpdateExpression: 'SET #s = :released', ExpressionAttributeNames: { '#s': 'state' }, ExpressionAttributeValues: { ':released': 'RELEASED' } }));
    expect(await refusal(stateEdited)).toMatch(/disagrees with the item on state/);

    const copied = imageKey();
    const other = imageKey();
    await store.put(copied, { record: startedRecord(copied) }, undefined);
    await update(copied, 'SET document = :bytes', { ':bytes': packQuarantine(other, { record: startedRecord(other) }, 1).document });
    expect(await refusal(copied)).toMatch(/disagrees with the item on key/);

    // A pending alert of another record of the same image, or one whose id the item does not name.
    const foreignPending = imageKey();
    const record = startedRecord(foreignPending);
    await store.put(foreignPending, { record, pending: pendingAlert(foreignPending, record) }, undefined);
    const stranger = startedRecord(foreignPending);
    await update(foreignPending, 'SET pendingDocument = :bytes, pendingAlertId = :id', { ':bytes': packQuarantine(foreignPending, { record: stranger, pending: pendingAlert(foreignPending, stranger, `${record.id}-quarantined`) }, 1).pendingDocument, ':id': `${record.id}-quarantined` });
    expect(await refusal(foreignPending)).toMatch(/disagrees with the item on pending key/);
    await update(foreignPending, 'REMOVE pendingAlertId');
    expect(await refusal(foreignPending)).toMatch(/pendingAlertId/);

    const noDocument = imageKey();
    await store.put(noDocument, { record: startedRecord(noDocument) }, undefined);
    await update(noDocument, 'REMOVE document');
    expect(await refusal(noDocument)).toMatch(/is malformed: document/);

    // A history entry copied under another entry's sort key, and a current record put among the history.
    const logged = imageKey();
    const old = fullRecord(logged);
    await store.put(logged, { record: old }, undefined);
    await store.put(logged, { record: startedRecord(logged, randomUUID(), t(30)) }, 1);
    const entry = await rawItem(logged, quarantineLogSk(logged.digest, old.startedAt, old.id));
    await options.client.send(new PutCommand({ TableName: options.tableName, Item: { ...entry, sk: quarantineLogSk(logged.digest, t(0), old.id) } }));
    expect(await refusal(logged, () => store.history(logged))).toMatch(/disagrees with the item on sk/);
    await options.client.send(new PutCommand({ TableName: options.tableName, Item: { ...entry, sk: quarantineLogSk(logged.digest, t(0), old.id), document: packQuarantine(logged, { record: old }, 1).document } }));
    expect(await refusal(logged, () => store.history(logged))).toMatch(/disagrees with the item on item/);

    // Nothing a read refuses is ever written: an invalid date is refused before the put.
    const bad = imageKey();
    await expect(store.put(bad, { record: { ...startedRecord(bad), updatedAt: new Date(Number.NaN) } }, undefined)).rejects.toMatchObject({ code: 'malformed', message: expect.stringContaining('record.updatedAt') });
    expect(await rawItem(bad)).toBeUndefined();
  });

  it('refuses to write documents past the size guard, and writes nothing', async () => {
    const key = imageKey();
    // Random text barely compresses: a reason this long packs past the guard.
    const record = { ...startedRecord(key), skippedReason: randomBytes(Math.floor(MAX_QUARANTINE_DOCUMENT_BYTES * 1.2)).toString('base64') };
    const error = await store.put(key, { record }, undefined).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(CustomsError);
    expect(error).toMatchObject({ code: 'limit', message: expect.stringContaining(key.digest) });
    expect(await rawItem(key)).toBeUndefined();
    // Just under it is written and read back whole.
    const fits = { ...startedRecord(key), skippedReason: randomBytes(Math.floor(MAX_QUARANTINE_DOCUMENT_BYTES * 0.7)).toString('base64') };
    expect(await store.put(key, { record: fits, pending: pendingAlert(key, fits) }, undefined)).toBe(true);
    expect((await store.get(key))?.record.skippedReason).toBe(fits.skippedReason);
  });

  it('keeps its items apart from the image partition’s other sort key prefixes', async () => {
    const key = imageKey();
    await store.put(key, { record: startedRecord(key) }, undefined);
    await store.put(key, { record: startedRecord(key, randomUUID(), t(30)) }, 1);
    // A verdict item, an image and a tag history entry in the same partition do not show in either query.
    for (const sk of [`VERDICT#${key.digest}`, `DIGEST#${key.digest}`, `TAGLOG#latest#${t(1).toISOString()}#${key.digest}#PUSH`, `TAG#latest`]) {
      await options.client.send(new PutCommand({ TableName: options.tableName, Item: { pk: imagePk(key), sk } }));
    }
    const partition = await options.client.send(new QueryCommand({ TableName: options.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': imagePk(key) } }));
    expect(partition.Items).toHaveLength(6);
    expect(await store.list(key)).toHaveLength(1);
    expect(await store.history(key)).toHaveLength(1);
  });
});
