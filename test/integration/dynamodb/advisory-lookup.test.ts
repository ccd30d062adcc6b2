import { ProvisionedThroughputExceededException, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbAdvisoryFreshness } from '../../../lambdas/adapters/dynamodb/advisory-freshness.ts';
import { keyMarkerPk, packagePartition, recordChunkSk, recordPartitions } from '../../../lambdas/adapters/dynamodb/advisory-keys.ts';
import { DynamoDbAdvisoryLookup } from '../../../lambdas/adapters/dynamodb/advisory-lookup.ts';
import { ADVISORY_TABLE } from '../../../lambdas/adapters/dynamodb/table-schema.ts';
import { StoreLookup } from '../../../lambdas/core/advisories/store-lookup.ts';
import type { AdvisoryLookup, AdvisoryQuery } from '../../../lambdas/core/ports.ts';
import type { Distro, ImageSbom, Package, PackageType } from '../../../lambdas/core/sbom/model.ts';
import { assessVulnerabilities } from '../../../lambdas/core/use-cases/assess-vulnerabilities.ts';
import { debianRootfs } from '../../support/debian-rootfs.ts';
import { dpkgBinaries } from '../../support/debian-source-advisories.ts';
import { createLocalTable, localDynamoDbClient } from '../../support/dynamodb-tables.ts';
import { sharedFixtures } from '../../support/paths.ts';
import { sampleImageSbom, samplePackage } from '../../support/sample-findings.ts';
import { collect, loadWithCli, stubLocalCredentials } from './advisory-support.ts';

/**
 * The advisory table answers exactly as the in-memory store does: the fixture records loaded with
 * `customs advisories load`, then the same images matched through each lookup.
 */
const client = localDynamoDbClient();
let table: string;
let memory: StoreLookup;
/** Ecosystem keys the fixture records are stored under (`KEY#Debian:9`, …): only those partitions are read. */
let keysInUse: Set<string>;
const inUse = (partition: string): boolean => keysInUse.has(keyMarkerPk(partition));

function pkg(type: PackageType, name: string, version: string, source?: string): Package {
  const purl = `pkg:${type}/${encodeURIComponent(name)}@${encodeURIComponent(version)}`;
  const { source: _sample, ...base } = samplePackage({ id: `${purl}#${name}`, type, name, version, purl });
  return source ? { ...base, source: { name: source, version } } : base;
}

const distro = (id: string, versionId: string): Distro => ({ id, versionId, source: '/etc/os-release' });
function image(packages: Package[], os?: Distro): ImageSbom {
  const { distro: _sample, ...rest } = sampleImageSbom(packages);
  return os ? { ...rest, distro: os } : rest;
}

/** Below every fix in the fixtures, so each advisory of a named package matches. */
const images: Record<string, ImageSbom> = {
  'Debian 9: binaries named apart from their sources': image(
    ['libxml2', 'openssl', 'dpkg', 'tzdata', 'vlc'].flatMap((source) => [pkg('deb', source, '0.1-1', source), pkg('deb', `${source}-utils`, '0.1-1', source)]),
    distro('debian', '9'),
  ),
  'Debian 12: the same packages, whose records are Debian 9 only': image([pkg('deb', 'libxml2', '0.1-1', 'libxml2'), pkg('deb', 'openssl', '0.1-1', 'openssl')], distro('debian', '12')),
  'Alpine 3.20: musl by origin': image([pkg('apk', 'musl', '1.2.0-r0', 'musl'), pkg('apk', 'musl-utils', '1.2.0-r0', 'musl')], distro('alpine', '3.20.3')),
  'an application: npm, PyPI names as written, Go modules and stdlib': image([
    ...['lodash', 'lodash-es', 'lodash.trim', 'json5', 'semver', 'minimist', 'ansi-html', 'left-pad'].map((name) => pkg('npm', name, '0.0.1')),
    pkg('pypi', 'Requests', '2.0.0'),
    pkg('pypi', 'urllib3', '1.20'),
    pkg('pypi', 'Jinja_2', '2.0'),
    pkg('pypi', 'jinja2', '2.0'),
    pkg('golang', 'stdlib', 'v1.17.0'),
    pkg('golang', 'golang.org/x/net', 'v0.1.0'),
    pkg('golang', 'github.com/opencontainers/runc', 'v1.0.0'),
  ]),
};

