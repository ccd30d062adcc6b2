import { CreateRepositoryCommand, DescribeImagesCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { findingsDocumentClient } from '../../../lambdas/adapters/dynamodb/document-client.ts';
import { DynamoDbImageStateStore } from '../../../lambdas/adapters/dynamodb/dynamodb-image-state-store.ts';
import { DynamoDbQuarantineStore } from '../../../lambdas/adapters/dynamodb/dynamodb-quarantine-store.ts';
import { DynamoDbVerdictStore } from '../../../lambdas/adapters/dynamodb/dynamodb-verdict-store.ts';
import { FINDINGS_TABLE } from '../../../lambdas/adapters/dynamodb/table-schema.ts';
import { RegionalEcrClients } from '../../../lambdas/adapters/ecr/ecr-clients.ts';
import { EcrQuarantineRegistry } from '../../../lambdas/adapters/ecr/ecr-quarantine-registry.ts';
import { ecrRepositoryArn } from '../../../lambdas/adapters/ecr/ecr-repository-arn.ts';
import { SnsAlertPublisher } from '../../../lambdas/adapters/sns/sns-alert-publisher.ts';
import type { ImageAlert } from '../../../lambdas/core/alerts/alert-model.ts';
import { parseDigest, type Digest } from '../../../lambdas/core/digest.ts';
import type { ImageKey } from '../../../lambdas/core/pipeline/model.ts';
import { quarantineMarkerOf } from '../../../lambdas/core/pipeline/quarantine-model.ts';
import { StaticPolicySource } from '../../../lambdas/core/policy/static-policy-source.ts';
import { enforceVerdicts } from '../../../lambdas/core/use-cases/enforce-verdicts.ts';
import { releaseImage } from '../../../lambdas/core/use-cases/release-image.ts';
import { createLocalTable, localDynamoDbClient } from '../../support/dynamodb-tables.ts';
import { addMotoEcrBridge } from '../../support/moto-ecr-bridge.ts';
import { finding, verdictOf } from '../../unit/core/alerts/alert-fixtures.ts';

/**
 * The untag/release cycle on moto_server's ECR with the real use cases and adapters (stores on
 * DynamoDB Local, alerts through moto's SNS into SQS): two images, the failing one quarantined, a
 * tag of it pushed onto the other meanwhile, then released. At the end DescribeImages must show the
 * right tags on the right digests, no marker, and both images still there.
 *
 * The issue asks for moto to be reset between files; moto is shared by test files running in
 * parallel, so every test here makes repositories, a topic and a queue with names of its own
 * instead, which isolates them the same way without resetting anybody else's state.
 *
 * moto 5.2.1 deletes the whole image for a BatchDeleteImage id naming digest and tag, which is what
 * the adapter sends; the client goes through moto-ecr-bridge.ts, which makes it remove the one tag
 * (or fail ImageTagDoesNotMatchDigest) as ECR does. Everything else is moto's own.
 */
const REGION = 'us-east-1';
const ACCOUNT = '123456789012'; // moto's default account
const OCI = 'application/vnd.oci.image.manifest.v1+json';
const RELEASE = { by: 'arn:aws:iam::123456789012:role/security', reason: 'SEC-21: fixed upstream, not reachable here', trigger: 'request' } as const;

function manifestJson(seed: string): string {
  const blob = (what: string) => `sha256:${createHash('sha256').update(`${what} ${seed}`).digest('hex')}`;
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: blob('config'), size: 100 },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: blob('layer'), size: 200 }],
  });
}

const digestOf = (manifest: string): Digest => parseDigest(`sha256:${createHash('sha256').update(manifest, 'utf8').digest('hex')}`);

