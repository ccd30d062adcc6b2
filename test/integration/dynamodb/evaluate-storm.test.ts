import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PublishBatchCommand, SNSClient, type PublishBatchRequestEntry } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { findingsDocumentClient } from '../../../lambdas/adapters/dynamodb/document-client.ts';
import { DynamoDbImageStateStore } from '../../../lambdas/adapters/dynamodb/dynamodb-image-state-store.ts';
import { DynamoDbScanResultStore } from '../../../lambdas/adapters/dynamodb/dynamodb-scan-result-store.ts';
import { DynamoDbVerdictStore } from '../../../lambdas/adapters/dynamodb/dynamodb-verdict-store.ts';
import { FINDINGS_TABLE } from '../../../lambdas/adapters/dynamodb/table-schema.ts';
import { ecrRepositoryArn } from '../../../lambdas/adapters/ecr/ecr-repository-arn.ts';
import { EventBridgeEventPublisher } from '../../../lambdas/adapters/eventbridge/eventbridge-event-publisher.ts';
import { SnsAlertPublisher } from '../../../lambdas/adapters/sns/sns-alert-publisher.ts';
import type { Alert } from '../../../lambdas/core/alerts/alert-model.ts';
import { parseDigest, type Digest } from '../../../lambdas/core/digest.ts';
import type { ImageKey, ScanRecord } from '../../../lambdas/core/pipeline/model.ts';
import { compilePolicyCatalogue } from '../../../lambdas/core/policy/policy-catalogue.ts';
import { parsePolicyDocument } from '../../../lambdas/core/policy/policy-document.ts';
import { StaticPolicySource } from '../../../lambdas/core/policy/static-policy-source.ts';
import { evaluateImages, type EvaluateImagesDeps } from '../../../lambdas/core/use-cases/evaluate-images.ts';
import { mapLimit } from '../../../lambdas/core/util/map-limit.ts';
import { createLocalTable, localDynamoDbClient } from '../../support/dynamodb-tables.ts';
import { glibcRawFinding } from '../../support/sample-findings.ts';

/**
 * A storm: one advisory in 500 stored images. Looney Tunables (CVE-2023-4911, glibc's ld.so, HIGH)
 * is accepted until an ignore entry expires; the evaluation run after the expiry turns every image
 * FAIL. People get each repository's first images and one summary; machines get every image. Real
 * DynamoDB Local stores; SNS and EventBridge requests checked exactly with aws-sdk-client-mock.
 */
const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const CVE = 'CVE-2023-4911';
const CAP = 20;
const policy = parsePolicyDocument({ default: { failOn: 'HIGH', ignore: [{ id: CVE, reason: 'ld.so is not setuid in our images; SEC-7', expires: '2026-12-31' }] } });
const beforeExpiry = new Date('2026-12-10T00:00:00Z');
const afterExpiry = new Date('2027-01-01T00:00:01Z');


