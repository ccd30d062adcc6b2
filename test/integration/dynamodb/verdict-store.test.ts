import { PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createHash, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { findingsDocumentClient } from '../../../lambdas/adapters/dynamodb/document-client.ts';
import { DynamoDbVerdictStore } from '../../../lambdas/adapters/dynamodb/dynamodb-verdict-store.ts';
import { imagePk } from '../../../lambdas/adapters/dynamodb/findings-keys.ts';
import { FINDINGS_TABLE } from '../../../lambdas/adapters/dynamodb/table-schema.ts';
import { MAX_VERDICT_DOCUMENT_BYTES, packVerdict, UnreadableVerdictError, verdictSk } from '../../../lambdas/adapters/dynamodb/verdict-items.ts';
import { ALERT_SCHEMA, type CustomsEvent, type ImageAlert } from '../../../lambdas/core/alerts/alert-model.ts';
import { CustomsError } from '../../../lambdas/core/errors.ts';
import { parseDigest, type Digest } from '../../../lambdas/core/digest.ts';
import { SEVERITIES, type Severity } from '../../../lambdas/core/findings/model.ts';
import type { ImageKey } from '../../../lambdas/core/pipeline/model.ts';
import type { AnnouncedVerdict, Verdict, VerdictFinding, VerdictSuppression } from '../../../lambdas/core/pipeline/verdict-model.ts';
import type { PendingAnnouncement, VerdictWrite } from '../../../lambdas/core/ports.ts';
import { createLocalTable, localDynamoDbClient } from '../../support/dynamodb-tables.ts';
import { seededRandom } from '../../support/seeded-random.ts';

const randomDigest = (): Digest => parseDigest(`sha256:${randomBytes(32).toString('hex')}`);
const t = (minutes: number) => new Date(Date.UTC(2026, 11, 1, 10, minutes));
const imageKey = (repository = 'team/app', digest = randomDigest()): ImageKey => ({ account: '111122223333', region: 'eu-west-1', repository, digest });

// Plausible Debian findings: varied IDs, packages and versions, so the measured gzip ratio is honest.
const PACKAGES = ['libc6', 'libssl3', 'openssl', 'zlib1g', 'libxml2', 'curl', 'libcurl4', 'perl-base', 'libsqlite3-0', 'libexpat1', 'libgnutls30', 'libtiff6', 'libpng16-16', 'ncurses-base', 'tar', 'gzip', 'bash', 'coreutils', 'libkrb5-3', 'libldap-2.5-0', 'libpcre2-8-0', 'libsystemd0', 'libudev1', 'util-linux', 'login', 'passwd', 'libgcrypt20', 'libtasn1-6', 'libnghttp2-14', 'libssh2-1'];
const WORDS = ['buffer overflow', 'use-after-free', 'integer overflow', 'out-of-bounds read', 'NULL pointer dereference', 'denial of service', 'heap corruption', 'infinite loop', 'improper certificate validation', 'race condition', 'double free', 'memory leak'];
const PLACES = ['in the parser', 'when handling crafted input', 'in TLS handshake', 'in decompression', 'in the resolver', 'via long headers', 'in the X.509 verifier', 'in archive extraction'];

function fixtures(seed: number) {
  const random = seededRandom(seed);
  const pick = <T,>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const int = (below: number) => Math.floor(random() * below);
  const manifestDigest = randomDigest();
  const cve = () => `CVE-${2018 + int(8)}-${1000 + int(60_000)}`;
  const version = () => `${1 + int(4)}.${int(20)}.${int(30)}-${1 + int(5)}+deb12u${1 + int(9)}`;
  const finding = (): VerdictFinding => {
    const id = cve();
    const name = pick(PACKAGES);
    const installed = version();
    const purl = `pkg:deb/debian/${name}@${encodeURIComponent(installed)}?arch=amd64&distro=debian-12`;
    return {
      key: `${id}|${purl}`,
      id,
      aliases: [`DEBIAN-${id}`, ...(random() < 0.3 ? [`DLA-${3000 + int(900)}-1`] : [])],
      severity: pick(['CRITICAL', 'HIGH', 'HIGH', 'MEDIUM'] as const),
      severitySource: pick(['Debian urgency', 'CVSS_V3 (NVD)', 'CVSS_V3 (GHSA)']),
      package: { name, version: installed, purl, type: 'deb', path: '/var/lib/dpkg/status' },
      installedVersion: installed,
      fixedVersions: random() < 0.8 ? [version()] : [],
      manifestDigest,
      title: `${pick(WORDS)} ${pick(PLACES)} of ${name}`,
    };
  };
  const suppression = (): VerdictSuppression => {
    const id = cve();
    const vex = random() < 0.5;
    return {
      key: `${id}|pkg:deb/debian/${pick(PACKAGES)}@${version()}`,
      id,
      packageName: pick(PACKAGES),
      manifestDigest,
      severity: pick(SEVERITIES),
      by: vex ? 'vex' : 'ignore',
      reason: vex ? `component_not_present: the ${pick(PLACES)} code is not built into this image` : `accepted until the base image update, ticket SEC-${int(9000)}`,
      ...(vex ? { vex: { status: 'not_affected', justification: 'component_not_present', document: 's3://policy-bucket/vex/app.openvex.json' } } : { expires: '2027-01-31' }),
    };
  };
  const verdict = (failingCount: number, suppressionCount: number, overrides: Partial<Verdict> = {}): Verdict => {
    const failing = Array.from({ length: failingCount }, finding);
    const counts = Object.fromEntries(SEVERITIES.map((severity) => [severity, failing.filter((one) => one.severity === severity).length])) as Record<Severity, number>;
    return {
      verdict: failingCount > 0 ? 'FAIL' : 'PASS',
      ...(failingCount > 0 ? { reason: `${failingCount} findings at or above HIGH` } : {}),
      policyVersion: 'pv1-0123456789abcdef',
      policySource: 'prefix:team/',
      mode: 'audit',
      failOn: 'HIGH',
      counts,
      failingCount,
      failingIds: [...new Set(failing.map((one) => one.id))].sort(),
      failing,
      worst: failing.slice(0, 10),
      suppressedCount: suppressionCount,
      suppressions: Array.from({ length: suppressionCount }, suppression),
      platforms: [{ digest: manifestDigest, platform: { os: 'linux', architecture: 'arm64' }, verdict: failingCount > 0 ? 'FAIL' : 'PASS', status: 'SCANNED', scannedAt: t(1) }],
      reviewAt: t(50),
      evaluatedAt: t(2),
      ...overrides,
    };
  };
  const pending = (key: ImageKey, judged: Verdict, findingEvents: number, alertId = randomBytes(16).toString('hex')): PendingAnnouncement => {
    const alert: ImageAlert = {
      schema: ALERT_SCHEMA,
      kind: 'image',
      alertId,
      eventType: 'FAILED_POLICY',
      time: t(3).toISOString(),
      repository: { account: key.account, region: key.region, name: key.repository },
      image: { digest: key.digest, tags: ['latest', 'v1.4.2'], kind: 'image', platforms: judged.platforms },
      verdict: { value: judged.verdict, previous: 'PASS', policyVersion: judged.policyVersion, policySource: judged.policySource, mode: judged.mode, failOn: judged.failOn },
      counts: judged.counts,
      failingCount: judged.failingCount,
      suppressedCount: judged.suppressedCount,
      worstFindings: judged.worst,
      changes: { newlyFailing: judged.failingIds, noLongerFailing: ['CVE-2023-4911'] },
      severity: 'CRITICAL',
    };
    const resources = [`arn:aws:ecr:${key.region}:${key.account}:repository/${key.repository}`];
    const common = { alertId, eventType: alert.eventType, time: alert.time, repository: alert.repository };
    const events: CustomsEvent[] = [
      { detailType: 'Customs Verdict', resources, time: t(3), detail: { schema: 'customs.verdict-event/v1', eventId: `${alertId}-verdict`, ...common, verdict: alert.verdict, counts: alert.counts, changes: alert.changes } },
      ...judged.failing.slice(0, findingEvents).map((one, n): CustomsEvent => ({
        detailType: 'Customs Finding',
        resources,
        time: t(3),
        detail: { schema: 'customs.finding-event/v1', eventId: createHash('sha256').update(`${alertId}${n}`).digest('hex').slice(0, 32), ...common, state: 'NEW', image: { digest: key.digest, tags: alert.image.tags }, finding: { ...one } },
      })),
    ];
    const announced: AnnouncedVerdict = { verdict: judged.verdict, failingIds: judged.failingIds, policyVersion: judged.policyVersion, alertId, at: t(3) };
    return { alert, events, announced, createdAt: t(3) };
  };
  return { verdict, pending };
}

/** A client whose calls of one command run `before` first (once per call it returns true for). */
function interceptingClient(commandName: string, before: (input: Record<string, unknown>) => Promise<void> | void): DynamoDBClient {
  const client = localDynamoDbClient();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === commandName) await before(args.input as Record<string, unknown>);
      return next(args);
    },
    { step: 'initialize', name: 'customsTestIntercept' },
  );
  return client;
}

