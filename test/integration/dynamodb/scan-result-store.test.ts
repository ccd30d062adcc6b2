import { DeleteItemCommand, PutItemCommand, QueryCommand, type AttributeValue, type BatchWriteItemCommandInput, type DynamoDBClient, type PutItemCommandInput } from '@aws-sdk/client-dynamodb';
import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { findingsDocumentClient } from '../../../lambdas/adapters/dynamodb/document-client.ts';
import { DynamoDbScanResultStore } from '../../../lambdas/adapters/dynamodb/dynamodb-scan-result-store.ts';
import { FINDINGS_TABLE } from '../../../lambdas/adapters/dynamodb/table-schema.ts';
import { parseDigest, type Digest } from '../../../lambdas/core/digest.ts';
import type { PackageRef, RawFinding, ScanRecord } from '../../../lambdas/core/pipeline/model.ts';
import { packageRefs } from '../../../lambdas/core/pipeline/package-refs.ts';
import { toRawFinding } from '../../../lambdas/core/pipeline/raw-findings.ts';
import { itemSize } from '../../../scripts/bench/pipeline/item-size.ts';
import { createLocalTable, localDynamoDbClient } from '../../support/dynamodb-tables.ts';
import { sampleFinding, samplePackage } from '../../support/sample-findings.ts';
import { benchNpmSbom } from './big-npm-sbom.ts';

const randomDigest = (): Digest => parseDigest(`sha256:${randomBytes(32).toString('hex')}`);
const ids = (findings: readonly { id: string }[]): string[] => findings.map((one) => one.id).sort();
const writeUnits = (item: Record<string, AttributeValue>): number => Math.max(1, Math.ceil(itemSize(item) / 1024));

function record(digest: Digest, findings: readonly RawFinding[], at: Date, waiting: readonly string[] = []): ScanRecord {
  return {
    digest,
    scannerVersion: 'v',
    status: waiting.length > 0 ? 'ADVISORIES_UNAVAILABLE' : 'SCANNED',
    layers: [],
    packageCount: findings.length,
    findingCount: findings.length,
    severityCounts: {},
    advisories: [],
    ...(waiting.length > 0 ? { unavailableEcosystems: [...waiting] } : {}),
    startedAt: at,
    finishedAt: at,
  };
}

function finding(id: string, name = 'libxml2'): RawFinding {
  return toRawFinding(sampleFinding({ id, aliases: [`DEBIAN-${id}`], package: samplePackage({ name }) }));
}

/** Shaped like the reference image's: ~3 per Debian source package, the CVE as alias, one record each. */
function debianFindings(count: number, sources: number): RawFinding[] {
  return Array.from({ length: count }, (_, index) => {
    const name = `libsource${index % sources}`;
    const cve = `CVE-2024-${String(10_000 + index)}`;
    const version = `1.${index % sources}.${index % 7}-1+deb12u1`;
    const pkg = samplePackage({ name, version, source: { name, version } });
    return toRawFinding(sampleFinding({ id: `DEBIAN-${cve}`, aliases: [cve], package: pkg, advisories: [{ id: `DEBIAN-${cve}`, ecosystem: 'Debian:12', name, fixedVersions: [], modified: '2025-01-01T00:00:00Z' }] }));
  });
}

interface Meter {
  calls: number;
  /** The write call that put the result item (the commit). */
  commitCall?: number;
  writeUnits: number;
  puts: Record<string, AttributeValue>[];
}

/**
 * A client that meters the writes it sends (write units from each put's size; a delete counts one)
 * and, given `crashAt`, dies at that write call (BatchWriteItem or PutItem) instead of sending it.
 */
function meteredClient(meter: Meter, crashAt?: number): DynamoDBClient {
  const client = localDynamoDbClient();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const write = context.commandName === 'BatchWriteItemCommand' || context.commandName === 'PutItemCommand';
      if (!write) return next(args);
      if (++meter.calls === crashAt) throw new Error(`crash at write call ${crashAt}`);
      if (context.commandName === 'PutItemCommand') {
        const { Item } = args.input as PutItemCommandInput;
        meter.puts.push(Item!);
        meter.writeUnits += writeUnits(Item!);
        if (Item!.sk?.S === 'RESULT') meter.commitCall = meter.calls;
      } else {
        for (const request of Object.values((args.input as BatchWriteItemCommandInput).RequestItems ?? {}).flat()) {
          if (request.PutRequest) meter.puts.push(request.PutRequest.Item!);
          meter.writeUnits += request.PutRequest ? writeUnits(request.PutRequest.Item!) : 1;
        }
      }
      return next(args);
    },
    { step: 'build', name: 'customsTestMeter' },
  );
  return client;
}

const newMeter = (): Meter => ({ calls: 0, writeUnits: 0, puts: [] });

