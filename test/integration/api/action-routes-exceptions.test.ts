import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoDbAdvisoryIdIndex } from '../../../lambdas/adapters/dynamodb/advisory-id-index.ts';
import { loadAdvisoryTable } from '../../../lambdas/adapters/dynamodb/advisory-loader.ts';
import { DynamoDbAdvisoryLookup } from '../../../lambdas/adapters/dynamodb/advisory-lookup.ts';
import { findingsDocumentClient } from '../../../lambdas/adapters/dynamodb/document-client.ts';
import { DynamoDbActionLog } from '../../../lambdas/adapters/dynamodb/dynamodb-action-log.ts';
import { DynamoDbExceptionStore } from '../../../lambdas/adapters/dynamodb/dynamodb-exception-store.ts';
import { DynamoDbImageStateStore } from '../../../lambdas/adapters/dynamodb/dynamodb-image-state-store.ts';
import { DynamoDbScanResultStore } from '../../../lambdas/adapters/dynamodb/dynamodb-scan-result-store.ts';
import { DynamoDbVerdictStore } from '../../../lambdas/adapters/dynamodb/dynamodb-verdict-store.ts';
import { ADVISORY_TABLE, FINDINGS_TABLE } from '../../../lambdas/adapters/dynamodb/table-schema.ts';
import { ecrRepositoryArn } from '../../../lambdas/adapters/ecr/ecr-repository-arn.ts';
import { S3SbomStore } from '../../../lambdas/adapters/s3/s3-sbom-store.ts';
import { SqsRescanQueue } from '../../../lambdas/adapters/sqs/sqs-rescan-queue.ts';
import type { ApiAccessRule } from '../../../lambdas/core/api/access-rules.ts';
import { actionRoutes } from '../../../lambdas/core/api/action-routes/action-routes.ts';
import type { OsvRecord } from '../../../lambdas/core/advisories/osv-schema.ts';
import type { OutgoingAlert } from '../../../lambdas/core/alerts/alert-model.ts';
import { parseDigest, type Digest } from '../../../lambdas/core/digest.ts';
import type { ImageKey, ScanRecord } from '../../../lambdas/core/pipeline/model.ts';
import { packageRefs } from '../../../lambdas/core/pipeline/package-refs.ts';
import { toRawFinding } from '../../../lambdas/core/pipeline/raw-findings.ts';
import { ExceptionPolicySource } from '../../../lambdas/core/policy/exception-policy-source.ts';
import { StaticPolicySource } from '../../../lambdas/core/policy/static-policy-source.ts';
import { assessVulnerabilities } from '../../../lambdas/core/use-cases/assess-vulnerabilities.ts';
import { evaluateImages, type EvaluateImagesDeps } from '../../../lambdas/core/use-cases/evaluate-images.ts';
import { findAffectedImages } from '../../../lambdas/core/use-cases/find-affected-images.ts';
import { createLocalTable, localDynamoDbClient } from '../../support/dynamodb-tables.ts';
import { ACCOUNT, REGION } from '../../support/ecr-events.ts';
import { sharedFixtures } from '../../support/paths.ts';
import { sampleImageSbom, samplePackage } from '../../support/sample-findings.ts';
import { actionApi, everyAction, rolePrincipal, untouched } from './action-routes-world.ts';

/**
 * The exception routes through the API's router over DynamoDB Local (findings and advisory tables of
 * this file's own), moto (S3 SBOMs, the rescan queue) and the real judging use case with the
 * exception-aware policy source: an exception suppresses the finding it names in the repositories
 * it covers (its reason and expiry on the verdict), lapses after its expiry, and its removal brings
 * the finding back. minimist 1.2.5 is affected by GHSA-xvch-5gv4-984h (CVE-2021-44906, CRITICAL).
 */
