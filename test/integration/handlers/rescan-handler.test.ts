import { ECRClient } from '@aws-sdk/client-ecr';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { SQSEvent } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { findingsDocumentClient } from '../../../lambdas/adapters/dynamodb/document-client.ts';
import { DynamoDbQuarantineStore } from '../../../lambdas/adapters/dynamodb/dynamodb-quarantine-store.ts';
import { DynamoDbVerdictStore } from '../../../lambdas/adapters/dynamodb/dynamodb-verdict-store.ts';
import { S3AdvisoryChangeSets } from '../../../lambdas/adapters/s3/s3-advisory-change-sets.ts';
import { rescanMessageBody } from '../../../lambdas/adapters/sqs/sqs-rescan-queue.ts';
import type { OsvRecord } from '../../../lambdas/core/advisories/osv-schema.ts';
import type { ImageAlert } from '../../../lambdas/core/alerts/alert-model.ts';
import type { Digest } from '../../../lambdas/core/digest.ts';
import { lazyRescanHandler, type RescanHandler } from '../../../lambdas/handlers/rescan-images/rescan-handler.ts';
import { runCli } from '../../support/cli.ts';
import { ACCOUNT, REGION, imageActionEvent } from '../../support/ecr-events.ts';
import { sharedFixtures } from '../../support/paths.ts';
import { ALERTS_TOPIC, handlerContext, POLICY_PARAMETER, startScannerHandlerHarness, type ScannerHandlerHarness } from '../../support/scanner-handler-harness.ts';
import { appLayout } from '../dynamodb/pipeline-harness.ts';

/**
 * The rescan handler as Lambda runs it: SQS records received from moto, an SQSEvent and the
 * Context, with the deployed entry's lazy wiring reading the environment the CDK construct sets,
 * on DynamoDB Local and moto S3; the policy, alerts topic, bus and ECR are the scanner harness's
 * mocks, so every SNS and ECR request is checked. Images are stored by the scanner handler itself.
 *
 * Real npm advisories of the shared fixtures: json5 2.2.1 is affected only by GHSA-9c47-m6qq-7p4h
 * (CVE-2022-46175, HIGH), minimist 1.2.5 only by GHSA-xvch-5gv4-984h (CVE-2021-44906, CRITICAL).
 */
const NPM_ADVISORIES = sharedFixtures('osv', 'npm');
const JSON5_ADVISORY = 'GHSA-9c47-m6qq-7p4h';

interface Setup {
  readonly h: ScannerHandlerHarness;
  readonly bucket: string;
  readonly changeSets: S3AdvisoryChangeSets;
  readonly s3: S3Client;
  readonly verdicts: DynamoDbVerdictStore;
  readonly quarantines: DynamoDbQuarantineStore;
}

async function setUp(prefix: string): Promise<Setup> {
  const h = await startScannerHandlerHarness(prefix);
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'local');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local');
  const s3 = new S3Client({ endpoint: inject('motoEndpoint'), region: REGION, forcePathStyle: true, credentials: { accessKeyId: 'moto', secretAccessKey: 'moto' } });
  // The harness names its SBOM bucket `<prefix>-<uuid>`; the sync keeps its change sets there too.
  const buckets = ((await s3.send(new ListBucketsCommand({}))).Buckets ?? []).map((bucket) => bucket.Name!);
  const bucket = buckets.find((name) => name.startsWith(`${prefix}-`) && name.length === prefix.length + 37);
  expect(bucket).toBeDefined();
  const table = { client: findingsDocumentClient(h.dynamodb), tableName: h.findingsTable };
  return { h, bucket: bucket!, s3, changeSets: new S3AdvisoryChangeSets({ client: s3, bucket: bucket! }), verdicts: new DynamoDbVerdictStore(table), quarantines: new DynamoDbQuarantineStore(table) };
}

