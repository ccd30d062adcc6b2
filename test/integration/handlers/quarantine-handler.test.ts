import type { BatchDeleteImageCommandInput, PutImageCommandInput, UpdateImageStorageClassCommandInput } from '@aws-sdk/client-ecr';
import { ECRClient } from '@aws-sdk/client-ecr';
import { SNSClient } from '@aws-sdk/client-sns';
import type { SQSEvent } from 'aws-lambda';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { findingsDocumentClient } from '../../../lambdas/adapters/dynamodb/document-client.ts';
import { DynamoDbQuarantineStore } from '../../../lambdas/adapters/dynamodb/dynamodb-quarantine-store.ts';
import { DynamoDbVerdictStore } from '../../../lambdas/adapters/dynamodb/dynamodb-verdict-store.ts';
import { RegionalEcrClients } from '../../../lambdas/adapters/ecr/ecr-clients.ts';
import { EcrQuarantineRegistry } from '../../../lambdas/adapters/ecr/ecr-quarantine-registry.ts';
import { ecrRepositoryArn } from '../../../lambdas/adapters/ecr/ecr-repository-arn.ts';
import { SnsAlertPublisher } from '../../../lambdas/adapters/sns/sns-alert-publisher.ts';
import type { ImageAlert } from '../../../lambdas/core/alerts/alert-model.ts';
import type { Digest } from '../../../lambdas/core/digest.ts';
import { quarantineMarkerOf } from '../../../lambdas/core/pipeline/quarantine-model.ts';
import { releaseImage } from '../../../lambdas/core/use-cases/release-image.ts';
import { runCli } from '../../support/cli.ts';
import { ACCOUNT, REGION, imageActionEvent } from '../../support/ecr-events.ts';
import { sharedFixtures } from '../../support/paths.ts';
import { handlerContext, startScannerHandlerHarness, ALERTS_TOPIC, type ScannerHandlerHarness } from '../../support/scanner-handler-harness.ts';
import { appLayout } from '../dynamodb/pipeline-harness.ts';

/**
 * Enforce mode through the scanner handler as Lambda runs it (DynamoDB Local, moto's SQS and S3, a
 * real registry), ECR's API answered by the harness's stub so every PutImage, BatchDeleteImage and
 * UpdateImageStorageClass is checked exactly, and ECR's own events for those calls delivered back
 * as ECR would send them. minimist 1.2.0 has a CRITICAL (CVE-2021-44906) in the shared npm advisories.
 */
const NPM_ADVISORIES = sharedFixtures('osv', 'npm');
const VULNERABLE = { minimist: '1.2.0' };
const alertSchema = JSON.parse(readFileSync(new URL('../../../lambdas/core/alerts/alert-schema.json', import.meta.url), 'utf8')) as object;

const keyOf = (repository: string, digest: Digest) => ({ account: ACCOUNT, region: REGION, repository, digest });

