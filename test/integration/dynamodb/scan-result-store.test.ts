import { GetItemCommand, PutItemCommand, QueryCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { findingsDocumentClient } from '../../../lambdas/adapters/dynamodb/document-client.ts';
import { DynamoDbScanResultStore } from '../../../lambdas/adapters/dynamodb/dynamodb-scan-result-store.ts';
import { FINDINGS_TABLE } from '../../../lambdas/adapters/dynamodb/table-schema.ts';
import { parseDigest, type Digest } from '../../../lambdas/core/digest.ts';
import type { RawFinding, ScanRecord } from '../../../lambdas/core/pipeline/model.ts';
import { packageRefs } from '../../../lambdas/core/pipeline/package-refs.ts';
import { toRawFinding } from '../../../lambdas/core/pipeline/raw-findings.ts';
import { createLocalTable, localDynamoDbClient } from '../../support/dynamodb-tables.ts';
import { sampleFinding, samplePackage } from '../../support/sample-findings.ts';
import { benchNpmSbom } from './big-npm-sbom.ts';

const randomDigest = (): Digest => parseDigest(`sha256:${randomBytes(32).toString('hex')}`);

function record(digest: Digest, findings: readonly RawFinding[], at: Date): ScanRecord {
  return { digest, scannerVersion: 'v', status: 'SCANNED', layers: [], packageCount: findings.length, findingCount: findings.length, severityCounts: {}, advisories: [], startedAt: at, finishedAt: at };
}

function finding(id: string, name = 'libxml2'): RawFinding {
  return toRawFinding(sampleFinding({ id, aliases: [`DEBIAN-${id}`], package: samplePackage({ name }) }));
}

/**
 * DynamoDB item size as DynamoDB counts it (names plus values; numbers about one byte per two
 * digits; one byte per list or map element, three per container), to measure what a scan writes.
 */
function itemSize(item: Record<string, AttributeValue>): number {
  const value = (attribute: AttributeValue): number => {
    if (attribute.S !== undefined) return Buffer.byteLength(attribute.S);
    if (attribute.N !== undefined) return Math.ceil(attribute.N.length / 2) + 1;
    if (attribute.B !== undefined) return attribute.B.length;
    if (attribute.BOOL !== undefined || attribute.NULL !== undefined) return 1;
    if (attribute.SS) return attribute.SS.reduce((sum, text) => sum + Buffer.byteLength(text), 0);
    if (attribute.L) return 3 + attribute.L.reduce((sum, element) => sum + 1 + value(element), 0);
    if (attribute.M) return 3 + Object.entries(attribute.M).reduce((sum, [name, element]) => sum + 1 + Buffer.byteLength(name) + value(element), 0);
    return 0;
  };
  return Object.entries(item).reduce((sum, [name, attribute]) => sum + Buffer.byteLength(name) + value(attribute), 0);
}

/** The result store's commit protocol: diffs against the last committed scan, crash at any step. */
describe('DynamoDB scan result store', () => {
  const base = localDynamoDbClient();
  let tableName: string;
  let store: DynamoDbScanResultStore;
  const t1 = new Date('2026-12-01T10:00:00Z');
  const t2 = new Date('2026-12-02T10:00:00Z');
  const t3 = new Date('2026-12-03T10:00:00Z');

  beforeAll(async () => {
    tableName = await createLocalTable(base, FINDINGS_TABLE, 'scan-results');
    store = new DynamoDbScanResultStore({ client: findingsDocumentClient(base), tableName });
  });

  it('reports added and removed findings against the last committed scan, even after a crash mid-save', async () => {
    const digest = randomDigest();
    const [a, b, c] = [finding('CVE-2024-0001'), finding('CVE-2024-0002'), finding('CVE-2024-0003')];
    expect(await store.save(record(digest, [a!, b!], t1), [a!, b!], [{ ecosystem: 'Debian:12', name: 'libxml2' }])).toEqual({ added: [a!.key, b!.key].sort(), removed: [] });

    // A rescan whose commit (the result item) fails: findings were half rewritten.
    const crashing = new DynamoDbScanResultStore({ client: findingsDocumentClient(failingResultPut()), tableName });
    await expect(crashing.save(record(digest, [b!, c!], t2), [b!, c!], [])).rejects.toThrow('crash');
    // Readers still see the committed scan: A and B, not the uncommitted C.
    expect((await store.findings(digest)).map((stored) => stored.id).sort()).toEqual([a!.id, b!.id]);
    expect((await store.get(digest))?.finishedAt).toEqual(t1);

    // The retry commits, and reports the change relative to the first scan, not to the crashed one.
    expect(await store.save(record(digest, [b!, c!], t3), [b!, c!], [])).toEqual({ added: [c!.key], removed: [a!.key] });
    const stored = await store.findings(digest);
    expect(stored.map((one) => one.id).sort()).toEqual([b!.id, c!.id]);
    expect(stored.find((one) => one.id === b!.id)).toMatchObject({ firstSeen: t1, lastSeen: t3 });
    expect(stored.find((one) => one.id === c!.id)).toMatchObject({ firstSeen: t2, lastSeen: t3 });
    // Stale index entries went with the commit.
    expect(await store.digestsAffectedBy(a!.id)).toEqual([]);
    expect(await store.digestsAffectedBy(`DEBIAN-${c!.id}`)).toEqual([digest]);
    expect(await store.digestsWithPackage('Debian:12', 'libxml2')).toEqual([]);
  });

  it('keeps every item far below 400 KB, measured: one per finding, one per package name and vulnerability ID', async () => {
    const digest = randomDigest();
    const typical = finding('CVE-2024-1000');
    const heavy: RawFinding = { ...finding('CVE-2024-2000'), aliases: Array.from({ length: 300 }, (_, index) => `GHSA-${String(index).padStart(4, '0')}-aaaa-bbbb`), advisories: Array.from({ length: 100 }, (_, index) => ({ id: `DSA-${index}`, ecosystem: 'Debian:12', name: 'libxml2', fixedVersions: ['2.9.14+dfsg-1.3~deb12u1'], modified: '2025-01-01T00:00:00Z' })) };
    await store.save(record(digest, [typical, heavy], t1), [typical, heavy], [{ ecosystem: 'Debian:12', name: 'libxml2' }]);
    const { Items = [] } = await base.send(new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: `SCAN#${digest}` } } }));
    const sizes = Object.fromEntries(Items.map((item) => [item.sk!.S!, itemSize(item)]));
    const index = await base.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: 'VULN#CVE-2024-1000' }, sk: { S: `SCAN#${digest}` } } }));
    sizes['VULN#CVE-2024-1000 index entry'] = itemSize(index.Item!);
    console.log('item sizes (bytes):', JSON.stringify(sizes));
    const typicalSize = Object.entries(sizes).find(([sk]) => sk.startsWith('FINDING#CVE-2024-1000'))![1];
    expect(typicalSize).toBeLessThan(1024); // one write unit
    for (const size of Object.values(sizes)) expect(size).toBeLessThan(64 * 1024);
    const result = await base.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: `SCAN#${digest}` }, sk: { S: 'RESULT' } } }));
    expect(itemSize(result.Item!)).toBeLessThan(2048);
  });

  it('indexes the bench’s 20,500-package npm image and drops the entries a rescan no longer has', { timeout: 120_000 }, async () => {
    const digest = randomDigest();
    const refs = packageRefs(benchNpmSbom());
    expect(refs.length).toBeGreaterThan(10_000);
    await store.save(record(digest, [], t1), [], refs);
    const { Items = [] } = await base.send(new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :set)', ExpressionAttributeValues: { ':pk': { S: `SCAN#${digest}` }, ':set': { S: 'PKGSET#' } } }));
    console.log(`${refs.length} distinct npm names: package set of ${Items.length} item(s), ${Items.map(itemSize).join(', ')} bytes`);
    for (const item of Items) expect(itemSize(item)).toBeLessThan(400 * 1024);
    const [first, last] = [refs[0]!, refs.at(-1)!];
    expect(await store.digestsWithPackage(first.ecosystem, first.name)).toEqual([digest]);
    await store.save(record(digest, [], t2), [], refs.slice(1));
    expect(await store.digestsWithPackage(first.ecosystem, first.name)).toEqual([]);
    expect(await store.digestsWithPackage(last.ecosystem, last.name)).toEqual([digest]);
  });

  it('refuses an item that does not match its schema rather than trusting it', async () => {
    const digest = randomDigest();
    await store.save(record(digest, [], t1), [], []);
    await base.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: `SCAN#${digest}` }, sk: { S: 'RESULT' }, status: { S: 'CLEAN' } } }));
    await expect(store.get(digest)).rejects.toThrow();
  });

  function failingResultPut(): DynamoDBClient {
    const client = localDynamoDbClient();
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { Item?: { sk?: { S?: string } } };
        if (context.commandName === 'PutItemCommand' && input.Item?.sk?.S === 'RESULT') throw new Error('crash before the commit');
        return next(args);
      },
      { step: 'build', name: 'customsTestCrash' },
    );
    return client;
  }
});
