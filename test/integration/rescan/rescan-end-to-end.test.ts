import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { CreateBucketCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { ECRClient } from '@aws-sdk/client-ecr';
import type { SQSEvent } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { DynamoDbAdvisoryLookup } from '../../../lambdas/adapters/dynamodb/advisory-lookup.ts';
import { findingsDocumentClient } from '../../../lambdas/adapters/dynamodb/document-client.ts';
import { DynamoDbQuarantineStore } from '../../../lambdas/adapters/dynamodb/dynamodb-quarantine-store.ts';
import { DynamoDbRescanMarks } from '../../../lambdas/adapters/dynamodb/dynamodb-rescan-marks.ts';
import { DynamoDbVerdictStore } from '../../../lambdas/adapters/dynamodb/dynamodb-verdict-store.ts';
import { RegionalEcrClients } from '../../../lambdas/adapters/ecr/ecr-clients.ts';
import { EcrQuarantineRegistry } from '../../../lambdas/adapters/ecr/ecr-quarantine-registry.ts';
import { ecrRepositoryArn } from '../../../lambdas/adapters/ecr/ecr-repository-arn.ts';
import { EventBridgeEventPublisher } from '../../../lambdas/adapters/eventbridge/eventbridge-event-publisher.ts';
import { S3AdvisoryChangeSets } from '../../../lambdas/adapters/s3/s3-advisory-change-sets.ts';
import { S3SbomStore } from '../../../lambdas/adapters/s3/s3-sbom-store.ts';
import { SnsAlertPublisher } from '../../../lambdas/adapters/sns/sns-alert-publisher.ts';
import { parseRescanMessage, SqsRescanQueue } from '../../../lambdas/adapters/sqs/sqs-rescan-queue.ts';
import { SsmPolicySource } from '../../../lambdas/adapters/ssm/ssm-policy-source.ts';
import type { OsvRecord } from '../../../lambdas/core/advisories/osv-schema.ts';
import type { AdvisoryChanges } from '../../../lambdas/core/advisories/sync-model.ts';
import type { ImageAlert } from '../../../lambdas/core/alerts/alert-model.ts';
import { parseDigest, type Digest } from '../../../lambdas/core/digest.ts';
import type { RawFinding, ScanRecord, StoredFinding } from '../../../lambdas/core/pipeline/model.ts';
import { packageRefs } from '../../../lambdas/core/pipeline/package-refs.ts';
import { toRawFinding } from '../../../lambdas/core/pipeline/raw-findings.ts';
import type { RescanMessage, SbomStore } from '../../../lambdas/core/ports.ts';
import type { ImageSbom } from '../../../lambdas/core/sbom/model.ts';
import { assessVulnerabilities } from '../../../lambdas/core/use-cases/assess-vulnerabilities.ts';
import { enforceVerdicts } from '../../../lambdas/core/use-cases/enforce-verdicts.ts';
import { evaluateImages, type EvaluateImagesDeps } from '../../../lambdas/core/use-cases/evaluate-images.ts';
import { queueRescans, type QueueRescansDeps } from '../../../lambdas/core/use-cases/queue-rescans.ts';
import { releaseImage } from '../../../lambdas/core/use-cases/release-image.ts';
import { rescanImages, type RescanImagesDeps, type RescanRun } from '../../../lambdas/core/use-cases/rescan-images.ts';
import { runCli } from '../../support/cli.ts';
import { ACCOUNT, REGION, imageActionEvent } from '../../support/ecr-events.ts';
import { sharedFixtures } from '../../support/paths.ts';
import { samplePackage, sampleImageSbom } from '../../support/sample-findings.ts';
import { ALERTS_TOPIC, handlerContext, POLICY_PARAMETER, startScannerHandlerHarness, type ScannerHandlerHarness } from '../../support/scanner-handler-harness.ts';
import { appLayout } from '../dynamodb/pipeline-harness.ts';

/**
 * Rescans end to end on DynamoDB Local and moto (S3, SQS), with the policy, alerts topic, bus and
 * ECR answered by the scanner harness's mocks so every alert and quarantine request is checked:
 * an image stored by the push handler is clean; a new advisory for one of its packages is loaded
 * into the advisory table (the CLI's `advisories load`, as the sync writes it) and its changes put
 * in an S3 change set; the fan-out queues the image and the rescan finds the new finding, alerts
 * NEW_FINDINGS once and (enforceOnRescan) quarantines; the advisory withdrawn → RESOLVED and release.
 *
 * The real npm advisories of the shared fixtures: minimist 1.2.5 is affected only by
 * GHSA-xvch-5gv4-984h (CVE-2021-44906, CRITICAL, fixed 1.2.6), json5 2.2.1 only by GHSA-9c47-m6qq-7p4h
 * (CVE-2022-46175, HIGH); both are held back from the first load and arrive as "new" advisories.
 */
const NPM_ADVISORIES = sharedFixtures('osv', 'npm');
const MINIMIST_ADVISORY = 'GHSA-xvch-5gv4-984h';
const JSON5_ADVISORY = 'GHSA-9c47-m6qq-7p4h';
const PREFIX = 'customs-rescan';

describe('rescans of stored images when advisories change', () => {
  let h: ScannerHandlerHarness;
  let s3: S3Client;
  let sboms: S3SbomStore;
  let changeSets: S3AdvisoryChangeSets;
  let queueUrl: string;
  let verdicts: DynamoDbVerdictStore;
  let quarantines: DynamoDbQuarantineStore;
  let marks: DynamoDbRescanMarks;

  beforeAll(async () => {
    h = await startScannerHandlerHarness(PREFIX);
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'local');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local');
    const first = advisoryDir(readdirSync(NPM_ADVISORIES).filter((name) => name.endsWith('.json') && !name.startsWith(MINIMIST_ADVISORY) && !name.startsWith(JSON5_ADVISORY)).map(fixtureRecord));
    await loadAdvisories(first);

    s3 = new S3Client({ endpoint: inject('motoEndpoint'), region: REGION, forcePathStyle: true, credentials: { accessKeyId: 'moto', secretAccessKey: 'moto' } });
    // The harness's SBOM bucket is named after its prefix; the change sets get a bucket of their own.
    const buckets = (await s3.send(new ListBucketsCommand({}))).Buckets ?? [];
    const sbomBucket = buckets.map((bucket) => bucket.Name!).find((name) => name.startsWith(`${PREFIX}-`) && name.length === PREFIX.length + 37);
    expect(sbomBucket).toBeDefined();
    sboms = new S3SbomStore({ client: s3, bucket: sbomBucket! });
    const changeBucket = `${PREFIX}-changes-${randomUUID()}`;
    await s3.send(new CreateBucketCommand({ Bucket: changeBucket }));
    changeSets = new S3AdvisoryChangeSets({ client: s3, bucket: changeBucket });
    queueUrl = (await h.sqs.send(new CreateQueueCommand({ QueueName: `${PREFIX}-${randomUUID()}` }))).QueueUrl!;

    const table = { client: findingsDocumentClient(h.dynamodb), tableName: h.findingsTable };
    verdicts = new DynamoDbVerdictStore(table);
    quarantines = new DynamoDbQuarantineStore(table);
    marks = new DynamoDbRescanMarks(table);
    h.setPolicy({ default: { mode: 'enforce', quarantine: { enforceOnRescan: true } }, overrides: [{ repositories: { prefixes: ['many/'] }, mode: 'audit' }] });
  });

  afterAll(async () => {
    await h?.stop();
  });

  function fixtureRecord(name: string): OsvRecord {
    return JSON.parse(readFileSync(join(NPM_ADVISORIES, name), 'utf8')) as OsvRecord;
  }

  function advisoryDir(records: readonly OsvRecord[]): string {
    const dir = mkdtempSync(join(tmpdir(), 'customs-rescan-osv-'));
    for (const record of records) writeFileSync(join(dir, `${record.id}.json`), JSON.stringify(record));
    return dir;
  }

  async function loadAdvisories(dir: string): Promise<void> {
    const load = await runCli(['advisories', 'load', '--table', h.advisoryTable, '--source', dir, '--endpoint', inject('dynamodbEndpoint'), '--region', 'us-east-1', '--quiet']);
    expect(load.code, load.stderr).toBe(0);
  }

  /** What the sync would do for these records: store them, then hand on their changes through S3. */
  async function synced(syncId: string, records: readonly OsvRecord[]): Promise<AdvisoryChanges> {
    await loadAdvisories(advisoryDir(records));
    const keys = records.flatMap((record) => (record.affected ?? []).flatMap((entry) => (entry.package ? [{ ecosystem: entry.package.ecosystem, name: entry.package.name }] : [])));
    const changes: AdvisoryChanges = { syncId, keys, records, retracted: [] };
    await changeSets.put(changes);
    return changes;
  }

  function rescanDeps(counted: { sbomReads: string[] } = { sbomReads: [] }): RescanImagesDeps {
    const clock = { now: () => new Date() };
    const table = { client: findingsDocumentClient(h.dynamodb), tableName: h.findingsTable };
    const countingSboms: Pick<SbomStore, 'get'> = {
      get: async (ref) => {
        const sbom = await sboms.get(ref);
        counted.sbomReads.push(ref.location);
        return sbom;
      },
    };
    const policies = new SsmPolicySource({ ssm: new SSMClient({ region: REGION }), s3, parameterName: POLICY_PARAMETER, clock, refreshMs: 0 });
    const alerts = new SnsAlertPublisher({ client: new SNSClient({ region: REGION }), topicArn: ALERTS_TOPIC });
    const events = new EventBridgeEventPublisher({ client: new EventBridgeClient({ region: REGION }), eventBusName: 'default' });
    const judging: EvaluateImagesDeps = { images: h.images, results: h.results, sboms, verdicts, policies, alerts, events, clock, options: { emailImageCap: 20, repositoryId: ecrRepositoryArn } };
    const registry = new EcrQuarantineRegistry({ clients: new RegionalEcrClients({ create: () => new ECRClient({ region: REGION }) }) });
    const quarantineOptions = { emailImageCap: 20, repositoryId: ecrRepositoryArn };
    return {
      results: h.results,
      sboms: countingSboms,
      changeSets,
      advisories: new DynamoDbAdvisoryLookup(h.dynamodb, h.advisoryTable),
      holders: h.images,
      judge: (keys, call) => evaluateImages(keys, judging, call),
      enforce: (requests) => enforceVerdicts(requests, { verdicts, quarantines: new DynamoDbQuarantineStore(table), registry, policies, alerts, events, clock, options: quarantineOptions }),
      release: {
        quarantines,
        release: (request) => releaseImage(request, { quarantines, registry, tags: h.images, verdicts, alerts, events, clock, options: { repositoryId: ecrRepositoryArn } }),
      },
      clock,
    };
  }

  const fanOutDeps = (): QueueRescansDeps => ({ results: h.results, marks, queue: new SqsRescanQueue(h.sqs, queueUrl), options: { digestsPerMessage: 4 } });

  /** Every message on the rescan queue now, parsed and deleted (as the re-evaluation Lambda takes them). */
  async function drain(): Promise<RescanMessage[]> {
    const messages: RescanMessage[] = [];
    for (;;) {
      const received = (await h.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }))).Messages ?? [];
      if (received.length === 0) return messages;
      for (const message of received) {
        messages.push(parseRescanMessage(message.Body!));
        await h.sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle! }));
      }
    }
  }

  async function rescanQueued(deps: RescanImagesDeps): Promise<{ runs: RescanRun[]; messages: RescanMessage[] }> {
    const messages = await drain();
    const runs: RescanRun[] = [];
    for (const message of messages) runs.push(await rescanImages(message, deps));
    return { runs, messages };
  }

  const alertsFor = (repository: string): ImageAlert[] =>
    h.published.flatMap((entry) => {
      const body = JSON.parse((JSON.parse(entry.Message!) as { default: string }).default) as ImageAlert;
      return body.kind === 'image' && body.repository.name === repository ? [body] : [];
    });
  const key = (repository: string, digest: Digest) => ({ account: ACCOUNT, region: REGION, repository, digest });

  /** What a fresh full scan of the digest would store now: every SBOM package matched against the table (scan-image.ts's inventory). */
  async function freshFindings(digest: Digest): Promise<RawFinding[]> {
    const record = (await h.results.get(digest))!;
    const sbom = await sboms.get(record.sbom!);
    const report = await assessVulnerabilities({ reference: sbom.reference, images: [sbom] }, new DynamoDbAdvisoryLookup(h.dynamodb, h.advisoryTable), {
      policy: { now: new Date() },
      advisories: { sources: ['advisory table'], loaded: 0, withdrawn: 0, malformed: 0 },
    });
    return sortedRaw(report.images[0]!.findings.map(toRawFinding));
  }
  const sortedRaw = (findings: readonly (RawFinding | StoredFinding)[]): RawFinding[] =>
    findings
      .map((finding) => {
        const { firstSeen: _first, lastSeen: _last, ...raw } = finding as StoredFinding;
        return JSON.parse(JSON.stringify(raw)) as RawFinding;
      })
      .sort((a, b) => a.key.localeCompare(b.key));

  it('a new advisory makes a clean image fail: one NEW_FINDINGS, quarantined (enforceOnRescan); withdrawn, RESOLVED and released', async () => {
    const repository = 'rescan/app';
    const digest = await h.pushLayout(appLayout({ minimist: '1.2.5', lodash: '4.17.21' }), `${repository}:1`);
    h.ecrHas(repository, digest, ['1', 'latest']);
    const { records } = await h.deliver([{ id: 'p', body: JSON.stringify(imageActionEvent({ repository, digest, tag: '1' })) }]);
    expect((await h.handler()({ Records: records } as SQSEvent, handlerContext)).batchItemFailures).toEqual([]);
    expect((await verdicts.get(key(repository, digest)))?.verdict).toMatchObject({ verdict: 'PASS', failingIds: [] });
    expect(await h.results.findings(digest)).toEqual([]);
    expect(alertsFor(repository)).toEqual([]);
    const firstScan = (await h.results.get(digest))!;

    // The sync stores the new advisory and hands its changes on; fan-out, then rescan.
    const changes = await synced(`sync-${randomUUID()}`, [fixtureRecord(`${MINIMIST_ADVISORY}.json`)]);
    const fanOut = await queueRescans(changes, fanOutDeps());
    expect(fanOut).toEqual({ digests: 1, waiting: 0, queued: 1, alreadyQueued: 0, messages: 1 });
    const deps = rescanDeps();
    const { runs, messages } = await rescanQueued(deps);
    expect(messages).toEqual([{ syncId: changes.syncId, digests: [digest] }]);
    const run = runs[0]!;
    expect(run.counts).toMatchObject({ touched: 1, untouched: 0, skipped: 0, added: 1, resolved: 0, updated: 0, quarantined: 1, released: 0 });
    expect(run.digests[0]).toMatchObject({ outcome: 'touched', changes: { added: [expect.stringMatching(/^CVE-2021-44906\|pkg:npm\/minimist@1\.2\.5/)], resolved: [], updated: [] } });

    // Stored findings equal a fresh full scan's; first seen is the rescan's; the scan record says it was re-evaluated.
    const stored = await h.results.findings(digest);
    expect(stored.map((finding) => finding.id)).toEqual(['CVE-2021-44906']);
    expect(sortedRaw(stored)).toEqual(await freshFindings(digest));
    const rescanned = (await h.results.get(digest))!;
    expect(rescanned).toMatchObject({ status: 'SCANNED', findingCount: 1, severityCounts: { CRITICAL: 1 }, sbom: firstScan.sbom, scannerVersion: firstScan.scannerVersion });
    expect(rescanned.finishedAt.getTime()).toBeGreaterThan(firstScan.finishedAt.getTime());

    // Exactly one NEW_FINDINGS went out (SNS PublishBatch checked), then QUARANTINED; tags gone but the marker.
    const afterNew = alertsFor(repository);
    expect(afterNew.map((alert) => alert.eventType)).toEqual(['NEW_FINDINGS', 'QUARANTINED']);
    expect(afterNew[0]).toMatchObject({ verdict: { value: 'FAIL', previous: 'PASS' }, changes: { newlyFailing: ['CVE-2021-44906'], noLongerFailing: [] }, severity: 'CRITICAL' });
    const entry = h.published.find((published) => (JSON.parse((JSON.parse(published.Message!) as { default: string }).default) as ImageAlert).alertId === afterNew[0]!.alertId)!;
    expect(entry.MessageAttributes?.eventType).toEqual({ DataType: 'String', StringValue: 'NEW_FINDINGS' });
    expect(afterNew[1]!.quarantine).toMatchObject({ trigger: 'rescan', tags: ['1', 'latest'] });
    expect((await quarantines.get(key(repository, digest)))?.record.state).toBe('QUARANTINED');
    expect(h.ecrTags(repository, digest)?.some((tag) => tag === '1' || tag === 'latest')).toBe(false);

    // The same message again (a redelivery): nothing written, nothing announced.
    const again = await rescanImages(messages[0]!, deps);
    expect(again.counts).toMatchObject({ touched: 0, untouched: 1, alerts: 0, quarantined: 0 });
    expect(alertsFor(repository)).toHaveLength(2);
    expect((await h.results.get(digest))!.finishedAt).toEqual(rescanned.finishedAt);

    // The advisory is withdrawn: RESOLVED, and the rescan releases the image.
    const record = fixtureRecord(`${MINIMIST_ADVISORY}.json`);
    const withdrawn: OsvRecord = { ...record, modified: new Date().toISOString(), withdrawn: new Date().toISOString() };
    const withdrawal = await synced(`sync-${randomUUID()}`, [withdrawn]);
    expect(await queueRescans(withdrawal, fanOutDeps())).toMatchObject({ digests: 1, queued: 1 });
    const resolved = (await rescanQueued(deps)).runs[0]!;
    expect(resolved.counts).toMatchObject({ touched: 1, added: 0, resolved: 1, updated: 0, released: 1 });
    expect(await h.results.findings(digest)).toEqual([]);
    expect(sortedRaw([])).toEqual(await freshFindings(digest));
    const afterResolved = alertsFor(repository).slice(2);
    expect(afterResolved.map((alert) => alert.eventType)).toEqual(['RESOLVED', 'RELEASED']);
    expect(afterResolved[0]).toMatchObject({ verdict: { value: 'PASS', previous: 'FAIL' }, changes: { newlyFailing: [], noLongerFailing: ['CVE-2021-44906'] } });
    expect(afterResolved[1]!.quarantine?.release).toMatchObject({ by: 'customs', trigger: 'findings-resolved' });
    expect((await quarantines.get(key(repository, digest)))?.record.state).toBe('RELEASED');
    expect(h.ecrTags(repository, digest)).toEqual(expect.arrayContaining(['1', 'latest']));
  });

  it('among 50 stored images only the 10 with the package are re-read and re-evaluated; two overlapping fan-outs queue each once', async () => {
    const withJson5 = new Set<Digest>();
    const all: Digest[] = [];
    for (let index = 0; index < 50; index++) {
      const packages: Record<string, string> = index % 5 === 0 ? { json5: '2.2.1', semver: '7.5.2' } : { semver: '7.5.2', lodash: '4.17.21' };
      const digest = await storeImage(`many/app-${index}`, packages, index);
      all.push(digest);
      if ('json5' in packages) withJson5.add(digest);
    }
    expect(withJson5.size).toBe(10);

    const changes = await synced(`sync-${randomUUID()}`, [fixtureRecord(`${JSON5_ADVISORY}.json`)]);
    const [a, b] = await Promise.all([queueRescans(changes, fanOutDeps()), queueRescans(changes, fanOutDeps())]);
    expect(a.digests).toBe(10);
    expect(b.digests).toBe(10);
    expect(a.queued + b.queued).toBe(10);
    expect(a.alreadyQueued + b.alreadyQueued).toBe(10);
    // A third (a retried sync) queues nothing more.
    expect(await queueRescans(changes, fanOutDeps())).toMatchObject({ queued: 0, alreadyQueued: 10, messages: 0 });

    const counted = { sbomReads: [] as string[] };
    const { runs, messages } = await rescanQueued(rescanDeps(counted));
    const queuedDigests = messages.flatMap((message) => message.digests);
    expect(new Set(queuedDigests).size).toBe(queuedDigests.length);
    expect(new Set(queuedDigests)).toEqual(withJson5);
    expect(messages.every((message) => message.digests.length <= 4)).toBe(true);
    const locations = await Promise.all([...withJson5].map(async (digest) => (await h.results.get(digest))!.sbom!.location));
    expect(new Set(counted.sbomReads)).toEqual(new Set(locations));
    expect(counted.sbomReads).toHaveLength(10);
    const total = runs.reduce((sum, run) => ({ touched: sum.touched + run.counts.touched, added: sum.added + run.counts.added }), { touched: 0, added: 0 });
    expect(total).toEqual({ touched: 10, added: 10 });
    for (const digest of all) {
      const findings = await h.results.findings(digest);
      expect(findings.map((finding) => finding.id)).toEqual(withJson5.has(digest) ? ['CVE-2022-46175'] : []);
      if (withJson5.has(digest)) expect(sortedRaw(findings)).toEqual(await freshFindings(digest));
    }
    // Judged as a rescan: each touched image's verdict moved to the rescan's scan time.
    const judged = runs.flatMap((run) => run.evaluation?.images ?? []);
    expect(new Set(judged.map((image) => image.key.digest))).toEqual(withJson5);
  });

  it('an on-demand rescan (all) re-matches every package without a change set: stale stored findings are brought up to date and judged', async () => {
    // The advisory is in the table, but no sync handed on a change set naming it.
    await loadAdvisories(advisoryDir([fixtureRecord(`${JSON5_ADVISORY}.json`)]));
    const repository = 'many/on-demand';
    const digest = await storeImage(repository, { json5: '2.2.1', semver: '7.5.2' }, 77);
    const current = (await h.results.get(digest))!;
    expect((await h.results.findings(digest)).map((finding) => finding.id)).toEqual(['CVE-2022-46175']);
    // Stored as if scanned before the advisory existed: no findings.
    const sbom = await sboms.get(current.sbom!);
    await h.results.save({ ...current, findingCount: 0, severityCounts: {} }, [], packageRefs(sbom));
    expect(await h.results.findings(digest)).toEqual([]);

    const syncId = `request-${randomUUID()}`;
    await new SqsRescanQueue(h.sqs, queueUrl).send([{ syncId, digests: [digest], all: true }]);
    // A sync-driven rescan of the same id has no change set to read: it fails where an on-demand one goes on.
    await expect(rescanImages({ syncId, digests: [digest] }, rescanDeps())).rejects.toThrow();
    const { runs, messages } = await rescanQueued(rescanDeps());
    expect(messages).toEqual([{ syncId, digests: [digest], all: true }]);
    expect(runs[0]!.counts).toMatchObject({ touched: 1, added: 1, resolved: 0, skipped: 0 });
    const stored = await h.results.findings(digest);
    expect(stored.map((finding) => finding.id)).toEqual(['CVE-2022-46175']);
    expect(sortedRaw(stored)).toEqual(await freshFindings(digest));
    expect(runs[0]!.evaluation?.images.map((image) => [image.key.digest, image.outcome])).toEqual([[digest, 'judged']]);
    expect((await verdicts.get(key(repository, digest)))?.verdict.counts).toMatchObject({ HIGH: 1 });

    // Asked again: every package matched again, nothing changed, nothing written.
    const again = await rescanImages({ syncId, digests: [digest], all: true }, rescanDeps());
    expect(again.counts).toMatchObject({ touched: 0, untouched: 1, skipped: 0 });
    expect(again.digests[0]).toMatchObject({ outcome: 'untouched', matchedPackages: 2 });
  });

  /** An image as a push would leave it (image state, SBOM, scan result and findings), without building one. */
  async function storeImage(repository: string, npm: Record<string, string>, index: number): Promise<Digest> {
    const digest = parseDigest(`sha256:${index.toString(16).padStart(4, '0')}${randomUUID().replaceAll('-', '')}${'0'.repeat(28)}`);
    const packages = Object.entries(npm).map(([name, version]) => {
      const purl = `pkg:npm/${name}@${version}`;
      const path = `/app/node_modules/${name}/package.json`;
      return samplePackage({ id: `${purl}#${path}`, type: 'npm', name, version, purl, source: undefined, architecture: undefined, location: { ...samplePackage().location, path }, cataloger: 'npm-package-json' });
    });
    const sbom: ImageSbom = sampleImageSbom(packages, { reference: `${repository}@${digest}`, repository, manifestDigest: digest });
    const now = new Date();
    await h.images.recordPush({ ...key(repository, digest), tag: '1', pushedAt: now, kind: 'push' }, now);
    const ref = await sboms.put(digest, sbom);
    const report = await assessVulnerabilities({ reference: sbom.reference, images: [sbom] }, new DynamoDbAdvisoryLookup(h.dynamodb, h.advisoryTable), {
      policy: { now },
      advisories: { sources: ['advisory table'], loaded: 0, withdrawn: 0, malformed: 0 },
    });
    const findings = report.images[0]!.findings.map(toRawFinding);
    const record: ScanRecord = {
      digest,
      scannerVersion: 'test',
      status: 'SCANNED',
      platform: sbom.platform,
      layers: [],
      sbom: ref,
      packageCount: packages.length,
      findingCount: findings.length,
      severityCounts: {},
      advisories: [{ ecosystem: 'npm', loadedAt: now }],
      startedAt: now,
      finishedAt: now,
    };
    await h.results.save(record, findings, packageRefs(sbom));
    return digest;
  }
});