describe('quarantine from the scanner handler', () => {
  let h: ScannerHandlerHarness;
  let verdicts: DynamoDbVerdictStore;
  let quarantines: DynamoDbQuarantineStore;
  const validate = addFormats.default(new Ajv2020({ strict: true, allErrors: true })).compile(alertSchema);

  beforeAll(async () => {
    h = await startScannerHandlerHarness('customs-quarantine');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'local');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local');
    const load = await runCli(['advisories', 'load', '--table', h.advisoryTable, '--source', NPM_ADVISORIES, '--endpoint', inject('dynamodbEndpoint'), '--region', 'us-east-1', '--quiet']);
    expect(load.code, load.stderr).toBe(0);
    const table = { client: findingsDocumentClient(h.dynamodb), tableName: h.findingsTable };
    verdicts = new DynamoDbVerdictStore(table);
    quarantines = new DynamoDbQuarantineStore(table);
    h.setPolicy({
      default: { mode: 'enforce' },
      overrides: [
        { repositories: { prefixes: ['audited/'] }, mode: 'audit' },
        { repositories: { prefixes: ['archived/'] }, quarantine: { method: 'archive' } },
      ],
    });
  });

  afterAll(async () => {
    await h?.stop();
  });

  async function pushed(repository: string, tags: readonly string[]): Promise<Digest> {
    const digest = await h.pushLayout(appLayout(VULNERABLE), `${repository}:${tags[0]}`);
    h.ecrHas(repository, digest, tags);
    return digest;
  }

  /** Delivers ECR events (PUSH or DELETE) to a new handler; answers the ids of records reported failed. */
  async function deliver(events: readonly { repository: string; digest: string; tag: string; action?: 'PUSH' | 'DELETE' }[]): Promise<string[]> {
    const bodies = events.map((event, index) => ({ id: `e${index}`, body: JSON.stringify(imageActionEvent(event)) }));
    const { records, ids } = await h.deliver(bodies);
    const response = await h.handler()({ Records: records } as SQSEvent, handlerContext);
    const failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
    return events.flatMap((_, index) => (failed.has(ids.get(`e${index}`)!) ? [`e${index}`] : []));
  }

  const alertsFor = (repository: string): ImageAlert[] =>
    h.published.flatMap((entry) => {
      const body = JSON.parse((JSON.parse(entry.Message!) as { default: string }).default) as ImageAlert;
      return body.repository.name === repository ? [body] : [];
    });
  const writesFor = (repository: string) => h.ecrWrites.filter((write) => write.input.repositoryName === repository);
  const manifestOf = async (repository: string, digest: string): Promise<string> => {
    const response = await fetch(`http://${h.registry.registryHost}/v2/${repository}/manifests/${digest}`, {
      headers: { Authorization: `Basic ${Buffer.from(`${h.registry.username}:${h.registry.password}`).toString('base64')}`, Accept: 'application/vnd.oci.image.manifest.v1+json' },
    });
    return response.text();
  };

  it('untags a failing push: the marker first with the exact manifest, then digest-and-tag deletes; QUARANTINED alert, event and record', async () => {
    const repository = 'enforced/app';
    const digest = await pushed(repository, ['1', 'latest']);
    expect(await deliver([{ repository, digest, tag: '1' }])).toEqual([]);

    const marker = quarantineMarkerOf(digest);
    const manifest = await manifestOf(repository, digest);
    expect(createHash('sha256').update(manifest).digest('hex')).toBe(digest.slice('sha256:'.length));
    const writes = writesFor(repository);
    expect(writes[0]).toEqual({
      command: 'PutImage',
      input: { registryId: ACCOUNT, repositoryName: repository, imageDigest: digest, imageTag: marker, imageManifest: manifest, imageManifestMediaType: 'application/vnd.oci.image.manifest.v1+json' },
    });
    const deletes = writes.slice(1);
    expect(deletes.every((write) => write.command === 'BatchDeleteImage')).toBe(true);
    const deleted = deletes.flatMap((write) => (write.input as BatchDeleteImageCommandInput).imageIds ?? []);
    expect(deleted.sort((a, b) => a.imageTag!.localeCompare(b.imageTag!))).toEqual([
      { imageDigest: digest, imageTag: '1' },
      { imageDigest: digest, imageTag: 'latest' },
    ]);
    expect(h.ecrTags(repository, digest)).toEqual([marker]);

    const alerts = alertsFor(repository);
    expect(alerts.map((alert) => alert.eventType)).toEqual(['FAILED_POLICY', 'QUARANTINED']);
    const quarantined = alerts[1]!;
    expect(validate(quarantined), JSON.stringify(validate.errors)).toBe(true);
    expect(quarantined.quarantine).toMatchObject({ state: 'QUARANTINED', method: 'untag', trigger: 'push', tags: ['1', 'latest'], keptTags: [], marker });
    expect(quarantined.quarantine!.warnings.map((warning) => warning.code)).toContain('DIGEST_PULLABLE');
    const entry = h.published.find((published) => (JSON.parse((JSON.parse(published.Message!) as { default: string }).default) as ImageAlert).alertId === quarantined.alertId)!;
    expect(entry.MessageAttributes?.eventType?.StringValue).toBe('QUARANTINED');
    expect(h.events.filter((event) => event.DetailType === 'Customs Quarantine').map((event) => (JSON.parse(event.Detail!) as { alertId: string }).alertId)).toContain(quarantined.alertId);

    const stored = await quarantines.get(keyOf(repository, digest));
    expect(stored?.record).toMatchObject({ state: 'QUARANTINED', method: 'untag', marker, removing: [] });
    expect(stored!.record.removedTags.map((removed) => removed.tag).sort()).toEqual(['1', 'latest']);
    expect(stored!.record.verdict.failingIds).toEqual(['CVE-2021-44906']);
    expect(stored?.pending).toBeUndefined();
  });

  it('takes ECR’s events for its own calls without a scan or a loop, and untags the digest again when it is pushed under a new tag', async () => {
    const repository = 'enforced/retagged';
    const digest = await pushed(repository, ['1']);
    expect(await deliver([{ repository, digest, tag: '1' }])).toEqual([]);
    const marker = quarantineMarkerOf(digest);
    const scans = h.scans.length;
    const writes = writesFor(repository).length;
    const alerts = alertsFor(repository).length;

    // What ECR sends back for quarantine's own PutImage and BatchDeleteImage.
    expect(await deliver([{ repository, digest, tag: marker }, { repository, digest, tag: '1', action: 'DELETE' }])).toEqual([]);
    expect(h.scans.length).toBe(scans);
    expect(writesFor(repository)).toHaveLength(writes);
    expect(alertsFor(repository)).toHaveLength(alerts);
    const state = await h.images.get(keyOf(repository, digest));
    expect(state?.tags).toEqual([]);

    // Somebody pushes the quarantined digest again under a new tag: its stored verdict quarantines that tag too.
    h.ecrHas(repository, digest, [marker, 'hotfix']);
    expect(await deliver([{ repository, digest, tag: 'hotfix' }])).toEqual([]);
    const again = writesFor(repository).slice(writes);
    expect(again.filter((write) => write.command === 'BatchDeleteImage').map((write) => (write.input as BatchDeleteImageCommandInput).imageIds)).toEqual([[{ imageDigest: digest, imageTag: 'hotfix' }]]);
    expect(h.ecrTags(repository, digest)).toEqual([marker]);
    const latest = alertsFor(repository).slice(alerts);
    expect(latest.map((alert) => [alert.eventType, alert.quarantine?.tags])).toEqual([['QUARANTINED', ['hotfix']]]);
    const stored = await quarantines.get(keyOf(repository, digest));
    expect(stored!.record.removedTags.map((removed) => removed.tag).sort()).toEqual(['1', 'hotfix']);
  });

  it('reports only in audit mode', async () => {
    const repository = 'audited/app';
    const digest = await pushed(repository, ['1']);
    expect(await deliver([{ repository, digest, tag: '1' }])).toEqual([]);
    expect(alertsFor(repository).map((alert) => alert.eventType)).toEqual(['FAILED_POLICY']);
    expect(writesFor(repository)).toEqual([]);
    expect(h.ecrTags(repository, digest)).toEqual(['1']);
    expect(await quarantines.get(keyOf(repository, digest))).toBeUndefined();
  });

  it('archives instead of untagging an immutable repository, and asks ECR to archive where the policy says so', async () => {
    for (const [repository, setup] of [
      ['enforced/immutable', () => h.ecrMutability('enforced/immutable', 'IMMUTABLE')],
      ['archived/app', () => undefined],
    ] as const) {
      setup();
      const digest = await pushed(repository, ['1']);
      expect(await deliver([{ repository, digest, tag: '1' }])).toEqual([]);
      const writes = writesFor(repository);
      expect(writes).toEqual([
        { command: 'UpdateImageStorageClass', input: { registryId: ACCOUNT, repositoryName: repository, imageId: { imageDigest: digest }, targetStorageClass: 'ARCHIVE' } satisfies UpdateImageStorageClassCommandInput },
      ]);
      expect(h.ecrTags(repository, digest)).toEqual(['1']);
      expect(h.ecrStatus(repository, digest)).toBe('ARCHIVED');
      const quarantined = alertsFor(repository).at(-1)!;
      expect(quarantined.quarantine).toMatchObject({ method: 'archive', storage: 'ARCHIVED' });
      if (repository === 'enforced/immutable') expect(quarantined.quarantine!.warnings.map((warning) => warning.code)).toContain('IMMUTABLE_TAGS');
    }
  });

  it('releases: the removed tags go back unless pushed since, then the marker; the restore’s own PUSH events quarantine nothing', async () => {
    const repository = 'enforced/released';
    const digest = await pushed(repository, ['1', 'stable']);
    expect(await deliver([{ repository, digest, tag: '1' }])).toEqual([]);
    const marker = quarantineMarkerOf(digest);
    // Meanwhile somebody pushes a fixed image under `stable`.
    const fixed = await h.pushLayout(appLayout({}), `${repository}:stable`);
    h.ecrHas(repository, fixed, ['stable']);
    expect(await deliver([{ repository, digest: fixed, tag: 'stable' }])).toEqual([]);
    const before = writesFor(repository).length;

    const ecr = new RegionalEcrClients({ create: () => new ECRClient({ region: REGION }) });
    const released = await releaseImage(
      { key: keyOf(repository, digest), by: 'arn:aws:iam::111122223333:role/security', reason: 'SEC-7: not reachable in this service', trigger: 'request' },
      {
        quarantines,
        registry: new EcrQuarantineRegistry({ clients: ecr }),
        tags: h.images,
        verdicts,
        alerts: new SnsAlertPublisher({ client: new SNSClient({ region: REGION }), topicArn: ALERTS_TOPIC }),
        clock: { now: () => new Date() },
        options: { repositoryId: ecrRepositoryArn },
      },
    );
    expect(released).toMatchObject({ action: 'released', restoredTags: ['1'], markerRemoved: true });
    expect(released.action === 'released' && released.keptTags).toEqual([{ tag: 'stable', why: 'moved', digest: fixed }]);
    const writes = writesFor(repository).slice(before);
    expect(writes.map((write) => [write.command, (write.input as PutImageCommandInput).imageTag ?? (write.input as BatchDeleteImageCommandInput).imageIds])).toEqual([
      ['PutImage', '1'],
      ['BatchDeleteImage', [{ imageDigest: digest, imageTag: marker }]],
    ]);
    expect(h.ecrTags(repository, digest)).toEqual(['1']);
    expect(h.ecrTags(repository, fixed)).toEqual(['stable']);
    const alert = alertsFor(repository).at(-1)!;
    expect(alert.eventType).toBe('RELEASED');
    expect(alert.quarantine).toMatchObject({ state: 'RELEASED', tags: ['1'], release: { by: 'arn:aws:iam::111122223333:role/security', reason: 'SEC-7: not reachable in this service', trigger: 'request' } });
    expect((await quarantines.get(keyOf(repository, digest)))?.record.state).toBe('RELEASED');

    // ECR's PUSH event for the restored tag: recorded, judged FAIL as before, not quarantined again.
    const alerts = alertsFor(repository).length;
    expect(await deliver([{ repository, digest, tag: '1' }, { repository, digest, tag: marker, action: 'DELETE' }])).toEqual([]);
    expect(writesFor(repository).slice(before + writes.length)).toEqual([]);
    expect(h.ecrTags(repository, digest)).toEqual(['1']);
    expect(alertsFor(repository)).toHaveLength(alerts);
    expect((await verdicts.get(keyOf(repository, digest)))?.verdict.verdict).toBe('FAIL');
    expect((await h.images.get(keyOf(repository, digest)))?.tags).toEqual(['1']);
  });
});
