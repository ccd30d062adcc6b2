import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SigV4Authenticator } from '../../../lambdas/adapters/api-client/sigv4-authenticator.ts';
import { CustomsApiClient } from '../../../lambdas/adapters/api-client/customs-api-client.ts';
import { findingsDocumentClient } from '../../../lambdas/adapters/dynamodb/document-client.ts';
import { DynamoDbImageStateStore } from '../../../lambdas/adapters/dynamodb/dynamodb-image-state-store.ts';
import { DynamoDbScanResultStore } from '../../../lambdas/adapters/dynamodb/dynamodb-scan-result-store.ts';
import { parseDigest, type Digest } from '../../../lambdas/core/digest.ts';
import type { RawFinding, ScanRecord } from '../../../lambdas/core/pipeline/model.ts';
import { toRawFinding } from '../../../lambdas/core/pipeline/raw-findings.ts';
import { createJudgingDeps } from '../../../lambdas/handlers/shared/judging-deps.ts';
import { apiEvent } from '../../support/api-events.ts';
import { startFindingsApiWorld } from '../../support/findings-api-world.ts';
import { runCli } from '../../support/cli.ts';
import { glibcRawFinding, sampleFinding } from '../../support/sample-findings.ts';
import { startSigV4VerifyingServer, type SigV4VerifyingServer } from '../../support/sigv4-verifying-server.ts';
import { DEBIAN_12_DISTRO, sampleScanRecord } from '../../support/sample-scan-record.ts';

/**
 * The client and the CLI against the findings API Lambda itself (createFindingsApiHandler wired as
 * in Lambda, on DynamoDB Local and moto), behind a server that checks each SigV4 signature with
 * botocore and forwards the request as API Gateway does: the raw path and query as sent, the IAM
 * principal of the key that signed it. Images are judged by the pipeline's own judging deps.
 */
const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const run = randomUUID().slice(0, 8);
const REPOSITORY = `client-${run}/team/app`;
const OUTSIDE = `elsewhere-${run}/app`;
const ROLE = `client-reader-${run}`;
const KEY = { accessKeyId: `AKIA${randomBytes(8).toString('hex').toUpperCase()}`, secretAccessKey: randomBytes(20).toString('hex') };
const newDigest = (): Digest => parseDigest(`sha256:${randomBytes(32).toString('hex')}`);
const digests = { high: newDigest(), low: newDigest(), clean: newDigest(), outside: newDigest() };
const extra = Array.from({ length: 4 }, () => newDigest());

function scanRecord(digest: Digest, findings: readonly RawFinding[]): ScanRecord {
  const now = new Date();
  return sampleScanRecord(digest, { scannerVersion: '0.1.0+clienttest', distro: DEBIAN_12_DISTRO, packageCount: 2, findingCount: findings.length, advisories: [{ ecosystem: 'Debian', loadedAt: now }], finishedAt: now });
}

let server: SigV4VerifyingServer;
const env = () => ({ CUSTOMS_API_URL: server.url, AWS_REGION: REGION, AWS_ACCESS_KEY_ID: KEY.accessKeyId, AWS_SECRET_ACCESS_KEY: KEY.secretAccessKey });

beforeAll(async () => {
  const { env: apiEnv, clients, handler, findingsTable } = await startFindingsApiWorld({
    name: 'customs-client',
    motoEndpoint: inject('motoEndpoint'),
    account: ACCOUNT,
    region: REGION,
    policy: { default: { failOn: 'HIGH' } },
    accessRules: [{ principal: `arn:aws:iam::${ACCOUNT}:role/${ROLE}`, read: [`client-${run}/`] }],
  });
  const { dynamodb } = clients;

  const table = { client: findingsDocumentClient(dynamodb), tableName: findingsTable };
  const images = new DynamoDbImageStateStore(table);
  const results = new DynamoDbScanResultStore(table);
  const low = toRawFinding(sampleFinding({ severity: { severity: 'LOW', kind: 'distribution', source: 'Debian urgency' }, fixedVersions: [] }));
  const seeded: [string, Digest, string, RawFinding[]][] = [
    [REPOSITORY, digests.high, 'high', [glibcRawFinding()]],
    [REPOSITORY, digests.low, 'low', [low]],
    [REPOSITORY, digests.clean, 'clean', []],
    ...extra.map((digest, index): [string, Digest, string, RawFinding[]] => [REPOSITORY, digest, `old-${index}`, []]),
    [OUTSIDE, digests.outside, 'latest', []],
  ];
  for (const [index, [repository, digest, tag, findings]] of seeded.entries()) {
    await images.recordPush({ account: ACCOUNT, region: REGION, repository, digest, tag, pushedAt: new Date(Date.UTC(2027, 0, 1, 0, 60 - index)), kind: 'push' }, new Date());
    await results.save(scanRecord(digest, findings), findings, findings.length > 0 ? [{ ecosystem: 'Debian:12', name: 'glibc' }] : []);
  }
  const judging = createJudgingDeps({ env: apiEnv, clients });
  const judged = await judging.judge(seeded.filter(([, digest]) => digest !== digests.clean).map(([repository, digest]) => ({ account: ACCOUNT, region: REGION, repository, digest })));
  expect(judged.images.map((image) => (image.outcome === 'judged' ? image.verdict : image.outcome))).toEqual(['FAIL', 'PASS', 'PASS', 'PASS', 'PASS', 'PASS', 'PASS']);

  server = await startSigV4VerifyingServer({
    region: REGION,
    keys: { [KEY.accessKeyId]: KEY },
    handle: async (request) => {
      const event = apiEvent({
        method: request.method as 'GET' | 'POST' | 'DELETE',
        path: request.rawPath,
        ...(request.body === '' ? {} : { body: request.body }),
        principalArn: `arn:aws:sts::${ACCOUNT}:assumed-role/${ROLE}/ci`,
      });
      // As API Gateway forwards it: the query string exactly as sent.
      const result = await handler({ ...event, rawQueryString: request.rawQueryString });
      return { status: result.statusCode ?? 500, headers: Object.fromEntries(Object.entries(result.headers ?? {}).map(([name, value]) => [name, String(value)])), body: result.body ?? '' };
    },
  });
}, 120_000);