describe('evaluating 500 images one advisory touches', () => {
  const dynamodb = localDynamoDbClient();
  let tableName: string;
  let deps: Omit<EvaluateImagesDeps, 'clock' | 'alerts' | 'events'> & { sns: SNSClient; bus: EventBridgeClient };
  const keys = new Map<string, ImageKey[]>();

  async function storeImages(repository: string, count: number): Promise<ImageKey[]> {
    const table = { client: findingsDocumentClient(dynamodb), tableName };
    const images = new DynamoDbImageStateStore(table);
    const results = new DynamoDbScanResultStore(table);
    return mapLimit(Array.from({ length: count }, (_, index) => index), 16, async (index) => {
      const digest: Digest = parseDigest(`sha256:${randomBytes(32).toString('hex')}`);
      const key = { account: ACCOUNT, region: REGION, repository, digest };
      await images.recordPush({ ...key, tag: `build-${index}`, pushedAt: beforeExpiry, kind: 'push' }, beforeExpiry);
      const finding = glibcRawFinding();
      const record: ScanRecord = {
        digest,
        scannerVersion: 'v',
        status: 'SCANNED',
        layers: [],
        packageCount: 1,
        findingCount: 1,
        severityCounts: { HIGH: 1 },
        advisories: [{ ecosystem: 'Debian', loadedAt: beforeExpiry }],
        startedAt: beforeExpiry,
        finishedAt: beforeExpiry,
      };
      await results.save(record, [finding], [{ ecosystem: 'Debian:12', name: 'glibc' }]);
      return key;
    });
  }

  beforeAll(async () => {
    tableName = await createLocalTable(dynamodb, FINDINGS_TABLE, 'customs-storm');
    const table = { client: findingsDocumentClient(dynamodb), tableName };
    deps = {
      images: new DynamoDbImageStateStore(table),
      results: new DynamoDbScanResultStore(table),
      sboms: { get: async () => Promise.reject(new Error('no SBOM is needed: the policy has no VEX and no package-scoped ignore entry')) },
      verdicts: new DynamoDbVerdictStore(table),
      policies: new StaticPolicySource(compilePolicyCatalogue(policy, new Map())),
      options: { emailImageCap: CAP, repositoryId: ecrRepositoryArn },
      sns: new SNSClient({ region: REGION }),
      bus: new EventBridgeClient({ region: REGION }),
    };
    for (const [repository, count] of [['storm/base', 400], ['storm/tools', 100], ['storm/recovering', 30]] as const) keys.set(repository, await storeImages(repository, count));
  }, 120_000);

  function run(keysToJudge: readonly ImageKey[], at: Date, sns = deps.sns) {
    return evaluateImages(keysToJudge, {
      ...deps,
      alerts: new SnsAlertPublisher({ client: sns, topicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:alerts` }),
      events: new EventBridgeEventPublisher({ client: deps.bus, eventBusName: 'default' }),
      clock: { now: () => at },
    });
  }

  const bodies = (entries: readonly PublishBatchRequestEntry[]): { alert: Alert; audience: string }[] =>
    entries.map((entry) => ({ alert: JSON.parse((JSON.parse(entry.Message!) as { default: string }).default) as Alert, audience: entry.MessageAttributes!.audience!.StringValue! }));

  it('groups per repository and advisory, caps what email gets, and gives machines every image; a rerun announces nothing', async () => {
    const sns = mockClient(deps.sns);
    const bus = mockClient(deps.bus);
    sns.on(PublishBatchCommand).callsFake(async (input: { PublishBatchRequestEntries: PublishBatchRequestEntry[] }) => ({ Successful: input.PublishBatchRequestEntries.map((entry) => ({ Id: entry.Id, MessageId: entry.Id })), Failed: [] }));
    bus.on(PutEventsCommand).callsFake(async (input: { Entries: unknown[] }) => ({ FailedEntryCount: 0, Entries: input.Entries.map(() => ({ EventId: 'e' })) }));
    const stormKeys = [...keys.get('storm/base')!, ...keys.get('storm/tools')!];

    // Before the expiry every image passes: recorded, nobody told.
    const first = await run(stormKeys, beforeExpiry);
    expect(first.images.every((image) => image.outcome === 'judged' && image.verdict === 'PASS' && image.decision === 'silent')).toBe(true);
    expect(sns.commandCalls(PublishBatchCommand)).toHaveLength(0);

    const storm = await run(stormKeys, afterExpiry);
    expect(storm.images.filter((image) => image.outcome === 'judged' && image.decision === 'VERDICT_CHANGED')).toHaveLength(500);
    const calls = sns.commandCalls(PublishBatchCommand);
    const entries = calls.flatMap((call) => call.args[0].input.PublishBatchRequestEntries ?? []);
    // 500 image messages and one summary per repository, ten to a request.
    expect(entries).toHaveLength(502);
    expect(calls).toHaveLength(51);
    expect(calls.every((call) => (call.args[0].input.PublishBatchRequestEntries ?? []).length <= 10)).toBe(true);

    const published = bodies(entries);
    for (const [repository, total] of [['storm/base', 400], ['storm/tools', 100]] as const) {
      const mine = published.filter(({ alert }) => alert.repository.name === repository);
      const count = (audience: string) => mine.filter((entry) => entry.audience === audience).length;
      expect([count('all'), count('machines'), count('people')]).toEqual([CAP, total - CAP, 1]);
      const group = mine.find(({ audience }) => audience === 'people')!.alert;
      expect(group).toMatchObject({ kind: 'group', eventType: 'VERDICT_CHANGED', advisory: CVE, verdict: { value: 'FAIL' }, images: { total } });
      if (group.kind !== 'group') throw new Error('unreachable');
      expect(group.images.listed).toHaveLength(Math.min(total, 50));
      const imageAlerts = mine.flatMap(({ alert }) => (alert.kind === 'image' ? [alert] : []));
      expect(imageAlerts.every((alert) => alert.verdict.previous === 'PASS' && alert.changes.newlyFailing.join() === CVE)).toBe(true);
      expect(new Set(imageAlerts.map((alert) => alert.alertId)).size).toBe(total);
    }
    // Each image's verdict event and its finding event: 1,000 events, ten to a PutEvents.
    const events = bus.commandCalls(PutEventsCommand).flatMap((call) => call.args[0].input.Entries ?? []);
    expect(events.filter((event) => event.DetailType === 'Customs Verdict')).toHaveLength(500);
    expect(events.filter((event) => event.DetailType === 'Customs Finding')).toHaveLength(500);

    // The same run again (a retried message, an overlapping sync) finds every change announced.
    sns.resetHistory();
    const again = await run(stormKeys, afterExpiry);
    expect(again.published).toEqual({ alerts: 0, events: 0 });
    expect(sns.commandCalls(PublishBatchCommand)).toHaveLength(0);
    sns.restore();
    bus.restore();
  }, 120_000);

  it('recovers a run whose publish failed: the next run publishes the same alerts, grouped the same way', async () => {
    const sns = mockClient(deps.sns);
    const bus = mockClient(deps.bus);
    bus.on(PutEventsCommand).callsFake(async (input: { Entries: unknown[] }) => ({ FailedEntryCount: 0, Entries: input.Entries.map(() => ({ EventId: 'e' })) }));
    const recovering = keys.get('storm/recovering')!;
    await run(recovering, beforeExpiry);

    sns.on(PublishBatchCommand).rejects(Object.assign(new Error('KMS key is disabled'), { name: 'KMSDisabledException', $metadata: { httpStatusCode: 400 } }));
    await expect(run(recovering, afterExpiry)).rejects.toThrow();
    const pending = await deps.verdicts.getMany(recovering);
    expect(pending.every((stored) => stored?.pending?.alert.eventType === 'VERDICT_CHANGED')).toBe(true);
    const pendingIds = pending.map((stored) => stored!.pending!.alert.alertId).sort();

    sns.reset();
    sns.on(PublishBatchCommand).callsFake(async (input: { PublishBatchRequestEntries: PublishBatchRequestEntry[] }) => ({ Successful: input.PublishBatchRequestEntries.map((entry) => ({ Id: entry.Id, MessageId: entry.Id })), Failed: [] }));
    const recovered = await run(recovering, new Date(afterExpiry.getTime() + 60_000));
    const published = bodies(sns.commandCalls(PublishBatchCommand).flatMap((call) => call.args[0].input.PublishBatchRequestEntries ?? []));
    expect(published.filter(({ alert }) => alert.kind === 'image').map(({ alert }) => alert.alertId).sort()).toEqual(pendingIds);
    expect(published.map(({ audience }) => audience).sort()).toEqual([...Array<string>(CAP).fill('all'), ...Array<string>(10).fill('machines'), 'people'].sort());
    // Nothing new was decided in the recovering run: the changes were the failed run's.
    expect(recovered.images.every((image) => image.outcome === 'judged' && image.decision === 'none')).toBe(true);
    expect((await deps.verdicts.getMany(recovering)).every((stored) => stored?.pending === undefined && stored?.announced?.verdict === 'FAIL')).toBe(true);
    sns.restore();
    bus.restore();
  }, 60_000);
});