/** The result store's commit protocol: packed findings, diffs against the last committed scan, crash at any step. */
describe('DynamoDB scan result store', () => {
  const base = localDynamoDbClient();
  let tableName: string;
  let store: DynamoDbScanResultStore;
  const storeOn = (client: DynamoDBClient) => new DynamoDbScanResultStore({ client: findingsDocumentClient(client), tableName });
  const t1 = new Date('2026-12-01T10:00:00Z');
  const t2 = new Date('2026-12-02T10:00:00Z');
  const t3 = new Date('2026-12-03T10:00:00Z');

  beforeAll(async () => {
    tableName = await createLocalTable(base, FINDINGS_TABLE, 'scan-results');
    store = storeOn(base);
  });

  const partition = async (digest: Digest): Promise<Record<string, AttributeValue>[]> =>
    (await base.send(new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: `SCAN#${digest}` } }, ConsistentRead: true }))).Items ?? [];
  const sortKeys = async (digest: Digest): Promise<string[]> => (await partition(digest)).map((item) => item.sk!.S!).sort();
  const resultOf = async (digest: Digest) => (await partition(digest)).find((item) => item.sk!.S === 'RESULT')!;

  it('reports added and removed findings against the last committed scan, even after a crash mid-save', async () => {
    const digest = randomDigest();
    const [a, b, c] = [finding('CVE-2024-0001'), finding('CVE-2024-0002'), finding('CVE-2024-0003')];
    expect(await store.save(record(digest, [a!, b!], t1), [a!, b!], [{ ecosystem: 'Debian:12', name: 'libxml2' }])).toEqual({ added: [a!.key, b!.key].sort(), removed: [] });

    // A rescan that dies at its commit (the result item): its chunks are written, not committed.
    const meter = newMeter();
    const plain = storeOn(meteredClient(meter));
    await plain.save(record(randomDigest(), [b!, c!], t2), [b!, c!], []);
    await expect(storeOn(meteredClient(newMeter(), meter.commitCall)).save(record(digest, [b!, c!], t2), [b!, c!], [])).rejects.toThrow('crash');
    // Readers still see the committed scan: A and B, not the uncommitted C.
    expect(ids(await store.findings(digest))).toEqual([a!.id, b!.id]);
    expect((await store.get(digest))?.finishedAt).toEqual(t1);

    // The retry commits, and reports the change relative to the first scan, not to the crashed one.
    expect(await store.save(record(digest, [b!, c!], t3), [b!, c!], [])).toEqual({ added: [c!.key], removed: [a!.key] });
    const stored = await store.findings(digest);
    expect(ids(stored)).toEqual([b!.id, c!.id]);
    expect(stored.find((one) => one.id === b!.id)).toMatchObject({ firstSeen: t1, lastSeen: t3 });
    expect(stored.find((one) => one.id === c!.id)).toMatchObject({ firstSeen: t3, lastSeen: t3 });
    // The crashed save's chunks went with the commit: one token's chunks are left, the committed one's.
    const result = await resultOf(digest);
    const chunks = (await sortKeys(digest)).filter((sk) => sk.startsWith('FINDINGS#'));
    expect(chunks).toEqual([`FINDINGS#${result.scanToken!.S}#000`]);
    expect(await store.digestsWithPackage('Debian:12', 'libxml2')).toEqual([]);
  });

  it('after a crash at any write of a save, readers see one committed scan and the rerun converges', { timeout: 60_000 }, async () => {
    const [a, b, c] = [finding('CVE-2025-0001', 'libxml2'), finding('CVE-2025-0002', 'openssl'), finding('CVE-2025-0003', 'zlib')];
    const ref = (name: string): PackageRef => ({ ecosystem: 'Debian:12', name });
    const first = { findings: [a!, b!], packages: [ref('libxml2'), ref('openssl')], waiting: ['Go'] };
    const second = { findings: [b!, c!], packages: [ref('openssl'), ref('zlib')], waiting: ['npm'] };
    const save = (target: DynamoDbScanResultStore, digest: Digest, scan: typeof first, at: Date) => target.save(record(digest, scan.findings, at, scan.waiting), scan.findings, scan.packages);

    // How many write calls a clean rescan makes: crash at each of them.
    const clean = randomDigest();
    await save(store, clean, first, t1);
    const counted = newMeter();
    await save(storeOn(meteredClient(counted)), clean, second, t2);
    const expectedKeys = (await sortKeys(clean)).map((sk) => sk.replace(/^FINDINGS#[^#]+#/, 'FINDINGS#<token>#'));
    expect(counted.calls).toBeGreaterThanOrEqual(5);

    for (let crashAt = 1; crashAt <= counted.calls; crashAt++) {
      const digest = randomDigest();
      const context = `crash at write call ${crashAt}`;
      await save(store, digest, first, t1);
      await expect(save(storeOn(meteredClient(newMeter(), crashAt)), digest, second, t2), context).rejects.toThrow('crash');
      // Either the first scan or the second, whole: findings match the result that names them.
      const seen = await store.get(digest);
      const committedSecond = seen?.finishedAt.getTime() === t2.getTime();
      expect(ids(await store.findings(digest)), context).toEqual(ids(committedSecond ? second.findings : first.findings));

      const changes = await save(store, digest, second, t3);
      expect(changes, context).toEqual(committedSecond ? { added: [], removed: [] } : { added: [c!.key], removed: [a!.key] });
      const stored = await store.findings(digest);
      expect(ids(stored), context).toEqual(ids(second.findings));
      expect(stored.find((one) => one.id === b!.id)?.firstSeen, context).toEqual(t1);
      expect(stored.find((one) => one.id === c!.id)?.firstSeen, context).toEqual(committedSecond ? t2 : t3);
      // Nothing the crashed save wrote is left: the same items as a clean rescan, the same index entries.
      expect((await sortKeys(digest)).map((sk) => sk.replace(/^FINDINGS#[^#]+#/, 'FINDINGS#<token>#')), context).toEqual(expectedKeys);
      for (const [name, has] of [['libxml2', false], ['openssl', true], ['zlib', true]] as const) expect((await store.digestsWithPackage('Debian:12', name)).includes(digest), `${context}: ${name}`).toBe(has);
      expect(await store.digestsWaitingFor('Go'), context).not.toContain(digest);
      expect(await store.digestsWaitingFor('npm'), context).toContain(digest);
    }
  });

  it('packs 990 findings into a few write units, measured from the items written, and reads them back', async () => {
    const digest = randomDigest();
    const findings = debianFindings(990, 300);
    const packages = [...new Set(findings.map((one) => one.package.name))].map((name): PackageRef => ({ ecosystem: 'Debian:12', name }));
    const meter = newMeter();
    await storeOn(meteredClient(meter)).save(record(digest, findings, t1), findings, packages);

    const chunks = meter.puts.filter((item) => item.sk!.S!.startsWith('FINDINGS#'));
    const gzipped = chunks.reduce((sum, item) => sum + item.data!.B!.byteLength, 0);
    const json = gunzipSync(Buffer.concat(chunks.map((item) => item.data!.B!))).byteLength;
    const findingUnits = chunks.reduce((sum, item) => sum + writeUnits(item), 0);
    const byKind = (prefix: string) => meter.puts.filter((item) => (item.pk!.S!.startsWith(prefix) ? true : item.sk!.S!.startsWith(prefix)));
    console.log(
      `990 findings: ${json} bytes of JSON, ${gzipped} gzipped in ${chunks.length} chunk item(s) of ${chunks.map(itemSize).join(', ')} bytes = ${findingUnits} WRU;` +
        ` the save: ${meter.writeUnits} WRU in all (${byKind('PKG#').length} package index entries, result ${itemSize(meter.puts.find((item) => item.sk!.S === 'RESULT')!)} bytes)`,
    );
    // Write units grow with the packed bytes, not the finding count: a finding costs a small fraction of one.
    expect(findingUnits).toBe(chunks.reduce((sum, item) => sum + Math.ceil(itemSize(item) / 1024), 0));
    expect(findingUnits).toBeLessThan(findings.length / 10);
    expect(findingUnits * 1024).toBeLessThan(json / 5);
    // Besides the chunks: one entry per package name, the package set and the result.
    expect(meter.writeUnits - findingUnits).toBeLessThanOrEqual(packages.length + 4);
    for (const item of meter.puts) expect(itemSize(item)).toBeLessThan(350 * 1024);

    const stored = await store.findings(digest);
    expect(stored.map(({ firstSeen: _first, lastSeen: _last, ...raw }) => raw)).toEqual(findings);
    expect(stored.every((one) => one.firstSeen.getTime() === t1.getTime() && one.lastSeen.getTime() === t1.getTime())).toBe(true);
  });

  it('stores the bench’s 20,500-package npm image’s findings and package index, and reads both back whole', { timeout: 120_000 }, async () => {
    const digest = randomDigest();
    const sbom = benchNpmSbom();
    const refs = packageRefs(sbom);
    expect(refs.length).toBeGreaterThan(10_000);
    // One finding per installed package: far past one chunk, so the document is split and joined.
    const findings = sbom.packages.map((pkg, index) => toRawFinding(sampleFinding({ id: `GHSA-${String(index).padStart(5, '0')}-test-test`, aliases: [`CVE-2025-${10_000 + index}`], package: pkg, advisories: [] })));
    await store.save(record(digest, findings, t1), findings, refs);
    const items = await partition(digest);
    const chunks = items.filter((item) => item.sk!.S!.startsWith('FINDINGS#'));
    const sets = items.filter((item) => item.sk!.S!.startsWith('PKGSET#'));
    console.log(`${findings.length} findings: ${chunks.length} chunk(s) of ${chunks.map(itemSize).join(', ')} bytes; ${refs.length} distinct npm names: package set of ${sets.length} item(s), ${sets.map(itemSize).join(', ')} bytes`);
    expect(chunks.length).toBeGreaterThan(1);
    for (const item of items) expect(itemSize(item)).toBeLessThan(350 * 1024 + 1024);
    const stored = await store.findings(digest);
    expect(stored.map(({ firstSeen: _first, lastSeen: _last, ...raw }) => raw)).toEqual(findings);

    const [firstRef, lastRef] = [refs[0]!, refs.at(-1)!];
    expect(await store.digestsWithPackage(firstRef.ecosystem, firstRef.name)).toEqual([digest]);
    const rest = findings.slice(1);
    expect(await store.save(record(digest, rest, t2), rest, refs.slice(1))).toEqual({ added: [], removed: [findings[0]!.key] });
    expect(await store.digestsWithPackage(firstRef.ecosystem, firstRef.name)).toEqual([]);
    expect(await store.digestsWithPackage(lastRef.ecosystem, lastRef.name)).toEqual([digest]);
    expect(await store.findings(digest)).toHaveLength(rest.length);
  });

  it('finds a package by the name as its ecosystem compares names, and Red Hat by release', async () => {
    const digest = randomDigest();
    await store.save(record(digest, [], t1), [], [
      { ecosystem: 'PyPI', name: 'Jinja_2' },
      { ecosystem: 'Red Hat:9', name: 'openssl' },
    ]);
    expect(await store.digestsWithPackage('PyPI', 'jinja-2')).toEqual([digest]);
    expect(await store.digestsWithPackage('Red Hat:enterprise_linux:9::baseos', 'openssl')).toEqual([digest]);
    expect(await store.digestsWithPackage('Red Hat:8', 'openssl')).toEqual([]);
  });

  it('fails naming the digest when a chunk is altered or missing, for readers and for the next save', async () => {
    const digest = randomDigest();
    const findings = debianFindings(40, 10);
    await store.save(record(digest, findings, t1), findings, []);
    const chunk = (await partition(digest)).find((item) => item.sk!.S!.startsWith('FINDINGS#'))!;
    const altered = Uint8Array.from(chunk.data!.B!);
    altered[altered.length - 10]! ^= 0xff;
    await base.send(new PutItemCommand({ TableName: tableName, Item: { ...chunk, data: { B: altered } } }));
    await expect(store.findings(digest)).rejects.toThrow(`findings of ${digest}`);
    await expect(store.findings(digest)).rejects.toThrow(/do not match the sha256/);
    // A save would lose first seen and report every finding as new: it refuses too (and is retried).
    await expect(store.save(record(digest, findings, t2), findings, [])).rejects.toThrow(`findings of ${digest}`);

    // A result naming a chunk that is not there is no empty list either.
    const other = randomDigest();
    await store.save(record(other, findings, t1), findings, []);
    const missing = (await partition(other)).find((item) => item.sk!.S!.startsWith('FINDINGS#'))!;
    await base.send(new DeleteItemCommand({ TableName: tableName, Key: { pk: missing.pk!, sk: missing.sk! } }));
    await expect(store.findings(other)).rejects.toThrow(new RegExp(`findings of ${other}.* miss chunk 0 of 1`));
  });

  it('refuses an item that does not match its schema rather than trusting it', async () => {
    const digest = randomDigest();
    await store.save(record(digest, [], t1), [], []);
    await base.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: `SCAN#${digest}` }, sk: { S: 'RESULT' }, status: { S: 'CLEAN' } } }));
    await expect(store.get(digest)).rejects.toThrow();
  });

  it('refuses to commit over a result another save committed meanwhile', async () => {
    const digest = randomDigest();
    const [a, b] = [finding('CVE-2026-0001'), finding('CVE-2026-0002')];
    await store.save(record(digest, [a!], t1), [a!], []);
    // Just before this save's commit, another save of the digest commits.
    const client = localDynamoDbClient();
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'PutItemCommand' && (args.input as PutItemCommandInput).Item?.sk?.S === 'RESULT') await store.save(record(digest, [a!, b!], t3), [a!, b!], []);
        return next(args);
      },
      { step: 'build', name: 'customsTestInterleave' },
    );
    await expect(storeOn(client).save(record(digest, [b!], t2), [b!], [])).rejects.toThrow(`scan result of ${digest} changed during the save`);
    expect((await store.get(digest))?.finishedAt).toEqual(t3);
    expect(ids(await store.findings(digest))).toEqual([a!.id, b!.id]);
  });
});