describe('the untag/release cycle on moto ECR', () => {
  const moto = { endpoint: inject('motoEndpoint'), region: REGION, credentials: { accessKeyId: 'moto', secretAccessKey: 'moto' } };
  const plain = new ECRClient(moto);
  const sns = new SNSClient(moto);
  const sqs = new SQSClient(moto);
  const scratch = mkdtempSync(join(tmpdir(), 'customs-quarantine-cycle-'));
  let table: { client: ReturnType<typeof findingsDocumentClient>; tableName: string };

  beforeAll(async () => {
    const tableName = await createLocalTable(localDynamoDbClient(), FINDINGS_TABLE, 'customs-quarantine-cycle');
    table = { client: findingsDocumentClient(localDynamoDbClient()), tableName };
  });

  interface World {
    readonly repositoryName: string;
    readonly failing: ImageKey;
    readonly passing: ImageKey;
    readonly manifests: Readonly<Record<'failing' | 'passing', string>>;
    readonly queueUrl: string;
    readonly topicArn: string;
    /** The bridged client the adapter uses, for a test to add a hook to. */
    readonly ecr: ECRClient;
    push(which: 'failing' | 'passing', tag: string): Promise<void>;
  }

  /** A repository with the failing image under `1.0` and `latest` and a passing one under `2.0`, their verdicts and tag history. */
  async function world(name: string): Promise<World> {
    const id = randomUUID().slice(0, 8);
    const repositoryName = `customs-cycle/${name}-${id}`;
    await plain.send(new CreateRepositoryCommand({ registryId: ACCOUNT, repositoryName }));
    const manifests = { failing: manifestJson(`failing ${repositoryName}`), passing: manifestJson(`passing ${repositoryName}`) };
    const keyOf = (which: 'failing' | 'passing'): ImageKey => ({ account: ACCOUNT, region: REGION, repository: repositoryName, digest: digestOf(manifests[which]) });
    const images = new DynamoDbImageStateStore(table);
    const push = async (which: 'failing' | 'passing', tag: string) => {
      await plain.send(new PutImageCommand({ registryId: ACCOUNT, repositoryName, imageManifest: manifests[which], imageManifestMediaType: OCI, imageTag: tag, imageDigest: keyOf(which).digest }));
      // What the scanner records from ECR's PUSH event: the tag history release compares with.
      const at = new Date();
      await images.recordPush({ ...keyOf(which), tag, pushedAt: at, kind: 'push' }, at);
    };
    await push('failing', '1.0');
    await push('failing', 'latest');
    await push('passing', '2.0');
    const verdicts = new DynamoDbVerdictStore(table);
    const fail = { ...verdictOf({ findings: [finding('CVE-2026-2101', 'CRITICAL')] }), mode: 'enforce' as const };
    const pass = { ...verdictOf({ findings: [finding('CVE-2026-2102', 'LOW')] }), mode: 'enforce' as const };
    expect(await verdicts.put(keyOf('failing'), { verdict: fail }, undefined)).toBe(true);
    expect(await verdicts.put(keyOf('passing'), { verdict: pass }, undefined)).toBe(true);

    const topic = await sns.send(new CreateTopicCommand({ Name: `customs-cycle-${id}` }));
    const queue = await sqs.send(new CreateQueueCommand({ QueueName: `customs-cycle-${id}` }));
    const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.QueueUrl, AttributeNames: ['QueueArn'] }));
    await sns.send(new SubscribeCommand({ TopicArn: topic.TopicArn, Protocol: 'sqs', Endpoint: attributes.Attributes!.QueueArn }));

    const ecr = new ECRClient(moto);
    addMotoEcrBridge(ecr, { endpoint: moto.endpoint, region: REGION, stateFile: join(scratch, `${id}.json`) });
    return { repositoryName, failing: keyOf('failing'), passing: keyOf('passing'), manifests, queueUrl: queue.QueueUrl!, topicArn: topic.TopicArn!, ecr, push };
  }

  function deps(w: World) {
    return {
      verdicts: new DynamoDbVerdictStore(table),
      quarantines: new DynamoDbQuarantineStore(table),
      registry: new EcrQuarantineRegistry({ clients: new RegionalEcrClients({ create: () => w.ecr }) }),
      alerts: new SnsAlertPublisher({ client: sns, topicArn: w.topicArn }),
      clock: { now: () => new Date() },
    };
  }

  const enforce = (w: World) =>
    enforceVerdicts(
      [
        { key: w.failing, trigger: 'push' },
        { key: w.passing, trigger: 'push' },
      ],
      { ...deps(w), policies: StaticPolicySource.fromDocument({ default: { mode: 'enforce' } }), options: { repositoryId: ecrRepositoryArn, emailImageCap: 20 } },
    );
  const release = (w: World) => releaseImage({ key: w.failing, ...RELEASE }, { ...deps(w), tags: new DynamoDbImageStateStore(table), options: { repositoryId: ecrRepositoryArn } });

  /** Every image in the repository by digest, with its tags sorted, as moto's DescribeImages lists them. */
  async function registry(w: World): Promise<Record<string, string[]>> {
    const { imageDetails = [] } = await plain.send(new DescribeImagesCommand({ registryId: ACCOUNT, repositoryName: w.repositoryName }));
    return Object.fromEntries(imageDetails.map((image) => [image.imageDigest!, [...(image.imageTags ?? [])].sort()]));
  }

  async function alerts(w: World): Promise<ImageAlert[]> {
    const received: ImageAlert[] = [];
    for (;;) {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: w.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      if (Messages.length === 0) return received;
      for (const message of Messages) received.push(JSON.parse((JSON.parse(message.Body!) as { Message: string }).Message) as ImageAlert);
      await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: w.queueUrl, Entries: Messages.map((m, index) => ({ Id: String(index), ReceiptHandle: m.ReceiptHandle! })) }));
    }
  }

  it('quarantines the failing image, leaves a tag pushed onto the other image meanwhile, and releases the rest', async () => {
    const w = await world('repushed');
    const marker = quarantineMarkerOf(w.failing.digest);
    const outcomes = await enforce(w);
    expect(outcomes.map((outcome) => outcome.action)).toEqual(['quarantined', 'none']);
    // Untagged, kept by its marker only; the passing image untouched.
    expect(await registry(w)).toEqual({ [w.failing.digest]: [marker], [w.passing.digest]: ['2.0'] });
    expect((await alerts(w)).map((alert) => [alert.eventType, alert.image.digest, alert.quarantine?.tags])).toEqual([['QUARANTINED', w.failing.digest, ['1.0', 'latest']]]);

    // Meanwhile somebody moves `latest` to the passing image.
    await w.push('passing', 'latest');
    expect(await registry(w)).toEqual({ [w.failing.digest]: [marker], [w.passing.digest]: ['2.0', 'latest'] });

    const released = await release(w);
    expect(released).toMatchObject({ action: 'released', restoredTags: ['1.0'], keptTags: [{ tag: 'latest', why: 'moved', digest: w.passing.digest }], markerRemoved: true });
    // `1.0` back on the failing digest, `latest` still the newer push's, the marker gone, nothing deleted.
    expect(await registry(w)).toEqual({ [w.failing.digest]: ['1.0'], [w.passing.digest]: ['2.0', 'latest'] });
    const stored = await new DynamoDbQuarantineStore(table).get(w.failing);
    expect(stored?.record).toMatchObject({ state: 'RELEASED', release: { ...RELEASE, restoredTags: ['1.0'], markerRemoved: true } });
    expect(stored?.pending).toBeUndefined();
    expect((await alerts(w)).map((alert) => [alert.eventType, alert.quarantine?.tags, alert.quarantine?.keptTags])).toEqual([
      ['RELEASED', ['1.0'], [{ tag: 'latest', why: 'moved', digest: w.passing.digest }]],
    ]);
    // The restored tag names the exact bytes that were pushed.
    const { imageDetails = [] } = await plain.send(new DescribeImagesCommand({ registryId: ACCOUNT, repositoryName: w.repositoryName, imageIds: [{ imageTag: '1.0' }] }));
    expect(imageDetails.map((image) => image.imageDigest)).toEqual([digestOf(w.manifests.failing)]);
  });

  it('leaves a tag pushed onto the other image between the marker and its delete, and restores only what it removed', async () => {
    const w = await world('raced');
    const marker = quarantineMarkerOf(w.failing.digest);
    // Right after the marker's PutImage (before any delete), `latest` moves to the passing image.
    let raced = false;
    w.ecr.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        if (!raced && context.commandName === 'PutImageCommand' && (args.input as { imageTag?: string }).imageTag === marker) {
          raced = true;
          await w.push('passing', 'latest');
        }
        return result;
      },
      { step: 'initialize', priority: 'high', name: 'customsTestPushAfterMarker' },
    );
    const outcomes = await enforce(w);
    expect(raced).toBe(true);
    expect(outcomes[0]).toMatchObject({ action: 'quarantined', removedTags: ['1.0'], keptTags: [{ tag: 'latest', why: 'moved', digest: w.passing.digest }] });
    expect(await registry(w)).toEqual({ [w.failing.digest]: [marker], [w.passing.digest]: ['2.0', 'latest'] });

    const released = await release(w);
    expect(released).toMatchObject({ action: 'released', restoredTags: ['1.0'], markerRemoved: true });
    expect(await registry(w)).toEqual({ [w.failing.digest]: ['1.0'], [w.passing.digest]: ['2.0', 'latest'] });
    expect((await alerts(w)).map((alert) => [alert.eventType, alert.quarantine?.tags])).toEqual([
      ['QUARANTINED', ['1.0']],
      ['RELEASED', ['1.0']],
    ]);
  });
});