const CVE = 'CVE-2021-44906';
const run = randomUUID().slice(0, 8);
const TEAM = `team-${run}/`;
const OTHER = `other-${run}/`;
const security = rolePrincipal(`security-${run}`);
const admin = rolePrincipal(`admin-${run}`);
const reader = rolePrincipal(`reader-${run}`);
const RULES: ApiAccessRule[] = [
  { principal: security.arn, read: [''], act: [TEAM] },
  { principal: admin.arn, read: [''], act: [''] },
  { principal: reader.arn, read: [''] },
];

const dynamodb = localDynamoDbClient();
let clockAt = new Date('2026-12-01T09:00:00Z');
const clock = { now: () => clockAt };
const alerts: OutgoingAlert[] = [];

describe('exception routes', () => {
  let images: DynamoDbImageStateStore;
  let results: DynamoDbScanResultStore;
  let verdicts: DynamoDbVerdictStore;
  let exceptions: DynamoDbExceptionStore;
  let log: DynamoDbActionLog;
  let sboms: S3SbomStore;
  let judge: (keys: readonly ImageKey[]) => Promise<unknown>;
  let api: ReturnType<typeof actionApi>;
  let sqs: SQSClient;
  let queueUrl: string;
  const stored: Record<'team' | 'other', ImageKey> = {} as Record<'team' | 'other', ImageKey>;

  beforeAll(async () => {
    const advisoryTable = await createLocalTable(dynamodb, ADVISORY_TABLE, 'api-exc-advisories');
    const record = JSON.parse(readFileSync(join(sharedFixtures('osv', 'npm'), 'GHSA-xvch-5gv4-984h.json'), 'utf8')) as OsvRecord;
    await loadAdvisoryTable(dynamodb, advisoryTable, [{ record, source: 'fixtures' }], { source: 'fixtures' });
    const table = { client: findingsDocumentClient(dynamodb), tableName: await createLocalTable(dynamodb, FINDINGS_TABLE, 'api-exceptions') };
    images = new DynamoDbImageStateStore(table);
    results = new DynamoDbScanResultStore(table);
    verdicts = new DynamoDbVerdictStore(table);
    exceptions = new DynamoDbExceptionStore(table);
    log = new DynamoDbActionLog(table);
    const s3 = new S3Client({ endpoint: inject('motoEndpoint'), region: REGION, forcePathStyle: true, credentials: { accessKeyId: 'moto', secretAccessKey: 'moto' } });
    const bucket = `api-exc-${run}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: REGION } }));
    sboms = new S3SbomStore({ client: s3, bucket });
    sqs = new SQSClient({ endpoint: inject('motoEndpoint'), region: REGION, credentials: { accessKeyId: 'moto', secretAccessKey: 'moto' } });
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `api-exc-rescans-${run}` }))).QueueUrl!;

    const policies = new ExceptionPolicySource({ base: StaticPolicySource.fromDocument({ default: { failOn: 'HIGH' } }), exceptions, clock });
    const judging: EvaluateImagesDeps = {
      images,
      results,
      sboms,
      verdicts,
      policies,
      alerts: { publish: async (batch) => void alerts.push(...batch) },
      clock,
      options: { emailImageCap: 20, repositoryId: ecrRepositoryArn },
    };
    judge = (keys) => evaluateImages(keys, judging, { cause: 'scan' });
    const lookup = new DynamoDbAdvisoryLookup(dynamodb, advisoryTable);
    stored.team = await storeImage(`${TEAM}app`, lookup);
    stored.other = await storeImage(`${OTHER}app`, lookup);
    await judge([stored.team, stored.other]);
    api = actionApi(
      actionRoutes({
        actions: log,
        images,
        rescans: new SqsRescanQueue(sqs, queueUrl),
        backfill: untouched('backfill'),
        release: () => Promise.reject(new Error('release is not under test')),
        exceptions,
        affected: (vulnerability) => findAffectedImages(vulnerability, { advisories: new DynamoDbAdvisoryIdIndex(dynamodb, advisoryTable), results }),
        holders: images,
        judge: (keys) => evaluateImages(keys, judging, { cause: 'scan' }),
        policies,
        nowMs: () => clockAt.getTime(),
      }),
      RULES,
      clock,
    );
  }, 60_000);

  /** An npm app with minimist 1.2.5, stored as the scanner stores it (image state, SBOM, scan, findings). */
  async function storeImage(repository: string, lookup: DynamoDbAdvisoryLookup): Promise<ImageKey> {
    const digest: Digest = parseDigest(`sha256:${randomBytes(32).toString('hex')}`);
    const purl = 'pkg:npm/minimist@1.2.5';
    const path = '/app/node_modules/minimist/package.json';
    const pkg = samplePackage({ id: `${purl}#${path}`, type: 'npm', name: 'minimist', version: '1.2.5', purl, source: undefined, architecture: undefined, location: { ...samplePackage().location, path }, cataloger: 'npm-package-json' });
    const sbom = sampleImageSbom([pkg], { reference: `${repository}@${digest}`, repository, manifestDigest: digest });
    const key = { account: ACCOUNT, region: REGION, repository, digest };
    await images.recordPush({ ...key, tag: '1', pushedAt: clockAt, kind: 'push' }, clockAt);
    const ref = await sboms.put(digest, sbom);
    const report = await assessVulnerabilities({ reference: sbom.reference, images: [sbom] }, lookup, { policy: { now: clockAt }, advisories: { sources: [], loaded: 0, withdrawn: 0, malformed: 0 } });
    const findings = report.images[0]!.findings.map(toRawFinding);
    expect(findings.map((finding) => finding.id)).toEqual([CVE]);
    const record: ScanRecord = {
      digest,
      scannerVersion: 'test',
      status: 'SCANNED',
      platform: sbom.platform,
      layers: [],
      sbom: ref,
      packageCount: 1,
      findingCount: 1,
      severityCounts: { CRITICAL: 1 },
      advisories: [{ ecosystem: 'npm', loadedAt: clockAt }],
      startedAt: clockAt,
      finishedAt: clockAt,
    };
    await results.save(record, findings, packageRefs(sbom));
    return key;
  }

  const verdictOf = async (key: ImageKey) => (await verdicts.get(key))?.verdict;
  const queued = async (): Promise<number> => Number((await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }))).Attributes?.ApproximateNumberOfMessages);

  it('an exception with an expiry suppresses the finding in the repositories it covers, shows reason and expiry, and lapses', async () => {
    expect(await verdictOf(stored.team)).toMatchObject({ verdict: 'FAIL', failingIds: [CVE] });
    const added = await api({
      method: 'POST',
      path: '/exceptions',
      body: { kind: 'ignore', vulnerability: CVE, reason: 'minimist is only used by the build: SEC-41', expires: '2026-12-05', repositoryPrefix: TEAM, package: 'pkg:npm/minimist', path: '/app/node_modules/**' },
      principal: security,
    });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    expect(added.body).toMatchObject({
      exception: { kind: 'ignore', vulnerability: CVE, scope: { repositoryPrefix: TEAM }, package: 'pkg:npm/minimist', expires: '2026-12-05', createdBy: security.display, lapsed: false },
      action: { action: 'exception-add', principal: security.display, reason: 'minimist is only used by the build: SEC-41', outcome: 'added' },
      reevaluated: 1,
    });
    const id = (added.body['exception'] as { id: string }).id;

    // Judged again by the API: the covered repository passes with the suppression shown; the other still fails.
    const passing = await verdictOf(stored.team);
    expect(passing).toMatchObject({ verdict: 'PASS', failingIds: [], suppressedCount: 1 });
    expect(passing?.suppressions.map((entry) => [entry.id, entry.by, entry.reason, entry.expires])).toEqual([[CVE, 'ignore', 'minimist is only used by the build: SEC-41', '2026-12-05']]);
    expect(passing?.reviewAt).toEqual(new Date('2026-12-05T23:59:59.999Z'));
    expect(await verdictOf(stored.other)).toMatchObject({ verdict: 'FAIL', failingIds: [CVE] });

    // Past its expiry (the daily pass judges at reviewAt): the finding fails the image again.
    clockAt = new Date('2026-12-06T00:00:01Z');
    await judge([stored.team]);
    expect(await verdictOf(stored.team)).toMatchObject({ verdict: 'FAIL', failingIds: [CVE], suppressedCount: 0 });

    const actions = await everyAction(log);
    expect(actions.find((entry) => entry.target['exception'] === id)).toMatchObject({ action: 'exception-add', principal: security.display, outcome: 'added', target: { vulnerability: CVE, scope: TEAM, reevaluated: '1' } });
  });

  it('removing an exception judges the images it covered again; removing an unknown one is a 404', async () => {
    clockAt = new Date('2026-12-07T09:00:00Z');
    const added = await api({ method: 'POST', path: '/exceptions', body: { kind: 'ignore', vulnerability: 'GHSA-xvch-5gv4-984h', reason: 'accepted for every repository: SEC-42' }, principal: admin });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    expect(added.body['reevaluated']).toBe(2);
    expect(await verdictOf(stored.other)).toMatchObject({ verdict: 'PASS', suppressedCount: 1 });
    const id = (added.body['exception'] as { id: string }).id;

    // The security role acts on its prefix only: an exception for every repository is not its to remove.
    const refused = await api({ method: 'DELETE', path: '/exceptions', query: { id, reason: 'no longer accepted' }, principal: security });
    expect(refused).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
    expect(await exceptions.get(id)).toBeDefined();

    const removed = await api({ method: 'DELETE', path: '/exceptions', query: { id, reason: 'no longer accepted' }, principal: admin });
    expect(removed.status, JSON.stringify(removed.body)).toBe(200);
    expect(removed.body).toMatchObject({ exception: { id }, action: { action: 'exception-remove', reason: 'no longer accepted', outcome: 'removed' }, reevaluated: 2 });
    expect(await exceptions.get(id)).toBeUndefined();
    expect(await verdictOf(stored.other)).toMatchObject({ verdict: 'FAIL', failingIds: [CVE] });

    expect(await api({ method: 'DELETE', path: '/exceptions', query: { id, reason: 'again' }, principal: admin })).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
    const actions = (await everyAction(log)).filter((entry) => entry.target['exception'] === id);
    expect(actions.map((entry) => [entry.action, entry.outcome, entry.principal])).toEqual(
      expect.arrayContaining([
        ['exception-add', 'added', admin.display],
        ['exception-remove', 'removed', admin.display],
      ]),
    );
    expect(actions).toHaveLength(2);
  });

  it('a VEX statement suppresses as policy VEX does', async () => {
    clockAt = new Date('2026-12-08T09:00:00Z');
    const statement = { vulnerability: { name: CVE }, products: [{ '@id': 'pkg:npm/minimist@1.2.5' }], status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path' };
    const added = await api({ method: 'POST', path: '/exceptions', body: { kind: 'vex', reason: 'argv is never parsed from input', repositoryPrefix: `${TEAM}app`, statement }, principal: security });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    expect(added.body).toMatchObject({ exception: { kind: 'vex', vulnerability: CVE, vex: statement }, reevaluated: 1 });
    expect((await verdictOf(stored.team))?.suppressions.map((entry) => [entry.by, entry.id])).toEqual([['vex', CVE]]);
    const removed = await api({ method: 'DELETE', path: '/exceptions', query: { id: (added.body['exception'] as { id: string }).id, reason: 'done with it' }, principal: security });
    expect(removed.status).toBe(200);
    expect(await verdictOf(stored.team)).toMatchObject({ verdict: 'FAIL' });
  });

  it('refuses a principal outside its prefixes (403) and changes nothing: no exception, no action, no queue message', async () => {
    const before = { exceptions: (await exceptions.list()).length, actions: (await everyAction(log)).length, revision: await exceptions.revision(), queued: await queued() };
    const asks = [
      { principal: security, body: { kind: 'ignore', vulnerability: CVE, reason: 'not ours to accept' } },
      { principal: security, body: { kind: 'ignore', vulnerability: CVE, reason: 'not ours to accept', repositoryPrefix: OTHER } },
      { principal: reader, body: { kind: 'ignore', vulnerability: CVE, reason: 'reading only', repositoryPrefix: TEAM } },
    ];
    for (const ask of asks) expect(await api({ method: 'POST', path: '/exceptions', ...ask })).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
    // A rescan of an image in a repository the caller may only read: refused by the router before anything runs.
    expect(await api({ method: 'POST', path: `/images/${stored.other.digest}/rescan`, query: { repository: stored.other.repository }, principal: security })).toMatchObject({ status: 403 });
    expect({ exceptions: (await exceptions.list()).length, actions: (await everyAction(log)).length, revision: await exceptions.revision(), queued: await queued() }).toEqual(before);
    expect(await verdictOf(stored.other)).toMatchObject({ verdict: 'FAIL' });
  });

  it.each([
    ['an expiry in the past', { expires: '2026-11-30' }, 'body.expires', /in the past/],
    ['an expiry that is no date', { expires: 'next week' }, 'body.expires', /not a date/],
    ['an invalid purl', { package: 'pkg:' }, 'body.package', /package URL/],
    ['an empty path glob', { path: '' }, 'body.path', /./],
    ['a short reason', { reason: 'no' }, 'body.reason', /./],
    ['an unknown field', { severity: 'LOW' }, 'body.severity', /unknown field/],
    ['a bad vulnerability ID', { vulnerability: 'not an id!' }, 'body.vulnerability', /vulnerability ID/],
  ])('refuses an ignore exception with %s (400 naming the field), storing nothing', async (_what, change, field, message) => {
    clockAt = new Date('2026-12-09T09:00:00Z');
    const before = (await exceptions.list()).length;
    const answer = await api({ method: 'POST', path: '/exceptions', body: { kind: 'ignore', vulnerability: CVE, reason: 'a reason', repositoryPrefix: TEAM, ...change }, principal: security });
    expect(answer).toMatchObject({ status: 400, body: { code: 'BAD_REQUEST', field } });
    expect(answer.body['message']).toMatch(message);
    expect((await exceptions.list()).length).toBe(before);
  });

  it.each([
    ['an unknown status', { status: 'ignored' }],
    ['not_affected without a justification', { justification: undefined }],
    ['no products', { products: [] }],
  ])('refuses a VEX statement with %s (400 body.statement)', async (_what, change) => {
    const statement = { vulnerability: { name: CVE }, products: [{ '@id': 'pkg:npm/minimist' }], status: 'not_affected', justification: 'component_not_present', ...change };
    const answer = await api({ method: 'POST', path: '/exceptions', body: { kind: 'vex', reason: 'a reason', repositoryPrefix: TEAM, statement }, principal: security });
    expect(answer).toMatchObject({ status: 400, body: { code: 'BAD_REQUEST', field: 'body.statement' } });
  });

  it('refuses a removal without a reason or with a malformed id (400 naming the parameter)', async () => {
    expect(await api({ method: 'DELETE', path: '/exceptions', query: { id: 'abcdefgh1234' }, principal: admin })).toMatchObject({ status: 400, body: { field: 'reason' } });
    expect(await api({ method: 'DELETE', path: '/exceptions', query: { id: 'no', reason: 'a reason' }, principal: admin })).toMatchObject({ status: 400, body: { field: 'id' } });
  });
});
