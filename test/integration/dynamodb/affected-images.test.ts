import { DeleteItemCommand, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SourcedRecord } from '../../../lambdas/adapters/dynamodb/advisory-collecting-store.ts';
import { DynamoDbAdvisoryIdIndex } from '../../../lambdas/adapters/dynamodb/advisory-id-index.ts';
import { loadAdvisoryTable } from '../../../lambdas/adapters/dynamodb/advisory-loader.ts';
import { DynamoDbAdvisoryLookup } from '../../../lambdas/adapters/dynamodb/advisory-lookup.ts';
import { findingsDocumentClient } from '../../../lambdas/adapters/dynamodb/document-client.ts';
import { DynamoDbScanResultStore } from '../../../lambdas/adapters/dynamodb/dynamodb-scan-result-store.ts';
import { ADVISORY_TABLE, FINDINGS_TABLE } from '../../../lambdas/adapters/dynamodb/table-schema.ts';
import type { OsvRecord } from '../../../lambdas/core/advisories/osv-schema.ts';
import { parseDigest, type Digest } from '../../../lambdas/core/digest.ts';
import type { Finding } from '../../../lambdas/core/findings/model.ts';
import type { ScanRecord } from '../../../lambdas/core/pipeline/model.ts';
import { packageRefs } from '../../../lambdas/core/pipeline/package-refs.ts';
import { toRawFinding } from '../../../lambdas/core/pipeline/raw-findings.ts';
import type { Distro, ImageSbom, Package, PackageType } from '../../../lambdas/core/sbom/model.ts';
import { assessVulnerabilities } from '../../../lambdas/core/use-cases/assess-vulnerabilities.ts';
import { findAffectedImages } from '../../../lambdas/core/use-cases/find-affected-images.ts';
import { createLocalTable, localDynamoDbClient } from '../../support/dynamodb-tables.ts';
import { sharedFixtures } from '../../support/paths.ts';
import { sampleImageSbom, samplePackage } from '../../support/sample-findings.ts';
import { collect, tableState } from './advisory-support.ts';

/**
 * "Which images are affected by this ID or alias", on DynamoDB Local: the fixture advisories loaded
 * by the real loader, images matched through the table lookup and saved as the scanner saves them,
 * then answered through the ALIAS# items and the package index. The oracle is each image's report:
 * the findings whose ID or aliases name the query.
 */
const client = localDynamoDbClient();
const now = new Date('2026-12-01T00:00:00Z');
let advisoryTable: string;
let fixtures: readonly SourcedRecord[];
let results: DynamoDbScanResultStore;
const reports = new Map<Digest, readonly Finding[]>();

function pkg(type: PackageType, name: string, version: string, source?: string): Package {
  const purl = `pkg:${type}/${encodeURIComponent(name)}@${encodeURIComponent(version)}`;
  const { source: _sample, ...base } = samplePackage({ id: `${purl}#${name}`, type, name, version, purl });
  return source ? { ...base, source: { name: source, version } } : base;
}
const distro = (id: string, versionId: string): Distro => ({ id, versionId, source: '/etc/os-release' });
const image = (packages: Package[], os: Distro): ImageSbom => sampleImageSbom(packages, { distro: os });

const images: Record<string, ImageSbom> = {
  // Below every fix: each record of these packages matches.
  'old Debian 9 with an npm app': image([pkg('deb', 'openssl', '0.1-1', 'openssl'), pkg('deb', 'libxml2-utils', '0.1-1', 'libxml2'), pkg('npm', 'lodash', '4.17.15'), pkg('pypi', 'Jinja2', '2.0')], distro('debian', '9')),
  // Indexed under lodash and openssl too, but past their fixes: candidates with no finding.
  'patched Debian 9': image([pkg('deb', 'openssl', '99:9-1', 'openssl'), pkg('npm', 'lodash', '99.0.0')], distro('debian', '9')),
  'Alpine 3.20': image([pkg('apk', 'musl', '1.2.0-r0', 'musl')], distro('alpine', '3.20.3')),
};