/** A new execution environment of the deployed entry: the environment RESCAN_ENVIRONMENT names, clients on the local stand-ins. */
function rescanHandler(setup: Setup): RescanHandler {
  const { h } = setup;
  const env = {
    FINDINGS_TABLE_NAME: h.findingsTable,
    ADVISORY_TABLE_NAME: h.advisoryTable,
    SBOM_BUCKET_NAME: setup.bucket,
    HISTORY_RETENTION_DAYS: '30',
    ALERTS_TOPIC_ARN: ALERTS_TOPIC,
    EVENT_BUS_NAME: 'default',
    POLICY_PARAMETER_NAME: POLICY_PARAMETER,
    EMAIL_IMAGE_CAP: '20',
    POWERTOOLS_SERVICE_NAME: 'customs-rescan',
    POWERTOOLS_LOG_LEVEL: process.env.CUSTOMS_TEST_LOG_LEVEL === 'ERROR' ? 'ERROR' : 'SILENT',
    AWS_REGION: REGION,
  };
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  return lazyRescanHandler((read) => {
    expect(read).toMatchObject({ findingsTable: h.findingsTable, advisoryTable: h.advisoryTable, sbomBucket: setup.bucket, region: REGION });
    return {
      clients: {
        dynamodb: h.dynamodb,
        s3: setup.s3,
        ecr: new ECRClient({ region: REGION }),
        sns: new SNSClient({ region: REGION }),
        ssm: new SSMClient({ region: REGION }),
        eventBridge: new EventBridgeClient({ region: REGION }),
      },
    };
  });
}

function fixtureRecord(name: string): OsvRecord {
  return JSON.parse(readFileSync(join(NPM_ADVISORIES, name), 'utf8')) as OsvRecord;
}

/** Loads records into the advisory table as the sync does (the loader `advisories load` uses; the ecosystem marked fresh). */
async function loadAdvisories(h: ScannerHandlerHarness, records: readonly OsvRecord[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'customs-rescan-handler-osv-'));
  for (const record of records) writeFileSync(join(dir, `${record.id}.json`), JSON.stringify(record));
  const load = await runCli(['advisories', 'load', '--table', h.advisoryTable, '--source', dir, '--endpoint', inject('dynamodbEndpoint'), '--region', 'us-east-1', '--quiet']);
  expect(load.code, load.stderr).toBe(0);
}

/** The sync of these records: stored, then their changes handed on through the change set. */
async function synced(setup: Setup, records: readonly OsvRecord[]): Promise<string> {
  const syncId = `sync-${randomUUID()}`;
  await loadAdvisories(setup.h, records);
  const keys = records.flatMap((record) => (record.affected ?? []).flatMap((entry) => (entry.package ? [{ ecosystem: entry.package.ecosystem, name: entry.package.name }] : [])));
  await setup.changeSets.put({ syncId, keys, records, retracted: [] });
  return syncId;
}

/** Pushes an app image and stores it through the scanner handler, as a push does. */
async function pushed(h: ScannerHandlerHarness, repository: string, npm: Record<string, string>): Promise<Digest> {
  const digest = await h.pushLayout(appLayout(npm), `${repository}:1`);
  h.ecrHas(repository, digest, ['1', 'latest']);
  const { records } = await h.deliver([{ id: 'p', body: JSON.stringify(imageActionEvent({ repository, digest, tag: '1' })) }]);
  expect((await h.handler()({ Records: records } as SQSEvent, handlerContext)).batchItemFailures).toEqual([]);
  return digest;
}

function alertsOf(h: ScannerHandlerHarness): { alert: ImageAlert; eventType: string | undefined }[] {
  return h.published.flatMap((entry) => {
    const alert = JSON.parse((JSON.parse(entry.Message!) as { default: string }).default) as ImageAlert;
    return alert.kind === 'image' ? [{ alert, eventType: entry.MessageAttributes?.eventType?.StringValue }] : [];
  });
}

const key = (repository: string, digest: Digest) => ({ account: ACCOUNT, region: REGION, repository, digest });

