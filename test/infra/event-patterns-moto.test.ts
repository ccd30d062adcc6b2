import { randomUUID } from 'node:crypto';
import { CreateEventBusCommand, EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { imageActionEvent, pullThroughCacheEvent, REGION, replicationEvent } from '../support/ecr-events.ts';
import { resourcesOfType, synthCustoms } from './synth-customs.ts';

/*
 * The rules' event patterns, as synthesized, loaded into moto_server's EventBridge with an SQS
 * queue behind each: what reaches which queue is what AWS would deliver to the scanner.
 * The PUSH and DELETE events are AWS's documented samples ("Event for a completed image push",
 * "Event for an image deletion"), from
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/ecr-eventbridge.html
 * The others come from test/support/ecr-events.ts, built in the shapes that page documents.
 */
const DOCUMENTED_PUSH = {
  version: '0',
  id: '13cde686-328b-6117-af20-0e5566167482',
  'detail-type': 'ECR Image Action',
  source: 'aws.ecr',
  account: '123456789012',
  time: '2019-11-16T01:54:34Z',
  region: 'us-west-2',
  resources: [],
  detail: {
    result: 'SUCCESS',
    'repository-name': 'my-repository-name',
    'image-digest': 'sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd1234',
    'action-type': 'PUSH',
    'image-tag': 'latest',
  },
};
// The documented deletion differs from the push in its id, time and action only.
const DOCUMENTED_DELETE = {
  ...DOCUMENTED_PUSH,
  id: 'dd3b46cb-2c74-f49e-393b-28286b67279d',
  time: '2019-11-16T02:01:05Z',
  detail: { ...DOCUMENTED_PUSH.detail, 'action-type': 'DELETE' },
};

const digest = (n: number): string => `sha256:${String(n).repeat(64).slice(0, 64)}`;
type Sample = Record<string, unknown> & { readonly detail: Record<string, unknown> };

const { template } = synthCustoms({ watchedRepositories: { names: ['my-repository-name', 'docker-hub/alpine', 'replicated/app'], prefixes: ['team-a/'] } });
const rules = Object.entries(resourcesOfType(template, 'AWS::Events::Rule')).map(([id, rule]) => ({ id, pattern: rule.Properties!.EventPattern }));

const endpoint = inject('motoEndpoint');
const clientConfig = { endpoint, region: REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
const eventBridge = new EventBridgeClient(clientConfig);
const sqs = new SQSClient(clientConfig);
const run = randomUUID().slice(0, 8);
const busName = `customs-infra-${run}`;
const queueUrls = new Map<string, string>();

beforeAll(async () => {
  await eventBridge.send(new CreateEventBusCommand({ Name: busName }));
  for (const [index, rule] of rules.entries()) {
    const name = `customs-${run}-${index}`;
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    await eventBridge.send(new PutRuleCommand({ Name: name, EventBusName: busName, EventPattern: JSON.stringify(rule.pattern), State: 'ENABLED' }));
    await eventBridge.send(new PutTargetsCommand({ Rule: name, EventBusName: busName, Targets: [{ Id: 'scan-queue', Arn: Attributes!.QueueArn }] }));
    queueUrls.set(rule.id, QueueUrl!);
  }
});

/** Puts one event on the bus and answers the logical IDs of the rules whose queue received it. */
async function deliveredBy(sample: Sample): Promise<string[]> {
  const marker = randomUUID();
  const detail = { ...sample.detail, 'customs-test-marker': marker };
  const put = await eventBridge.send(
    new PutEventsCommand({
      Entries: [{ EventBusName: busName, Source: String(sample.source), DetailType: String(sample['detail-type']), Resources: sample.resources as string[], Detail: JSON.stringify(detail) }],
    }),
  );
  expect(put.FailedEntryCount).toBe(0);
  const matched: string[] = [];
  for (const [ruleId, QueueUrl] of queueUrls) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    const bodies = Messages.map((message) => JSON.parse(message.Body!) as { detail: Record<string, unknown>; resources: unknown });
    const mine = bodies.filter((body) => body.detail['customs-test-marker'] === marker);
    if (mine.length > 0) {
      matched.push(ruleId);
      expect(mine[0]!.detail).toEqual(detail);
    }
  }
  return matched;
}

const ruleOf = (detailType: string): string => {
  const rule = rules.find((candidate) => (candidate.pattern as { 'detail-type': string[] })['detail-type'][0] === detailType);
  return rule!.id;
};

describe('the synthesized ECR event patterns, in moto_server EventBridge', () => {
  it('has the three rules', () => {
    expect(rules).toHaveLength(3);
  });

  it('delivers the documented PUSH sample (resources: [])', async () => {
    expect(DOCUMENTED_PUSH.resources).toEqual([]);
    expect(await deliveredBy(DOCUMENTED_PUSH)).toEqual([ruleOf('ECR Image Action')]);
  });

  it('delivers the documented DELETE sample', async () => {
    expect(await deliveredBy(DOCUMENTED_DELETE)).toEqual([ruleOf('ECR Image Action')]);
  });

  it('delivers an untagged child-manifest push (no image-tag)', async () => {
    const child = imageActionEvent({ repository: 'my-repository-name', digest: digest(1), manifestMediaType: 'application/vnd.oci.image.manifest.v1+json' });
    expect(child.detail['image-tag']).toBeUndefined();
    expect(await deliveredBy(child)).toEqual([ruleOf('ECR Image Action')]);
  });

  it('delivers a replication of a watched repository', async () => {
    expect(await deliveredBy(replicationEvent({ repository: 'replicated/app', digest: digest(2), tag: 'v2' }))).toEqual([ruleOf('ECR Replication Action')]);
  });

  it('delivers a pull-through-cache sync of a watched repository', async () => {
    expect(await deliveredBy(pullThroughCacheEvent({ repository: 'docker-hub/alpine', digest: digest(3), tag: '3.20' }))).toEqual([ruleOf('ECR Pull Through Cache Action')]);
  });

  it('delivers a push to a repository under a watched prefix', async () => {
    expect(await deliveredBy(imageActionEvent({ repository: 'team-a/api', digest: digest(4), tag: 'v1' }))).toEqual([ruleOf('ECR Image Action')]);
  });

  it('drops a failed push', async () => {
    expect(await deliveredBy(imageActionEvent({ repository: 'my-repository-name', digest: digest(5), tag: 'v1', result: 'FAILURE' }))).toEqual([]);
  });

  it('drops a push to another repository, and one that only shares a prefix without the separator', async () => {
    expect(await deliveredBy(imageActionEvent({ repository: 'other/app', digest: digest(6), tag: 'v1' }))).toEqual([]);
    expect(await deliveredBy(imageActionEvent({ repository: 'team-ab/api', digest: digest(7), tag: 'v1' }))).toEqual([]);
  });

  it('drops a failed replication and a failed pull-through sync', async () => {
    expect(await deliveredBy(replicationEvent({ repository: 'replicated/app', digest: digest(8), result: 'FAILURE' }))).toEqual([]);
    expect(await deliveredBy(pullThroughCacheEvent({ repository: 'docker-hub/alpine', digest: digest(9), syncStatus: 'FAILURE' }))).toEqual([]);
  });
});