function record(digest: Digest, findings: number): ScanRecord {
  return { digest, scannerVersion: 'v', status: 'SCANNED', layers: [], packageCount: 0, findingCount: findings, severityCounts: {}, advisories: [], startedAt: now, finishedAt: now };
}

beforeAll(async () => {
  advisoryTable = await createLocalTable(client, ADVISORY_TABLE, 'affected-advisories');
  fixtures = (await collect(sharedFixtures('osv'))).records;
  await loadAdvisoryTable(client, advisoryTable, fixtures, { source: 'fixtures' });
  results = new DynamoDbScanResultStore({ client: findingsDocumentClient(client), tableName: await createLocalTable(client, FINDINGS_TABLE, 'affected-images') });
  const lookup = new DynamoDbAdvisoryLookup(client, advisoryTable);
  for (const sbom of Object.values(images)) {
    const digest = parseDigest(`sha256:${randomBytes(32).toString('hex')}`);
    const report = await assessVulnerabilities({ reference: sbom.reference, images: [sbom] }, lookup, { policy: { now }, advisories: { sources: [], loaded: 0, withdrawn: 0, malformed: 0 } });
    const findings = report.images[0]!.findings;
    reports.set(digest, findings);
    await results.save(record(digest, findings.length), findings.map(toRawFinding), packageRefs(sbom));
  }
}, 60_000);

/** The digests, and finding keys, each image's own report has for the ID (or cites it as a record). */
function expected(idOrAlias: string): { digest: Digest; keys: string[] }[] {
  return [...reports]
    .map(([digest, findings]) => ({ digest, keys: findings.filter((finding) => finding.id === idOrAlias || finding.aliases.includes(idOrAlias) || finding.advisories.some((advisory) => advisory.id === idOrAlias)).map((finding) => toRawFinding(finding).key).sort() }))
    .filter((entry) => entry.keys.length > 0)
    .sort((a, b) => (a.digest < b.digest ? -1 : 1));
}

describe('find-affected-images on DynamoDB Local', () => {
  const find = (idOrAlias: string) => findAffectedImages(idOrAlias, { advisories: new DynamoDbAdvisoryIdIndex(client, advisoryTable), results });
  const answered = async (idOrAlias: string) => (await find(idOrAlias)).images.map((entry) => ({ digest: entry.digest, keys: entry.findings.map((finding) => finding.key).sort() }));

  it.each([
    ['an npm advisory by its GHSA ID', 'GHSA-29mw-wpgm-hmr9'],
    ['the same by its CVE alias', 'CVE-2020-28500'],
    ['a Debian advisory by its DLA ID', 'DLA-3008-1'],
    ['the CVE a DLA names as upstream', 'CVE-2022-1292'],
    ['a DEBIAN-CVE alias', 'DEBIAN-CVE-2022-29824'],
    ['an Alpine CVE (upstream of ALPINE-CVE-…)', 'CVE-2025-26519'],
    ['a PyPI GHSA naming `jinja2`, installed as `Jinja2`', 'GHSA-h5c8-rqwp-cp95'],
  ])('%s: exactly the images whose reports have it', async (_name, idOrAlias) => {
    const want = expected(idOrAlias);
    expect(want.length, 'the oracle finds the ID somewhere').toBeGreaterThan(0);
    expect(await answered(idOrAlias)).toEqual(want);
  });

  it('reads the patched image as a candidate but leaves it out', async () => {
    const answer = await find('CVE-2020-28500');
    expect(answer.records).toEqual(['GHSA-29mw-wpgm-hmr9']);
    expect(answer.images).toHaveLength(1);
    expect(await results.digestsWithPackage('npm', 'lodash')).toHaveLength(2);
  });

  it('answers nothing for an ID no advisory names, and for an advisory no image has', async () => {
    expect(await find('CVE-1999-0001')).toEqual({ records: [], images: [] });
    const minimist = await find('GHSA-vh95-rmgr-6w4m');
    expect(minimist).toEqual({ records: ['GHSA-vh95-rmgr-6w4m'], images: [] });
  });
});

