import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { randomBytes, randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { loadAdvisoryTable } from '../../../lambdas/adapters/dynamodb/advisory-loader.ts';
import { findingsDocumentClient } from '../../../lambdas/adapters/dynamodb/document-client.ts';
import { DynamoDbActionLog } from '../../../lambdas/adapters/dynamodb/dynamodb-action-log.ts';
import { DynamoDbCountsHistory } from '../../../lambdas/adapters/dynamodb/dynamodb-counts-history.ts';
import { DynamoDbExceptionStore } from '../../../lambdas/adapters/dynamodb/dynamodb-exception-store.ts';
import { DynamoDbImageStateStore } from '../../../lambdas/adapters/dynamodb/dynamodb-image-state-store.ts';
import { DynamoDbQuarantineStore } from '../../../lambdas/adapters/dynamodb/dynamodb-quarantine-store.ts';
import { DynamoDbScanResultStore } from '../../../lambdas/adapters/dynamodb/dynamodb-scan-result-store.ts';
import { DynamoDbSyncCursors } from '../../../lambdas/adapters/dynamodb/dynamodb-sync-cursors.ts';
import { DynamoDbAdvisoryLoadRequests } from '../../../lambdas/adapters/dynamodb/dynamodb-advisory-load-requests.ts';
import { S3SbomStore } from '../../../lambdas/adapters/s3/s3-sbom-store.ts';
import { parseDigest, type Digest } from '../../../lambdas/core/digest.ts';
import type { ImageKey, RawFinding, SbomRef, ScanRecord } from '../../../lambdas/core/pipeline/model.ts';
import { toRawFinding } from '../../../lambdas/core/pipeline/raw-findings.ts';
import type { QuarantineRecord } from '../../../lambdas/core/pipeline/quarantine-model.ts';
import type { FindingsApiHandler } from '../../../lambdas/handlers/findings-api-handler.ts';
import { createJudgingDeps } from '../../../lambdas/handlers/shared/judging-deps.ts';
import { apiEvent, type ApiEventOptions } from '../../support/api-events.ts';
import { localDynamoDbClient } from '../../support/dynamodb-tables.ts';
import { startFindingsApiWorld } from '../../support/findings-api-world.ts';
import { glibcRawFinding, sampleFinding, sampleImageSbom, samplePackage } from '../../support/sample-findings.ts';
import { DEBIAN_12_DISTRO, sampleScanRecord } from '../../support/sample-scan-record.ts';

/**
 * The findings API Lambda's read routes, wired as in Lambda (createApiDeps) on DynamoDB Local and
 * moto's S3, SQS, SNS and SSM, driven by API Gateway v2 IAM events. Images are seeded through the
 * real stores (image state, scan results, SBOMs) and judged by evaluateImages through the same
 * judging deps the scanner uses; quarantine records, cursors, actions, history and exceptions
 * through their own stores.
 */
const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const run = randomUUID().slice(0, 8);
const repo = { app: `api-${run}/app`, web: `api-${run}/web`, secret: `other-${run}/secret` };
const GLIBC = 'CVE-2023-4911';
const IGNORED = 'CVE-2024-25062';
const roles = { reader: `api-reader-${run}`, admin: `api-admin-${run}`, narrow: `api-narrow-${run}` };
const session = (role: string) => `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/someone`;
const now = new Date('2027-02-01T12:00:00Z');
const newDigest = (): Digest => parseDigest(`sha256:${randomBytes(32).toString('hex')}`);
const app = Array.from({ length: 7 }, () => newDigest());
const webOwn = newDigest();
const secretOwn = newDigest();
const key = (repository: string, digest: Digest): ImageKey => ({ account: ACCOUNT, region: REGION, repository, digest });

function libxmlLow(): RawFinding {
  return toRawFinding(sampleFinding({ severity: { severity: 'LOW', kind: 'distribution', source: 'Debian urgency' }, fixedVersions: [] }));
}

function scanRecord(digest: Digest, findings: readonly RawFinding[], sbom?: SbomRef): ScanRecord {
  return sampleScanRecord(digest, {
    scannerVersion: '0.1.0+apitest',
    distro: DEBIAN_12_DISTRO,
    layers: [{ digest: parseDigest(`sha256:${'a'.repeat(64)}`), diffId: parseDigest(`sha256:${'b'.repeat(64)}`), size: 1024 }],
    ...(sbom ? { sbom } : {}),
    packageCount: 2,
    findingCount: findings.length,
    advisories: [{ ecosystem: 'Debian', loadedAt: new Date('2027-02-01T00:00:00Z') }],
    startedAt: new Date('2027-01-31T00:00:00Z'),
    finishedAt: new Date('2027-01-31T00:01:00Z'),
  });
}

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown> & { items?: Record<string, unknown>[]; nextToken?: string; code?: string; field?: string };
  readonly headers: Record<string, unknown>;
}