beforeAll(async () => {
  stubLocalCredentials();
  table = await createLocalTable(client, ADVISORY_TABLE, 'advisories');
  const run = await loadWithCli(table, [sharedFixtures('osv')]);
  expect(run.code, run.stderr).toBe(0);
  const collected = await collect(sharedFixtures('osv'));
  memory = new StoreLookup(collected);
  keysInUse = new Set(collected.records.flatMap(({ record }) => (record.withdrawn === undefined ? recordPartitions(record).map(keyMarkerPk) : [])));
});

describe('DynamoDbAdvisoryLookup against the in-memory store, fixture records', () => {
  it.each(Object.entries(images))('%s: the same findings, warnings and advisories', async (_name, sbom) => {
    const assess = (lookup: AdvisoryLookup) => assessVulnerabilities({ reference: sbom.reference, images: [sbom] }, lookup, { policy: { now: new Date('2026-12-01T00:00:00Z') }, advisories: { sources: ['osv'], loaded: 0, withdrawn: 0, malformed: 0 } });
    const [fromTable, fromMemory] = await Promise.all([assess(new DynamoDbAdvisoryLookup(client, table)), assess(memory)]);
    expect(fromTable).toEqual(fromMemory);
  });

  it('finds something in every image but the Debian 12 one, so the comparison is not vacuous', async () => {
    const counts: Record<string, number> = {};
    for (const [name, sbom] of Object.entries(images)) {
      const report = await assessVulnerabilities({ reference: sbom.reference, images: [sbom] }, new DynamoDbAdvisoryLookup(client, table), { policy: { now: new Date() }, advisories: { sources: [], loaded: 0, withdrawn: 0, malformed: 0 } });
      counts[name] = report.images[0]!.findings.length;
    }
    expect(Object.values(counts).filter((count) => count > 0)).toHaveLength(3);
    expect(counts['Debian 12: the same packages, whose records are Debian 9 only']).toBe(0);
  });

  it('answers raw queries in order, with the same matches, normalizing names per ecosystem', async () => {
    const queries: AdvisoryQuery[] = [
      { ecosystem: 'PyPI', name: 'JINJA2' },
      { ecosystem: 'Debian:9', name: 'libxml2' },
      { ecosystem: 'Debian:11', name: 'libxml2' },
      { ecosystem: 'npm', name: 'lodash' },
      { ecosystem: 'npm', name: 'Lodash' },
      { ecosystem: 'Alpine:v3.20', name: 'musl' },
      { ecosystem: 'Go', name: 'stdlib' },
      { ecosystem: 'PyPI', name: 'urllib3' },
      { ecosystem: 'npm', name: 'no-such-package' },
      { ecosystem: 'npm', name: 'lodash' },
    ];
    const [fromTable, fromMemory] = await Promise.all([new DynamoDbAdvisoryLookup(client, table).lookup(queries), memory.lookup(queries)]);
    const byId = (answers: typeof fromTable) => answers.map((matches) => [...matches].sort((a, b) => (a.record.id < b.record.id ? -1 : 1)));
    expect(byId(fromTable)).toEqual(byId(fromMemory));
    expect(fromTable.map((matches) => matches.length)).toEqual([2, 1, 0, 4, 0, 1, 2, 3, 0, 4]);
  });

  it('reads each package partition once per call, of the release and the base ecosystem, skipping keys no record uses', async () => {
    const partitions: string[] = [];
    const lookup = new DynamoDbAdvisoryLookup(client, table, { onQuery: ({ partition }) => partitions.push(partition) });
    await lookup.lookup([
      { ecosystem: 'Debian:9', name: 'libxml2' },
      { ecosystem: 'Debian:9', name: 'libxml2' },
      { ecosystem: 'Debian:9', name: 'openssl' },
      { ecosystem: 'npm', name: 'lodash' },
    ]);
    const named = ['PKG#Debian#libxml2', 'PKG#Debian#openssl', 'PKG#Debian:9#libxml2', 'PKG#Debian:9#openssl', 'PKG#npm#lodash'];
    expect(partitions.sort()).toEqual(named.filter(inUse));
    // Not vacuous: the fixtures use some of these keys and not others.
    expect(named.filter(inUse).length).toBeGreaterThan(0);
    expect(named.filter(inUse).length).toBeLessThan(named.length);
  });
});