describe('DynamoDbAdvisoryIdIndex', () => {
  const index = () => new DynamoDbAdvisoryIdIndex(client, advisoryTable);
  const ids = async (idOrAlias: string) => (await index().recordsFor(idOrAlias)).map((one) => one.id);

  it('resolves an id to its record and an alias to every record naming it, whole', async () => {
    expect(await ids('CVE-2023-32681')).toEqual(['GHSA-j8r2-6x86-q33q', 'PYSEC-2023-74']);
    expect(await ids('GHSA-j8r2-6x86-q33q')).toEqual(['GHSA-j8r2-6x86-q33q', 'PYSEC-2023-74']);
    const [go] = await index().recordsFor('GO-2023-2102');
    expect(go).toEqual(fixtures.find((entry) => entry.record.id === 'GO-2023-2102')!.record);
  });

  it('drops an alias a changed record no longer names, and keeps the rest resolving', async () => {
    const table = await createLocalTable(client, ADVISORY_TABLE, 'alias-drop');
    await loadAdvisoryTable(client, table, fixtures, { source: 'fixtures' });
    const original = fixtures.find((entry) => entry.record.id === 'GO-2022-0493')!;
    expect(original.record.aliases).toContain('CVE-2022-29526');
    const changed: OsvRecord = { ...original.record, modified: '2030-01-01T00:00:00Z', aliases: original.record.aliases!.filter((alias) => alias !== 'CVE-2022-29526') };
    const report = await loadAdvisoryTable(client, table, [{ record: changed, source: original.source }], { source: 'update' });
    expect(report).toMatchObject({ written: 1, deleted: 1 });
    const changedIndex = new DynamoDbAdvisoryIdIndex(client, table);
    expect(await changedIndex.recordsFor('CVE-2022-29526')).toEqual([]);
    expect((await changedIndex.recordsFor('GHSA-p782-xgp4-8hr8')).map((one) => one.modified)).toEqual(['2030-01-01T00:00:00Z']);
    expect((await tableState(client, table)).has('ALIAS#CVE-2022-29526 REC#GO-2022-0493')).toBe(false);
  });

  it('ignores an alias item its record no longer backs (a load that died between writes)', async () => {
    const table = await createLocalTable(client, ADVISORY_TABLE, 'alias-stale');
    await loadAdvisoryTable(client, table, fixtures, { source: 'fixtures' });
    await client.send(new UpdateItemCommand({ TableName: table, Key: { pk: { S: 'ALIAS#CVE-2099-0001' }, sk: { S: 'REC#GO-2022-0493' } }, UpdateExpression: 'REMOVE nothing' }));
    expect(await new DynamoDbAdvisoryIdIndex(client, table).recordsFor('CVE-2099-0001')).toEqual([]);
  });

  it('gives a record loaded before aliases were indexed its alias items on the next load', async () => {
    const table = await createLocalTable(client, ADVISORY_TABLE, 'alias-legacy');
    await loadAdvisoryTable(client, table, fixtures, { source: 'fixtures' });
    const head = { pk: { S: 'REC#GHSA-9c47-m6qq-7p4h' }, sk: { S: 'HEAD' } };
    await client.send(new UpdateItemCommand({ TableName: table, Key: head, UpdateExpression: 'REMOVE aliases' }));
    await client.send(new DeleteItemCommand({ TableName: table, Key: { pk: { S: 'ALIAS#CVE-2022-46175' }, sk: { S: 'REC#GHSA-9c47-m6qq-7p4h' } } }));
    expect(await new DynamoDbAdvisoryIdIndex(client, table).recordsFor('CVE-2022-46175')).toEqual([]);
    const report = await loadAdvisoryTable(client, table, fixtures, { source: 'fixtures' });
    expect(report).toMatchObject({ written: 1, unchanged: fixtures.length - 1 });
    expect((await new DynamoDbAdvisoryIdIndex(client, table).recordsFor('CVE-2022-46175')).map((one) => one.id)).toEqual(['GHSA-9c47-m6qq-7p4h']);
    expect((await client.send(new GetItemCommand({ TableName: table, Key: head }))).Item?.aliases?.L?.map((alias) => alias.S)).toEqual(['CVE-2022-46175']);
  });
});