describe('the findings API read routes on DynamoDB Local and moto', () => {
  const dynamodb = localDynamoDbClient();
  const documents = findingsDocumentClient(dynamodb);
  let handler: FindingsApiHandler;

  async function call(options: Omit<ApiEventOptions, 'method'> & { method?: ApiEventOptions['method']; as?: keyof typeof roles }): Promise<Answer> {
    const result = (await handler(apiEvent({ method: 'GET', ...options, principalArn: session(roles[options.as ?? 'reader']) }))) as APIGatewayProxyStructuredResultV2;
    return { status: result.statusCode!, body: JSON.parse(result.body!) as Answer['body'], headers: result.headers ?? {} };
  }

  /** Every page of a listing: items in order and how many pages it took. */
  async function walk(options: Parameters<typeof call>[0]): Promise<{ items: Record<string, unknown>[]; pages: number; tokens: string[] }> {
    const items: Record<string, unknown>[] = [];
    const tokens: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const answer = await call({ ...options, query: { ...options.query, ...(token ? { nextToken: token } : {}) } });
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      items.push(...answer.body.items!);
      token = answer.body.nextToken;
      if (token) tokens.push(token);
      pages++;
    } while (token && pages < 50);
    return { items, pages, tokens };
  }

  beforeAll(async () => {
    const clock = { now: () => now };
    const world = await startFindingsApiWorld({
      name: 'customs-api',
      motoEndpoint: inject('motoEndpoint'),
      account: ACCOUNT,
      region: REGION,
      policy: { default: { mode: 'enforce', failOn: 'HIGH', ignore: [{ id: IGNORED, reason: 'libxml2 is not reachable from input; SEC-9' }] } },
      accessRules: [
        { principal: `arn:aws:iam::${ACCOUNT}:role/${roles.reader}`, read: [`api-${run}/`] },
        { principal: `arn:aws:iam::${ACCOUNT}:role/ops/${roles.admin}`, read: [''] },
        { principal: `arn:aws:iam::${ACCOUNT}:role/${roles.narrow}`, read: [repo.web] },
      ],
      clock,
    });
    handler = world.handler;
    const { env, clients, findingsTable, advisoryTable, bucket } = world;
    const s3 = clients.s3;

    // Seed through the stores the pipeline writes with.
    const table = { client: documents, tableName: findingsTable };
    const images = new DynamoDbImageStateStore(table);
    const results = new DynamoDbScanResultStore(table);
    const sboms = new S3SbomStore({ client: s3, bucket });
    const push = (repository: string, digest: Digest, tag: string, minutes: number) =>
      images.recordPush({ ...key(repository, digest), tag, pushedAt: new Date(Date.UTC(2027, 0, 1, 0, minutes)), kind: 'push' }, now);
    const glibcPackages = [{ ecosystem: 'Debian:12', name: 'glibc' }];
    for (const [index, digest] of app.entries()) {
      await push(repo.app, digest, `v${String(index)}`, index);
      const findings = index <= 2 ? [glibcRawFinding(), libxmlLow()] : index === 3 ? [toRawFinding(sampleFinding())] : [];
      // v6 has a small SBOM; v5 one whose CycloneDX is past the inline cap.
      const packages = index === 5 ? Array.from({ length: 16_000 }, (_, n) => samplePackage({ name: `package-with-a-long-name-${String(n)}`, version: `1.0.${String(n)}` })) : [samplePackage()];
      const sbom = index >= 5 ? await sboms.put(digest, sampleImageSbom(packages, { manifestDigest: digest })) : undefined;
      await results.save(scanRecord(digest, findings, sbom), findings, index <= 2 ? glibcPackages : []);
    }
    await push(repo.web, app[0]!, 'shared', 10);
    await push(repo.web, webOwn, 'latest', 11);
    await results.save(scanRecord(webOwn, [glibcRawFinding()]), [glibcRawFinding()], glibcPackages);
    await push(repo.secret, secretOwn, 'latest', 12);
    await results.save(scanRecord(secretOwn, [glibcRawFinding()]), [glibcRawFinding()], glibcPackages);
    const judging = createJudgingDeps({ env, clients, clock });
    const keys = [...app.map((digest) => key(repo.app, digest)), key(repo.web, app[0]!), key(repo.web, webOwn), key(repo.secret, secretOwn)];
    const judged = await judging.judge(keys);
    expect(judged.images.map((image) => (image.outcome === 'judged' ? image.verdict : image.outcome))).toEqual(['FAIL', 'FAIL', 'FAIL', 'PASS', 'PASS', 'PASS', 'PASS', 'FAIL', 'FAIL', 'FAIL']);

    await loadAdvisoryTable(
      dynamodb,
      advisoryTable,
      [{ record: { id: 'DEBIAN-CVE-2023-4911', modified: '2023-10-03T18:15:00Z', aliases: [GLIBC], affected: [{ package: { ecosystem: 'Debian:12', name: 'glibc' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.36-9+deb12u3' }] }] }] }, source: 'test' }],
      { source: 'test' },
    );
    const cursors = new DynamoDbSyncCursors(dynamodb, advisoryTable);
    await cursors.put({ ecosystem: 'Debian', syncedAt: new Date(now.getTime() - 3_600_000), modifiedThrough: new Date('2027-02-01T10:00:00Z') }, undefined);
    await cursors.put({ ecosystem: 'npm', syncedAt: new Date(now.getTime() - 100 * 3_600_000) }, undefined);
    // Scans asked for Alpine, which the sync has not loaded yet; Debian was asked for before its first sync.
    await new DynamoDbAdvisoryLoadRequests(dynamodb, advisoryTable).request(['Alpine', 'Debian'], new Date(now.getTime() - 2 * 3_600_000));

    const quarantined: QuarantineRecord = {
      key: key(repo.app, app[1]!),
      id: 'q-1',
      state: 'QUARANTINED',
      method: 'untag',
      trigger: 'push',
      verdict: { policyVersion: 'p', policySource: 'default', failOn: 'HIGH', failingCount: 1, failingIds: [GLIBC], evaluatedAt: now },
      startedAt: now,
      marker: 'customs-quarantine-000000000000',
      removing: [],
      removedTags: [{ tag: 'v1', removedAt: now }],
      keptTags: [],
      quarantinedAt: now,
      warnings: [],
      updatedAt: now,
    };
    await new DynamoDbQuarantineStore(table).put(key(repo.app, app[1]!), { record: quarantined }, undefined);
    // v2 fails for the same finding, but a person released it for that finding.
    const released: QuarantineRecord = {
      ...quarantined,
      key: key(repo.app, app[2]!),
      id: 'q-2',
      state: 'RELEASED',
      removedTags: [{ tag: 'v2', removedAt: now }],
      release: { by: 'arn:aws:sts::000000000000:assumed-role/security/alice', reason: 'not reachable', trigger: 'request', requestedAt: now, failingIds: [GLIBC], restoredTags: ['v2'], keptTags: [], markerRemoved: true, releasedAt: now },
    };
    await new DynamoDbQuarantineStore(table).put(key(repo.app, app[2]!), { record: released }, undefined);

    const actions = new DynamoDbActionLog(table);
    for (let n = 0; n < 3; n++) {
      await actions.record({ id: `act-${String(n)}`, action: 'rescan', principal: session(roles.reader), at: new Date(now.getTime() - n * 60_000), reason: 'check', target: { repository: repo.app, digest: app[n]! }, outcome: 'queued', repository: { account: ACCOUNT, region: REGION, repository: repo.app } });
    }
    await actions.record({ id: 'act-secret', action: 'backfill', principal: session(roles.admin), at: now, target: { runId: 'r' }, outcome: 'queued' });

    const history = new DynamoDbCountsHistory(table);
    const counts = (repository: string, date: string, images: number, high: number) => ({
      repository: { account: ACCOUNT, region: REGION, repository },
      date,
      images,
      findings: { CRITICAL: 0, HIGH: high, MEDIUM: 0, LOW: 0, UNKNOWN: 0 },
      verdicts: { FAIL: high, PASS: images - high },
    });
    await history.put(counts(repo.app, '2027-01-31', 7, 3));
    await history.put(counts(repo.app, '2027-02-01', 7, 2));
    await history.put(counts(repo.web, '2027-02-01', 2, 2));
    await history.put(counts(repo.secret, '2027-02-01', 1, 1));

    const exceptions = new DynamoDbExceptionStore(table);
    await exceptions.add({ id: 'exc-current-1', kind: 'ignore', vulnerability: GLIBC, repositoryPrefix: repo.web, reason: 'not setuid here', expires: '2027-06-30', createdBy: session(roles.admin), createdAt: now });
    await exceptions.add({ id: 'exc-lapsed-1', kind: 'ignore', vulnerability: IGNORED, reason: 'until the upgrade', expires: '2027-01-15', createdBy: session(roles.admin), createdAt: now });
    await exceptions.add({ id: 'exc-secret-1', kind: 'ignore', vulnerability: GLIBC, repositoryPrefix: repo.secret, reason: 'hidden', createdBy: session(roles.admin), createdAt: now });
  }, 120_000);

  it('lists the readable repositories with counts, paged, filtered by prefix', async () => {
    const all = await walk({ path: '/repositories', query: { limit: '1' }, as: 'admin' });
    expect(all.pages).toBe(3);
    expect(all.items.map((item) => item['repository'])).toEqual([repo.secret, repo.app, repo.web].sort());
    const readable = await walk({ path: '/repositories', query: { limit: '1' } });
    expect(readable.items.map((item) => item['repository'])).toEqual([repo.app, repo.web]);
    expect(readable.items[0]).toMatchObject({ images: 7, deleted: 0, verdicts: { FAIL: 3, PASS: 4 }, quarantined: 1, findings: { HIGH: 3, LOW: 0 } });
    const prefixed = await call({ path: '/repositories', query: { prefix: repo.web } });
    expect(prefixed.body.items!.map((item) => item['repository'])).toEqual([repo.web]);
    expect(prefixed.headers).toMatchObject({ 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  });

  it('pages through a repository’s images newest first, none twice, none skipped, and refuses a tampered token', async () => {
    const listed = await walk({ path: '/images', query: { repository: repo.app, limit: '3' } });
    expect(listed.pages).toBe(3);
    expect(listed.items.map((item) => item['digest'])).toEqual([...app].reverse());
    expect(listed.items.at(-1)).toMatchObject({ tags: ['v0'], kind: 'image', quarantined: false, verdict: { verdict: 'FAIL', failOn: 'HIGH', failingIds: [GLIBC] } });
    const token = listed.tokens[0]!;
    const tampered = token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA');
    const refused = await call({ path: '/images', query: { repository: repo.app, limit: '3', nextToken: tampered } });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ code: 'BAD_REQUEST', field: 'nextToken' });
    // A token of one repository does not continue another's listing.
    expect((await call({ path: '/images', query: { repository: repo.web, limit: '3', nextToken: token } })).body.field).toBe('nextToken');
  });

  it('filters images by verdict, severity and quarantine', async () => {
    const digests = async (query: Record<string, string>) => (await walk({ path: '/images', query: { repository: repo.app, limit: '2', ...query } })).items.map((item) => item['digest']).sort();
    expect(await digests({ verdict: 'FAIL' })).toEqual(app.slice(0, 3).sort());
    expect(await digests({ verdict: 'PASS' })).toEqual(app.slice(3).sort());
    expect(await digests({ severity: 'HIGH' })).toEqual(app.slice(0, 3).sort());
    expect(await digests({ severity: 'CRITICAL' })).toEqual([]);
    expect(await digests({ quarantined: 'true' })).toEqual([app[1]]);
    expect(await digests({ quarantined: 'false' })).toHaveLength(6);
    const bad = await call({ path: '/images', query: { repository: repo.app, verdict: 'MAYBE' } });
    expect(bad.body).toMatchObject({ code: 'BAD_REQUEST', field: 'verdict' });
    const repeated = await call({ path: '/images', query: { repository: [repo.app, repo.web] } });
    expect(repeated.status).toBe(400);
    expect(repeated.body.field).toBe('repository');
  });

  it('answers one image, 404 for an unknown one, 400 for a bad digest, 403 outside the caller’s prefixes', async () => {
    const image = await call({ path: `/images/${app[1]!.replace(':', '%3A')}`, query: { repository: repo.app } });
    expect(image.status).toBe(200);
    expect(image.body).toMatchObject({ digest: app[1], tags: ['v1'], quarantined: true, quarantine: { id: 'q-1', state: 'QUARANTINED', removedTags: ['v1'] }, scan: { status: 'SCANNED', distro: { id: 'debian', version: '12' }, layers: [{ size: 1024 }] } });
    expect((image.body['platforms'] as unknown[]).length).toBe(1);
    expect((await call({ path: `/images/${newDigest()}`, query: { repository: repo.app } })).status).toBe(404);
    expect((await call({ path: '/images/sha256:abc', query: { repository: repo.app } })).body).toMatchObject({ code: 'BAD_REQUEST', field: 'digest' });
    expect((await call({ path: `/images/${secretOwn}`, query: { repository: repo.secret } })).status).toBe(403);
    expect((await call({ path: `/images/${app[0]!}`, query: { repository: repo.app }, as: 'narrow' })).status).toBe(403);
    expect((await call({ path: `/images/${app[0]!}`, query: {} })).body).toMatchObject({ code: 'BAD_REQUEST', field: 'repository' });
  });

  it('lists an image’s findings worst first with the policy’s suppressions, filtered and paged', async () => {
    const findings = await walk({ path: `/images/${app[0]!}/findings`, query: { repository: repo.app, limit: '1' } });
    expect(findings.pages).toBe(2);
    expect(findings.items.map((item) => [item['id'], item['severity'], item['fixable']])).toEqual([
      [GLIBC, 'HIGH', true],
      [IGNORED, 'LOW', false],
    ]);
    const fixable = await call({ path: `/images/${app[0]!}/findings`, query: { repository: repo.app, fixable: 'false' } });
    expect(fixable.body.items!.map((item) => item['id'])).toEqual([IGNORED]);
    const suppressed = await call({ path: `/images/${app[3]!}/findings`, query: { repository: repo.app, suppressed: 'true' } });
    expect(suppressed.body.items).toHaveLength(1);
    expect(suppressed.body.items![0]).toMatchObject({ id: IGNORED, suppressed: { by: 'ignore', reason: 'libxml2 is not reachable from input; SEC-9' } });
    expect((await call({ path: `/images/${app[3]!}/findings`, query: { repository: repo.app, suppressed: 'false' } })).body.items).toEqual([]);
    expect((await call({ path: `/images/${app[0]!}/findings`, query: { repository: repo.app, severity: 'CRITICAL' } })).body.items).toEqual([]);
    expect((await call({ path: `/images/${app[0]!}/findings`, query: { repository: repo.app, fixable: 'yes' } })).body.field).toBe('fixable');
    expect((await call({ path: `/images/${newDigest()}/findings`, query: { repository: repo.app } })).status).toBe(404);
  });

  it('answers the CycloneDX SBOM inline, and past the cap as a presigned URL that serves it', async () => {
    const small = await call({ path: `/images/${app[6]!}/sbom`, query: { repository: repo.app } });
    expect(small.status).toBe(200);
    expect(small.body).toMatchObject({ format: 'CycloneDX', specVersion: '1.6', document: { bomFormat: 'CycloneDX', specVersion: '1.6' } });
    const large = await call({ path: `/images/${app[5]!}/sbom`, query: { repository: repo.app } });
    expect(large.status).toBe(200);
    expect(large.body['url']).toMatch(/^http/);
    expect(large.body['bytes']).toBeGreaterThan(4 * 1024 * 1024);
    const fetched = await fetch(large.body['url'] as string);
    expect(fetched.status).toBe(200);
    const document = (await fetched.json()) as { bomFormat: string; components: unknown[] };
    expect(document.bomFormat).toBe('CycloneDX');
    expect(document.components.length).toBeGreaterThanOrEqual(16_000);
    expect((await call({ path: `/images/${app[0]!}/sbom`, query: { repository: repo.app } })).status).toBe(404);
    expect((await call({ path: `/images/${app[6]!}/sbom`, query: { repository: repo.app, format: 'spdx' } })).body.field).toBe('format');
  });

  it('answers a tag’s digest, verdict and history, and a digest’s verdict for admission', async () => {
    const tag = await call({ path: '/tags', query: { repository: repo.app, tag: 'v0' } });
    expect(tag.body).toMatchObject({ digest: app[0], quarantined: false, verdict: { verdict: 'FAIL' }, history: [{ action: 'tagged', digest: app[0] }] });
    expect((await call({ path: '/tags', query: { repository: repo.app, tag: 'never' } })).status).toBe(404);
    expect((await call({ path: '/tags', query: { repository: repo.app, tag: '-bad' } })).body.field).toBe('tag');
    const failing = await call({ path: '/verdict', query: { repository: repo.app, digest: app[0]! } });
    expect(failing.body).toMatchObject({ verdict: 'FAIL', allowed: false, released: false, failingCount: 1, failingIds: [GLIBC], quarantined: false });
    // Released for exactly the failure it has: admission agrees with the release that put its tags back.
    expect((await call({ path: '/verdict', query: { repository: repo.app, digest: app[2]! } })).body).toMatchObject({ verdict: 'FAIL', allowed: true, released: true, quarantined: false });
    expect((await call({ path: '/verdict', query: { repository: repo.app, digest: app[1]! } })).body).toMatchObject({ verdict: 'FAIL', allowed: false, released: false, quarantined: true });
    expect((await call({ path: '/verdict', query: { repository: repo.app, digest: app[4]! } })).body).toMatchObject({ verdict: 'PASS', allowed: true });
    expect((await call({ path: '/verdict', query: { repository: repo.app, digest: newDigest() } })).body).toMatchObject({ verdict: 'UNKNOWN', allowed: false });
    expect((await call({ path: '/verdict', query: { repository: repo.secret, digest: secretOwn } })).status).toBe(403);
    expect((await call({ path: '/verdict', query: { repository: repo.app } })).body.field).toBe('digest');
  });

  it('lists the images a vulnerability affects in the repositories the caller reads, by alias too, paged', async () => {
    const expected = [...app.slice(0, 3).map((digest) => `${repo.app}@${digest}`), `${repo.web}@${app[0]!}`, `${repo.web}@${webOwn}`].sort();
    for (const id of [GLIBC, 'DEBIAN-CVE-2023-4911']) {
      const listed = await walk({ path: `/vulnerabilities/${id}/images`, query: { limit: '2' } });
      expect(listed.pages).toBe(3);
      expect(listed.items.map((item) => `${String(item['repository'])}@${String(item['digest'])}`).sort()).toEqual(expected);
    }
    const web = await call({ path: `/vulnerabilities/${GLIBC}/images`, query: { repositoryPrefix: repo.web } });
    expect(web.body).toMatchObject({ id: GLIBC, resolvedIds: ['DEBIAN-CVE-2023-4911'] });
    expect(web.body.items!.map((item) => item['digest']).sort()).toEqual([app[0], webOwn].sort());
    const admin = await walk({ path: `/vulnerabilities/${GLIBC}/images`, query: {}, as: 'admin' });
    expect(admin.items).toHaveLength(6);
    expect((await call({ path: '/vulnerabilities/!bad/images' })).body.field).toBe('id');
  });

  it('answers advisory status with staleness, the quarantine records, coverage and history', async () => {
    const status = await call({ path: '/advisories/status' });
    const asked = new Date(now.getTime() - 2 * 3_600_000).toISOString();
    expect(status.body).toMatchObject({
      staleAfterHours: 48,
      ecosystems: [
        { ecosystem: 'Alpine', stale: true, requestedAt: asked, waitingImages: 0 },
        { ecosystem: 'Debian', stale: false, ageHours: 1, requestedAt: asked },
        { ecosystem: 'npm', stale: true, ageHours: 100 },
      ],
    });
    expect((status.body.ecosystems as { ecosystem: string; ageHours?: number }[])[0]!.ageHours).toBeUndefined();
    expect((await call({ path: '/advisories/status', query: { verbose: 'true' } })).body.field).toBe('verbose');

    const records = await call({ path: '/quarantine', query: { repository: repo.app } });
    // Listed in digest order; sorted by id here since the digests are random.
    const byId = [...(records.body.items as { id: string }[])].sort((a, b) => (a.id < b.id ? -1 : 1));
    expect(byId).toMatchObject([
      { id: 'q-1', state: 'QUARANTINED', failingIds: [GLIBC], removedTags: [{ tag: 'v1' }] },
      { id: 'q-2', state: 'RELEASED', release: { reason: 'not reachable', restoredTags: ['v2'] } },
    ]);
    expect((await call({ path: '/quarantine', query: { repository: repo.app, state: 'RELEASED' } })).body.items).toMatchObject([{ id: 'q-2' }]);
    expect((await call({ path: '/quarantine', query: { repository: repo.app, state: 'GONE' } })).body.field).toBe('state');
    expect((await call({ path: '/quarantine', query: { repository: repo.secret } })).status).toBe(403);

    const coverage = await call({ path: '/coverage' });
    // The exceptions added after judging are part of the policy now: every verdict was judged under another version.
    expect(coverage.body).toEqual({ repositories: 2, images: 9, scanned: 9, failed: 0, unsupported: 0, notImages: 0, waitingForAdvisories: 0, notYetJudged: 0, stale: 9 });
    expect((await call({ path: '/coverage', query: { prefix: repo.web } })).body).toMatchObject({ repositories: 1, images: 2, scanned: 2 });
    expect((await call({ path: '/coverage', as: 'admin' })).body['images']).toBe(10);

    const one = await call({ path: '/history', query: { repository: repo.app, days: '7' } });
    expect(one.body['days']).toMatchObject([{ date: '2027-01-31', images: 7 }, { date: '2027-02-01', images: 7, findings: { HIGH: 2 } }]);
    const summed = await call({ path: '/history', query: { days: '7' } });
    expect(summed.body['days']).toMatchObject([{ date: '2027-01-31', images: 7 }, { date: '2027-02-01', images: 9, findings: { HIGH: 4 }, verdicts: { FAIL: 4, PASS: 5 } }]);
    expect((await call({ path: '/history', query: { days: '0' } })).body.field).toBe('days');
  });

  it('lists actions per repository, the whole log only for callers who read everything', async () => {
    const actions = await walk({ path: '/actions', query: { repository: repo.app, limit: '2' } });
    expect(actions.pages).toBe(2);
    expect(actions.items.map((item) => item['id'])).toEqual(['act-0', 'act-1', 'act-2']);
    expect((await call({ path: '/actions' })).status).toBe(403);
    const all = await walk({ path: '/actions', query: {}, as: 'admin' });
    expect(all.items.map((item) => item['id']).sort()).toEqual(['act-0', 'act-1', 'act-2', 'act-secret']);
  });

  it('lists the exceptions the caller can see, with lapsed from the expiry, filtered', async () => {
    const listed = await walk({ path: '/exceptions', query: {} });
    expect(listed.items.map((item) => [item['id'], item['lapsed']])).toEqual([
      ['exc-current-1', false],
      ['exc-lapsed-1', true],
    ]);
    const byVulnerability = await call({ path: '/exceptions', query: { vulnerability: IGNORED } });
    expect(byVulnerability.body.items!.map((item) => item['id'])).toEqual(['exc-lapsed-1']);
    const byPrefix = await call({ path: '/exceptions', query: { repositoryPrefix: repo.app } });
    expect(byPrefix.body.items!.map((item) => item['id'])).toEqual(['exc-lapsed-1']);
    const admin = await call({ path: '/exceptions', query: {}, as: 'admin' });
    expect(admin.body.items).toHaveLength(3);
  });
});