describe('rescan handler on DynamoDB Local and moto', () => {
  let setup: Setup;

  beforeAll(async () => {
    setup = await setUp('customs-rescan-h');
    // Every npm fixture but the json5 advisory, which arrives later as a sync's new record.
    const names = readdirSync(NPM_ADVISORIES).filter((name) => name.endsWith('.json') && !name.startsWith(JSON5_ADVISORY));
    await loadAdvisories(setup.h, names.map(fixtureRecord));
    // json5's advisory is HIGH: the policy fails on it.
    setup.h.setPolicy({ default: { mode: 'audit', failOn: 'HIGH' }, overrides: [{ repositories: { prefixes: ['enforced/'] }, mode: 'enforce', quarantine: { enforceOnRescan: true } }] });
  });

  afterAll(async () => {
    await setup?.h.stop();
  });

  it('two good records and two bad: only the bad fail; findings written, NEW_FINDINGS published, quarantined on rescan; a redelivery writes nothing', async () => {
    const { h } = setup;
    const enforced = 'enforced/app';
    const audited = 'audited/app';
    const enforcedDigest = await pushed(h, enforced, { json5: '2.2.1', lodash: '4.17.21' });
    const auditedDigest = await pushed(h, audited, { json5: '2.2.1' });
    const bystander = await pushed(h, 'audited/other', { lodash: '4.17.21' });
    for (const digest of [enforcedDigest, auditedDigest, bystander]) {
      expect(await h.results.get(digest)).toMatchObject({ status: 'SCANNED', findingCount: 0 });
    }
    expect(alertsOf(h)).toEqual([]);
    const scanned = await h.results.get(enforcedDigest);
    const bystanderScan = await h.results.get(bystander);
    const writesBefore = h.ecrWrites.length;

    const syncId = await synced(setup, [fixtureRecord(`${JSON5_ADVISORY}.json`)]);
    const bodies = [
      { id: 'enforced', body: rescanMessageBody({ syncId, digests: [enforcedDigest] }) },
      { id: 'unparseable', body: '{"schema":"customs.rescan/v1",' },
      { id: 'audited', body: rescanMessageBody({ syncId, digests: [auditedDigest] }) },
      { id: 'no-change-set', body: rescanMessageBody({ syncId: `sync-${randomUUID()}`, digests: [bystander] }) },
    ];
    const batch = await h.deliver(bodies);
    const response = await rescanHandler(setup)({ Records: batch.records } as SQSEvent, handlerContext);
    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier).sort()).toEqual([batch.ids.get('no-change-set'), batch.ids.get('unparseable')].sort());

    // The good ones' findings are written; the bystander (named only by the bad record) is untouched.
    for (const digest of [enforcedDigest, auditedDigest]) {
      expect((await h.results.findings(digest)).map((finding) => finding.id)).toEqual(['CVE-2022-46175']);
      expect(await h.results.get(digest)).toMatchObject({ status: 'SCANNED', findingCount: 1, severityCounts: { HIGH: 1 } });
    }
    const rescanned = (await h.results.get(enforcedDigest))!;
    expect(rescanned.finishedAt.getTime()).toBeGreaterThan(scanned!.finishedAt.getTime());
    expect(await h.results.get(bystander)).toEqual(bystanderScan);

    // NEW_FINDINGS for each, as SNS received it; the enforced one quarantined (trigger rescan) through the ECR stub.
    const alerts = alertsOf(h);
    expect(alerts.filter((entry) => entry.eventType === 'NEW_FINDINGS').map((entry) => entry.alert.repository.name).sort()).toEqual([audited, enforced]);
    for (const { alert } of alerts.filter((entry) => entry.eventType === 'NEW_FINDINGS')) {
      expect(alert).toMatchObject({ verdict: { value: 'FAIL', previous: 'PASS' }, changes: { newlyFailing: ['CVE-2022-46175'], noLongerFailing: [] } });
    }
    const quarantined = alerts.filter((entry) => entry.eventType === 'QUARANTINED');
    expect(quarantined.map((entry) => entry.alert.repository.name)).toEqual([enforced]);
    expect(quarantined[0]!.alert.quarantine).toMatchObject({ trigger: 'rescan', tags: ['1', 'latest'] });
    expect((await setup.quarantines.get(key(enforced, enforcedDigest)))?.record.state).toBe('QUARANTINED');
    expect(await setup.quarantines.get(key(audited, auditedDigest))).toBeUndefined();
    expect(h.ecrTags(enforced, enforcedDigest)?.some((tag) => tag === '1' || tag === 'latest')).toBe(false);
    expect(h.ecrTags(audited, auditedDigest)).toEqual(['1', 'latest']);
    const quarantineWrites = h.ecrWrites.slice(writesBefore);
    expect(quarantineWrites.length).toBeGreaterThan(0);
    expect(quarantineWrites.every((write) => JSON.stringify(write).includes(enforced) && !JSON.stringify(write).includes(audited))).toBe(true);
    expect((await setup.verdicts.get(key(audited, auditedDigest)))?.verdict).toMatchObject({ verdict: 'FAIL', failingIds: ['CVE-2022-46175'] });

    // The good records delivered again (at least once): nothing written, published or quarantined.
    const published = h.published.length;
    const writes = h.ecrWrites.length;
    const again = await h.deliver(bodies.filter((body) => body.id === 'enforced' || body.id === 'audited'));
    expect((await rescanHandler(setup)({ Records: again.records } as SQSEvent, handlerContext)).batchItemFailures).toEqual([]);
    expect(await h.results.get(enforcedDigest)).toEqual(rescanned);
    expect(h.published).toHaveLength(published);
    expect(h.ecrWrites).toHaveLength(writes);
  });
});