afterAll(async () => {
  await server?.close();
});

describe('the client and CLI against the findings API Lambda (DynamoDB Local), signatures checked by botocore', () => {
  it('gates a deploy on the stored verdict: exit 1 on the FAIL, on a LOW finding at --fail-on LOW, on a tag never judged; 0 on a pass', async () => {
    const failing = await runCli(['api', 'tag', `${REPOSITORY}:high`, '--fail-on', 'HIGH'], { env: env() });
    expect(failing.code, failing.stderr).toBe(1);
    expect(failing.stderr).toContain('fails its repository policy (fail on HIGH): 1 failing (CVE-2023-4911)');
    const passing = await runCli(['api', 'tag', `${REPOSITORY}:low`, '--fail-on', 'HIGH'], { env: env() });
    expect(passing.code, passing.stderr).toBe(0);
    expect(JSON.parse(passing.stdout)).toMatchObject({ digest: digests.low, verdict: { verdict: 'PASS', counts: { LOW: 1 } }, gate: { pass: true } });
    expect((await runCli(['api', 'tag', `${REPOSITORY}:low`, '--fail-on', 'LOW'], { env: env() })).code).toBe(1);
    const unjudged = await runCli(['api', 'tag', `${REPOSITORY}:clean`, '--fail-on', 'CRITICAL'], { env: env() });
    expect(unjudged.code).toBe(1);
    expect(unjudged.stderr).toContain('not judged yet');
    expect(server.log.every((entry) => entry.verified)).toBe(true);
  });

  it('reads a verdict and findings by digest (sha256: in the path, / in the query)', async () => {
    const verdict = await runCli(['api', 'verdict', '--repository', REPOSITORY, '--digest', digests.high], { env: env() });
    // The policy audits (its default mode): admission may let it run, the CI gate above still fails it.
    expect(JSON.parse(verdict.stdout)).toMatchObject({ repository: REPOSITORY, digest: digests.high, verdict: 'FAIL', allowed: true, failingIds: ['CVE-2023-4911'] });
    const findings = await runCli(['api', 'findings', `${REPOSITORY}@${digests.high}`, '--table'], { env: env() });
    expect(findings.code, findings.stderr).toBe(0);
    expect(findings.stdout).toMatch(/\nCVE-2023-4911\s+HIGH\s+libc6\s+2\.36-9\+deb12u1\s+2\.36-9\+deb12u3\s+-\n/);
    expect(server.log.at(-1)!.url).toBe(`/images/sha256%3A${digests.high.slice(7)}/findings?repository=${encodeURIComponent(REPOSITORY)}`);
  });

  it("follows the Lambda's signed nextToken across pages (none twice, none skipped), and a tampered token is a 400 naming it", async () => {
    const client = new CustomsApiClient({ baseUrl: server.url, authenticator: new SigV4Authenticator({ region: REGION, credentials: KEY }) });
    const pages = [];
    for await (const page of client.pages('listImages', { path: {}, query: { repository: REPOSITORY, limit: '2' }, body: undefined })) pages.push(page.items.map((item) => item.digest));
    expect(pages.length).toBeGreaterThanOrEqual(3);
    const listed = pages.flat();
    expect(new Set(listed).size).toBe(listed.length);
    expect([...listed].sort()).toEqual([digests.high, digests.low, digests.clean, ...extra].sort());

    const first = await client.call('listImages', { path: {}, query: { repository: REPOSITORY, limit: '2' }, body: undefined });
    const token = first.nextToken!;
    const tampered = `${token.slice(0, 5)}${token[5] === 'A' ? 'B' : 'A'}${token.slice(6)}`;
    const refused = await runCli(['api', 'images', '--repository', REPOSITORY, '--limit', '2', '--next-token', tampered], { env: env() });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/BAD_REQUEST \(HTTP 400\) \[field nextToken\]/);
  });

  it('refuses a repository outside the principal\'s prefixes (403) and a request signed with the wrong secret (403 before the Lambda)', async () => {
    const outside = await runCli(['api', 'verdict', `${OUTSIDE}@${digests.outside}`], { env: env() });
    expect(outside.code).toBe(2);
    expect(outside.stderr).toMatch(/FORBIDDEN \(HTTP 403\): .* may not read repository/);
    const forged = await runCli(['api', 'verdict', `${REPOSITORY}@${digests.high}`], { env: { ...env(), AWS_SECRET_ACCESS_KEY: 'not-the-secret' } });
    expect(forged.code).toBe(2);
    expect(forged.stderr).toContain('FORBIDDEN (HTTP 403): Forbidden');
    expect(server.log.at(-1)).toMatchObject({ verified: false, reason: 'signature does not match' });
  });
});