describe('requests for a real package list', () => {
  // The fixtures hold no Debian 12 (or bare Debian) records, so the markers leave nothing to read;
  // without them this would be two Queries per source.
  it('a debootstrap bookworm (minbase): one Query per source package and ecosystem level in use, none repeated', async () => {
    const binaries = dpkgBinaries(debianRootfs());
    const sources = new Set(binaries.map((binary) => binary.source));
    const sbom = image(binaries.map((binary) => pkg('deb', binary.name, binary.version, binary.source)), distro('debian', '12'));
    let queries = 0;
    const lookup = new DynamoDbAdvisoryLookup(client, table, { onQuery: () => queries++ });
    await assessVulnerabilities({ reference: sbom.reference, images: [sbom] }, lookup, { policy: { now: new Date() }, advisories: { sources: [], loaded: 0, withdrawn: 0, malformed: 0 } });
    const levels = ['PKG#Debian:12#x', 'PKG#Debian#x'].filter(inUse).length;
    expect(queries).toBe(levels * sources.size);
  }, 600_000);
});

describe('a throttled Query', () => {
  it("is retried past the SDK's own attempts, and the answer is unchanged", async () => {
    const throttled = localDynamoDbClient();
    let calls = 0;
    throttled.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'QueryCommand' && ++calls <= 4) throw new ProvisionedThroughputExceededException({ message: 'throttled (test middleware)', $metadata: {} });
        return next(args);
      },
      { step: 'initialize', name: 'throttleQueries' },
    );
    const queries: AdvisoryQuery[] = [{ ecosystem: 'npm', name: 'lodash' }];
    const answers = await new DynamoDbAdvisoryLookup(throttled, table, { concurrency: 1, retry: { baseDelayMs: 1 } }).lookup(queries);
    expect(calls).toBe(5);
    expect(answers).toEqual(await new DynamoDbAdvisoryLookup(client, table).lookup(queries));
  });
});

describe('the table is not trusted on read', () => {
  const put = (partition: string, id: string, data: Uint8Array) =>
    client.send(new PutItemCommand({ TableName: table, Item: { pk: { S: partition }, sk: { S: recordChunkSk(id, 0) }, id: { S: id }, hash: { S: 'x' }, part: { N: '0' }, parts: { N: '1' }, data: { B: data }, source: { S: 'tampered' } } }));

  it('refuses an item that is not gzip, naming it', async () => {
    await put(packagePartition('npm', 'tampered-bytes'), 'GHSA-tamp-ered-0001', new TextEncoder().encode('{"id":"x"}'));
    await expect(new DynamoDbAdvisoryLookup(client, table).lookup([{ ecosystem: 'npm', name: 'tampered-bytes' }])).rejects.toThrow(/npm#tampered-bytes .*not a readable record/);
  });

  it('refuses a record that fails the OSV schema, or names another package than its partition', async () => {
    await put(packagePartition('npm', 'tampered-schema'), 'GHSA-tamp-ered-0002', gzipSync(JSON.stringify({ id: 'GHSA-tamp-ered-0002' })));
    await expect(new DynamoDbAdvisoryLookup(client, table).lookup([{ ecosystem: 'npm', name: 'tampered-schema' }])).rejects.toThrow(/not an OSV record: modified/);
    const elsewhere = { id: 'GHSA-tamp-ered-0003', modified: '2024-01-01T00:00:00Z', affected: [{ package: { ecosystem: 'npm', name: 'other' } }] };
    await put(packagePartition('npm', 'tampered-name'), elsewhere.id, gzipSync(JSON.stringify(elsewhere)));
    await expect(new DynamoDbAdvisoryLookup(client, table).lookup([{ ecosystem: 'npm', name: 'tampered-name' }])).rejects.toThrow(/does not name this package/);
  });

  it('caps what an item may inflate to', async () => {
    const bomb = { id: 'GHSA-tamp-ered-0004', modified: '2024-01-01T00:00:00Z', details: 'a'.repeat(8 * 1024 * 1024), affected: [{ package: { ecosystem: 'npm', name: 'tampered-bomb' } }] };
    await put(packagePartition('npm', 'tampered-bomb'), bomb.id, gzipSync(JSON.stringify(bomb)));
    await expect(new DynamoDbAdvisoryLookup(client, table).lookup([{ ecosystem: 'npm', name: 'tampered-bomb' }])).rejects.toThrow(/not a readable record/);
  });
});

describe('DynamoDbAdvisoryFreshness', () => {
  it('gives each loaded ecosystem its load time and none to one never loaded', async () => {
    const answers = await new DynamoDbAdvisoryFreshness(client, table).freshness(['Debian', 'npm', 'Ubuntu', 'Debian:9']);
    expect(answers.map((answer) => [answer.ecosystem, answer.loadedAt instanceof Date])).toEqual([
      ['Debian', true],
      ['npm', true],
      ['Ubuntu', false],
      ['Debian:9', true],
    ]);
    expect(Date.now() - answers[0]!.loadedAt!.getTime()).toBeLessThan(120_000);
  });
});