describe('rescan handler: an image scanned before its ecosystem was loaded', () => {
  let setup: Setup;

  beforeAll(async () => {
    setup = await setUp('customs-rescan-hu');
  });

  afterAll(async () => {
    await setup?.h.stop();
  });

  it('ADVISORIES_UNAVAILABLE becomes SCANNED with its findings once the sync has loaded the ecosystem', async () => {
    const { h } = setup;
    const repository = 'unavailable/app';
    const digest = await pushed(h, repository, { minimist: '1.2.5', lodash: '4.17.21' });
    expect(await h.results.get(digest)).toMatchObject({ status: 'ADVISORIES_UNAVAILABLE', unavailableEcosystems: ['npm'], findingCount: 0 });
    expect((await setup.verdicts.get(key(repository, digest)))?.verdict.verdict).toBe('ADVISORIES_UNAVAILABLE');

    // The first npm load: every record is a change, the digest is queued.
    const records = readdirSync(NPM_ADVISORIES).filter((name) => name.endsWith('.json')).map(fixtureRecord);
    const syncId = await synced(setup, records);
    const batch = await h.deliver([{ id: 'r', body: rescanMessageBody({ syncId, digests: [digest] }) }]);
    expect((await rescanHandler(setup)({ Records: batch.records } as SQSEvent, handlerContext)).batchItemFailures).toEqual([]);

    const record = await h.results.get(digest);
    expect(record).toMatchObject({ status: 'SCANNED', findingCount: 1, severityCounts: { CRITICAL: 1 } });
    expect(record?.reason).toBeUndefined();
    expect(record?.unavailableEcosystems).toBeUndefined();
    expect(record?.advisories.map((entry) => [entry.ecosystem, entry.loadedAt instanceof Date])).toEqual([['npm', true]]);
    expect((await h.results.findings(digest)).map((finding) => finding.id)).toEqual(['CVE-2021-44906']);
    expect((await setup.verdicts.get(key(repository, digest)))?.verdict).toMatchObject({ verdict: 'FAIL', failingIds: ['CVE-2021-44906'] });
  });
});