/** Verdicts with their alert outbox on DynamoDB Local: optimistic writes, idempotent confirms, checked reads. */
describe('DynamoDB verdict store', () => {
  const base = localDynamoDbClient();
  let options: { client: ReturnType<typeof findingsDocumentClient>; tableName: string };
  let store: DynamoDbVerdictStore;
  const make = fixtures(13);

  beforeAll(async () => {
    options = { client: findingsDocumentClient(base), tableName: await createLocalTable(base, FINDINGS_TABLE, 'verdicts') };
    store = new DynamoDbVerdictStore(options);
  });

  const rawItem = async (key: ImageKey) => (await options.client.send(new GetCommand({ TableName: options.tableName, Key: { pk: imagePk(key), sk: verdictSk(key.digest) }, ConsistentRead: true }))).Item;

  it('reads back every field it wrote, dates and pending events included, and keeps the plain attributes queryable', async () => {
    const key = imageKey();
    const verdict = make.verdict(12, 4);
    const pending = make.pending(key, verdict, 12);
    const announced: AnnouncedVerdict = { verdict: 'PASS', failingIds: [], policyVersion: 'pv1-fedcba9876543210', at: t(0) };
    const write: VerdictWrite = { verdict, announced, pending };
    expect(await store.put(key, write, undefined)).toBe(true);
    const stored = await store.get(key);
    expect(stored).toEqual({ key, ...write, revision: 1 });
    expect(stored?.pending?.events[1]?.time).toBeInstanceOf(Date);
    expect(stored?.verdict.platforms[0]?.scannedAt).toEqual(t(1));
    expect(stored?.verdict.reviewAt).toEqual(t(50));

    const item = await rawItem(key);
    expect(item).toMatchObject({
      type: 'verdict',
      account: key.account,
      region: key.region,
      repository: key.repository,
      digest: key.digest,
      verdict: 'FAIL',
      policyVersion: verdict.policyVersion,
      failingCount: 12,
      counts: verdict.counts,
      evaluatedAt: t(2).toISOString(),
      reviewAt: t(50).toISOString(),
      revision: 1,
      pendingAlertId: pending.alert.alertId,
      announcedVerdict: 'PASS',
    });
    expect(item).not.toHaveProperty('announcedAlertId');

    // The next write without optional parts drops them, and counts the revision on.
    const { reviewAt: _reviewAt, ...plain } = make.verdict(0, 0);
    expect(await store.put(key, { verdict: plain }, 1)).toBe(true);
    expect(await store.get(key)).toEqual({ key, verdict: plain, revision: 2 });
    const after = await rawItem(key);
    for (const gone of ['reviewAt', 'pendingAlertId', 'announcedVerdict', 'announcedAlertId']) expect(after).not.toHaveProperty(gone);
  });

  it('lets exactly one of two writers win over the same revision, and refuses a stale or premature one', async () => {
    const key = imageKey();
    const firsts = await Promise.all([store.put(key, { verdict: make.verdict(1, 0) }, undefined), store.put(key, { verdict: make.verdict(2, 0) }, undefined)]);
    expect(firsts.filter(Boolean)).toHaveLength(1);
    expect(await store.put(key, { verdict: make.verdict(3, 0) }, undefined)).toBe(false);

    const a = make.verdict(4, 0);
    const b = make.verdict(5, 0);
    const seconds = await Promise.all([store.put(key, { verdict: a }, 1), store.put(key, { verdict: b }, 1)]);
    expect(seconds.filter(Boolean)).toHaveLength(1);
    const stored = await store.get(key);
    expect(stored?.revision).toBe(2);
    expect(stored?.verdict).toEqual(seconds[0] ? a : b);
    expect(await store.put(key, { verdict: a }, 1)).toBe(false);
    expect(await store.put(imageKey(), { verdict: a }, 1)).toBe(false); // nothing stored: no revision 1 to match
  });

  it('confirms a pending alert into the announced state once, and ignores another alert or an absent verdict', async () => {
    const key = imageKey();
    const verdict = make.verdict(3, 1);
    const pending = make.pending(key, verdict, 3);
    await store.put(key, { verdict, announced: { verdict: 'PASS', failingIds: [], policyVersion: verdict.policyVersion, at: t(0) }, pending }, undefined);

    await store.confirm(key, 'not-this-alert');
    expect((await store.get(key))?.revision).toBe(1);

    await store.confirm(key, pending.alert.alertId);
    const confirmed = await store.get(key);
    expect(confirmed).toEqual({ key, verdict, announced: pending.announced, revision: 2 });
    const item = await rawItem(key);
    expect(item).toMatchObject({ announcedVerdict: 'FAIL', announcedAlertId: pending.alert.alertId, revision: 2 });
    expect(item).not.toHaveProperty('pendingAlertId');

    await store.confirm(key, pending.alert.alertId); // a second delivery of the same confirmation
    expect(await store.get(key)).toEqual(confirmed);

    const absent = imageKey();
    await store.confirm(absent, pending.alert.alertId);
    expect(await rawItem(absent)).toBeUndefined();
  });

  it('loses nothing when a new verdict is written between a confirm’s read and its write', async () => {
    const key = imageKey();
    const verdict = make.verdict(2, 0);
    const pending = make.pending(key, verdict, 2);
    await store.put(key, { verdict, pending }, undefined);

    // 1. The writer keeps the same pending alert (a re-evaluation deciding the same change): the confirm applies to its verdict.
    const reevaluated = { ...verdict, evaluatedAt: t(9) };
    let confirmWrites = 0;
    const racing = new DynamoDbVerdictStore({
      ...options,
      client: findingsDocumentClient(
        interceptingClient('PutItemCommand', async () => {
          confirmWrites++;
          if (confirmWrites === 1) expect(await store.put(key, { verdict: reevaluated, pending }, 1)).toBe(true);
        }),
      ),
    });
    await racing.confirm(key, pending.alert.alertId);
    expect(confirmWrites).toBe(2); // the first write lost to the writer, the second, over its revision, won
    expect(await store.get(key)).toEqual({ key, verdict: reevaluated, announced: pending.announced, revision: 3 });

    // 2. The writer replaces the pending alert with another change: the old confirm does nothing.
    const next = make.verdict(4, 0);
    const superseding = make.pending(key, next, 4);
    await store.put(key, { verdict: next, announced: pending.announced, pending: make.pending(key, next, 4, 'alert-to-be-superseded') }, 3);
    let writes = 0;
    const late = new DynamoDbVerdictStore({
      ...options,
      client: findingsDocumentClient(
        interceptingClient('PutItemCommand', async () => {
          writes++;
          if (writes === 1) expect(await store.put(key, { verdict: next, announced: pending.announced, pending: superseding }, 4)).toBe(true);
        }),
      ),
    });
    await late.confirm(key, 'alert-to-be-superseded');
    expect(writes).toBe(1);
    expect(await store.get(key)).toEqual({ key, verdict: next, announced: pending.announced, pending: superseding, revision: 5 });

    // 3. The confirm lands first: the writer's put over the revision it read fails, and it decides again from the confirmed state.
    const read = await store.get(key);
    await store.confirm(key, superseding.alert.alertId);
    expect(await store.put(key, { verdict: make.verdict(1, 0), announced: read?.announced }, read!.revision)).toBe(false);
    const fresh = await store.get(key);
    expect(fresh?.announced).toEqual(superseding.announced);
    expect(fresh?.pending).toBeUndefined();
  });

  it('reads 250 keys in key order, 100 a request, absent ones as undefined, resending unprocessed keys', async () => {
    const keys = Array.from({ length: 250 }, (_, n) => imageKey(`team/many-${n % 7}`));
    const present = keys.filter((_, n) => n % 5 !== 3);
    const verdicts = new Map(present.map((key) => [key.digest, make.verdict(1, 0)]));
    for (let start = 0; start < present.length; start += 25) {
      await Promise.all(present.slice(start, start + 25).map((key) => store.put(key, { verdict: verdicts.get(key.digest)! }, undefined)));
    }
    const asked = [...keys].reverse();
    asked.splice(10, 0, keys[0]!); // a key asked twice is answered twice

    let requests = 0;
    let withheld = 0;
    const stingy = new DynamoDbVerdictStore({
      ...options,
      batchRetry: { baseDelayMs: 1 },
      client: findingsDocumentClient(
        (() => {
          const client = localDynamoDbClient();
          // Answers the first two requests for half their keys only, as DynamoDB does past its limits.
          client.middlewareStack.add(
            (next, context) => async (args) => {
              if (context.commandName !== 'BatchGetItemCommand') return next(args);
              requests++;
              if (requests > 2) return next(args);
              const input = args.input as { RequestItems: Record<string, { Keys: Record<string, unknown>[] }> };
              const request = input.RequestItems[options.tableName]!;
              const kept = request.Keys.slice(0, Math.ceil(request.Keys.length / 2));
              const left = request.Keys.slice(kept.length);
              withheld += left.length;
              const result = await next({ ...args, input: { ...input, RequestItems: { [options.tableName]: { ...request, Keys: kept } } } });
              (result.output as { UnprocessedKeys?: unknown }).UnprocessedKeys = { [options.tableName]: { Keys: left, ConsistentRead: true } };
              return result;
            },
            { step: 'initialize', name: 'customsTestUnprocessedKeys' },
          );
          return client;
        })(),
      ),
    });

    for (const reader of [store, stingy]) {
      const answers = await reader.getMany(asked);
      expect(answers).toHaveLength(asked.length);
      answers.forEach((answer, n) => {
        const key = asked[n]!;
        const expected = verdicts.get(key.digest);
        if (expected) expect(answer).toEqual({ key, verdict: expected, revision: 1 });
        else expect(answer).toBeUndefined();
      });
    }
    // The first chunk's 100 keys: 50 answered, then 25 of the 50 resent, then the last 25; two more chunks (100, 50).
    expect(withheld).toBe(75);
    expect(requests).toBe(5);
    expect(await store.getMany([])).toEqual([]);
  });

  it('refuses an unreadable, altered or misplaced document with an error naming the key', async () => {
    const rawPut = async (key: ImageKey, document: Uint8Array) => options.client.send(new PutCommand({ TableName: options.tableName, Item: { ...packVerdict(key, { verdict: make.verdict(1, 0) }, 1).item, document } }));
    const refusal = async (key: ImageKey) => {
      const error = await store.get(key).catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(UnreadableVerdictError);
      expect((error as Error).message).toContain(key.digest);
      expect((error as Error).message).toContain(imagePk(key));
      await expect(store.getMany([imageKey(), key])).rejects.toThrow(UnreadableVerdictError);
      return (error as Error).message;
    };

    const garbage = imageKey();
    await base.send(
      new PutItemCommand({
        TableName: options.tableName,
        Item: { pk: { S: imagePk(garbage) }, sk: { S: verdictSk(garbage.digest) }, revision: { N: '1' }, verdict: { S: 'PASS' }, policyVersion: { S: 'pv1-0123456789abcdef' }, document: { B: randomBytes(300) } },
      }),
    );
    expect(await refusal(garbage)).toMatch(/not gzipped JSON/);

    const notVerdict = imageKey();
    await rawPut(notVerdict, gzipSync(JSON.stringify({ version: 1, key: notVerdict, verdict: { ...make.verdict(1, 0), verdict: 'MAYBE' } })));
    expect(await refusal(notVerdict)).toMatch(/not a verdict: verdict\.verdict/);

    const copied = imageKey();
    const other = imageKey();
    await rawPut(copied, packVerdict(other, { verdict: make.verdict(1, 0) }, 1).item.document as Uint8Array);
    expect(await refusal(copied)).toMatch(/disagrees with the item on key/);

    const edited = imageKey();
    await store.put(edited, { verdict: make.verdict(2, 0) }, undefined);
    await options.client.send(new UpdateCommand({ TableName: options.tableName, Key: { pk: imagePk(edited), sk: verdictSk(edited.digest) }, UpdateExpression: 'SET verdict = :pass', ExpressionAttributeValues: { ':pass': 'PASS' } }));
    expect(await refusal(edited)).toMatch(/disagrees with the item on verdict/);

    const noDocument = imageKey();
    await rawPut(noDocument, new Uint8Array());
    await options.client.send(new UpdateCommand({ TableName: options.tableName, Key: { pk: imagePk(noDocument), sk: verdictSk(noDocument.digest) }, UpdateExpression: 'REMOVE document' }));
    expect(await refusal(noDocument)).toMatch(/is malformed: document/);
  });

  it('refuses to write a document past the size guard, or one it could not read back, and writes nothing', async () => {
    const key = imageKey();
    // Random text barely compresses: a reason this long packs past the guard.
    const huge = make.verdict(1, 0, { reason: randomBytes(Math.floor(MAX_VERDICT_DOCUMENT_BYTES * 1.2)).toString('base64') });
    const error = await store.put(key, { verdict: huge }, undefined).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(CustomsError);
    expect(error).toMatchObject({ code: 'limit' });
    expect((error as Error).message).toContain(key.digest);
    expect((error as Error).message).toContain(String(MAX_VERDICT_DOCUMENT_BYTES));
    expect(await rawItem(key)).toBeUndefined();

    // Just under the guard is written and read back whole.
    const fits = make.verdict(1, 0, { reason: randomBytes(Math.floor(MAX_VERDICT_DOCUMENT_BYTES * 0.85)).toString('base64') });
    expect(packVerdict(key, { verdict: fits }, 1).documentBytes).toBeGreaterThan(MAX_VERDICT_DOCUMENT_BYTES * 0.8);
    expect(packVerdict(key, { verdict: fits }, 1).documentBytes).toBeLessThanOrEqual(MAX_VERDICT_DOCUMENT_BYTES);
    expect(await store.put(key, { verdict: fits }, undefined)).toBe(true);
    expect((await store.get(key))?.verdict.reason).toBe(fits.reason);

    const bad = imageKey();
    const unreadable = make.verdict(1, 0, { evaluatedAt: new Date(Number.NaN) });
    await expect(store.put(bad, { verdict: unreadable }, undefined)).rejects.toMatchObject({ code: 'malformed', message: expect.stringContaining('verdict.evaluatedAt') });
    expect(await rawItem(bad)).toBeUndefined();
  });

  it('packs a capped verdict with its pending alert and 100 finding events into a few write units', async () => {
    const key = imageKey('team/measured');
    const verdict = make.verdict(100, 100);
    const write: VerdictWrite = { verdict, announced: { verdict: 'PASS', failingIds: [], policyVersion: verdict.policyVersion, at: t(0) }, pending: make.pending(key, verdict, 100) };
    expect(write.pending?.events.filter((event) => event.detailType === 'Customs Finding')).toHaveLength(100);
    const packed = packVerdict(key, write, 1);

    const consumed: number[] = [];
    const client = localDynamoDbClient();
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'PutItemCommand') return next(args);
        const result = await next({ ...args, input: { ...(args.input as object), ReturnConsumedCapacity: 'TOTAL' } });
        consumed.push((result.output as { ConsumedCapacity?: { CapacityUnits?: number } }).ConsumedCapacity?.CapacityUnits ?? Number.NaN);
        return result;
      },
      { step: 'initialize', name: 'customsTestConsumedCapacity' },
    );
    const measuring = new DynamoDbVerdictStore({ ...options, client: findingsDocumentClient(client) });
    expect(await measuring.put(key, write, undefined)).toBe(true);
    expect(await store.get(key)).toEqual({ key, ...write, revision: 1 });

    // The same content as native attributes (what an unpacked item would cost), on another key.
    const { document: _document, ...plain } = packed.item;
    await findingsDocumentClient(client).send(new PutCommand({ TableName: options.tableName, Item: { ...plain, sk: `${verdictSk(key.digest)}#UNPACKED`, unpacked: JSON.parse(JSON.stringify(write)) as unknown } }));
    const [packedUnits, unpackedUnits] = consumed as [number, number];
    const plainBytes = Buffer.byteLength(JSON.stringify(plain));
    console.log(
      `verdict with 100 failing + 100 suppressions + pending alert with 100 finding events: JSON ${packed.jsonBytes} B, gzipped document ${packed.documentBytes} B (+ ~${plainBytes} B of plain attributes): ${packedUnits} WRU per put; unpacked as native attributes: ${unpackedUnits} WRU`,
    );
    // DynamoDB Local counts units by item size: the document's, plus under a kilobyte of plain attributes.
    expect(packedUnits).toBeGreaterThanOrEqual(Math.ceil(packed.documentBytes / 1024));
    expect(packedUnits).toBeLessThanOrEqual(Math.ceil(packed.documentBytes / 1024) + 1);
    expect(packedUnits * 5).toBeLessThan(unpackedUnits);
    expect(packed.documentBytes * 5).toBeLessThan(packed.jsonBytes);
  });
});
