import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { SnsAlertPublisher } from '../../../lambdas/adapters/sns/sns-alert-publisher.ts';
import type { Alert, AlertEventType, ImageAlert, OutgoingAlert } from '../../../lambdas/core/alerts/alert-model.ts';
import { planDelivery } from '../../../lambdas/core/alerts/plan-delivery.ts';
import { renderEmail } from '../../../lambdas/core/alerts/render-email.ts';
import type { Severity } from '../../../lambdas/core/findings/model.ts';
import type { VerdictValue } from '../../../lambdas/core/pipeline/verdict-model.ts';
import { repoRoot } from '../../support/paths.ts';
import { alertOf, announcedOf, digestOf, finding, T0, verdictOf } from '../../unit/core/alerts/alert-fixtures.ts';

/**
 * The README's two subscription filter policies, read from the README itself, on moto_server's
 * SNS → SQS delivery (which applies attribute, prefix, anything-but and numeric filters): each
 * queue gets exactly the alerts the README says it does, as the SNS envelope around the `default`
 * JSON body. moto's SQS is not thread-safe, so queue calls are made one at a time.
 */
const REGION = 'eu-west-1';

function readmePolicy(name: string): Record<string, unknown> {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const match = new RegExp(`<!-- filter-policy: ${name} -->\\s*\`\`\`json\\n([\\s\\S]*?)\\n\`\`\``).exec(readme);
  if (!match) throw new Error(`README.md has no \`\`\`json block right after <!-- filter-policy: ${name} -->`);
  return JSON.parse(match[1]!) as Record<string, unknown>;
}

function image(repository: string, eventType: AlertEventType, spec: { severity?: Severity; verdict?: VerdictValue; failOn?: Severity }): ImageAlert {
  const findings = spec.severity ? [finding(`CVE-2026-${repository.length}${spec.severity.length}`, spec.severity)] : [];
  const verdict = verdictOf({ findings, ...(spec.verdict ? { verdict: spec.verdict, reason: 'could not judge' } : {}), ...(spec.failOn ? { failOn: spec.failOn } : {}) });
  return alertOf({ eventType, key: { repository, digest: digestOf(`${repository}-${eventType}`) }, verdict, announced: announcedOf('PASS') });
}

interface Delivered {
  readonly alert: Alert;
  readonly subject: string | undefined;
  readonly attributes: Record<string, { Type: string; Value: string }>;
}

describe('the README filter policies on moto SNS → SQS', () => {
  const config = { endpoint: inject('motoEndpoint'), region: REGION, credentials: { accessKeyId: 'moto', secretAccessKey: 'moto' } };
  const sns = new SNSClient(config);
  const sqs = new SQSClient(config);
  const name = `customs-filters-${randomUUID()}`;
  const queues: Record<'team-failures' | 'could-not-judge', string> = { 'team-failures': '', 'could-not-judge': '' };
  const failHigh = image('team-a/x', 'FAILED_POLICY', { severity: 'HIGH' });
  const failMedium = image('team-a/y', 'FAILED_POLICY', { severity: 'MEDIUM', failOn: 'MEDIUM' });
  const failCritical = image('team-b/z', 'FAILED_POLICY', { severity: 'CRITICAL' });
  const lookalike = image('team-ab/x', 'FAILED_POLICY', { severity: 'CRITICAL' });
  const passing = image('team-a/p', 'VERDICT_CHANGED', { severity: 'LOW' });
  const sandboxFailed = image('sandbox/s', 'SCAN_FAILED', { verdict: 'FAILED' });
  const teamFailed = image('team-a/q', 'SCAN_FAILED', { verdict: 'FAILED' });
  const unavailable = image('team-c/w', 'ADVISORIES_UNAVAILABLE', { verdict: 'ADVISORIES_UNAVAILABLE' });
  // A storm of three in team-a/g with an email cap of 1: one to all, two to machines, a summary to people.
  const storm = [0, 1, 2].map((index) =>
    alertOf({ eventType: 'VERDICT_CHANGED', key: { repository: 'team-a/g', digest: digestOf(`g${index}`) }, verdict: verdictOf({ findings: [finding('CVE-2026-0001', 'CRITICAL')] }), announced: announcedOf('PASS') }),
  );
  const singles = [failHigh, failMedium, failCritical, lookalike, passing, sandboxFailed, teamFailed, unavailable];
  const plan: OutgoingAlert[] = [...singles.map((alert) => ({ alert, audience: 'all' as const })), ...planDelivery(storm, { emailImageCap: 1, time: T0 })];
  const group = plan.find((o) => o.audience === 'people')!.alert;

  beforeAll(async () => {
    const topic = await sns.send(new CreateTopicCommand({ Name: name }));
    for (const policy of Object.keys(queues) as (keyof typeof queues)[]) {
      const queue = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-${policy}` }));
      const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.QueueUrl, AttributeNames: ['QueueArn'] }));
      await sns.send(
        new SubscribeCommand({
          TopicArn: topic.TopicArn,
          Protocol: 'sqs',
          Endpoint: attributes.Attributes!.QueueArn,
          Attributes: { FilterPolicy: JSON.stringify(readmePolicy(policy)), FilterPolicyScope: 'MessageAttributes' },
        }),
      );
      queues[policy] = queue.QueueUrl!;
    }
    // Twelve alerts: two PublishBatch requests.
    await new SnsAlertPublisher({ client: sns, topicArn: topic.TopicArn! }).publish(plan);
  });

  async function drain(queueUrl: string): Promise<Delivered[]> {
    const delivered: Delivered[] = [];
    for (;;) {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      if (Messages.length === 0) return delivered;
      for (const message of Messages) {
        const envelope = JSON.parse(message.Body!) as { Type: string; Message: string; Subject?: string; MessageAttributes: Delivered['attributes'] };
        expect(envelope.Type).toBe('Notification');
        delivered.push({ alert: JSON.parse(envelope.Message) as Alert, subject: envelope.Subject, attributes: envelope.MessageAttributes });
      }
      await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: Messages.map((m, index) => ({ Id: String(index), ReceiptHandle: m.ReceiptHandle! })) }));
    }
  }

  it('the team queue gets team-a failures at HIGH and above, image by image, and no storm summary', async () => {
    const delivered = await drain(queues['team-failures']);
    const expected = [failHigh, ...storm];
    expect(delivered.map((d) => d.alert.alertId).sort()).toEqual(expected.map((a) => a.alertId).sort());
    expect(delivered.map((d) => d.alert.alertId)).not.toContain(group.alertId);
    for (const { alert, subject, attributes } of delivered) {
      // SQS gets the `default` body: the alert's JSON, whole.
      const sent = expected.find((a) => a.alertId === alert.alertId)!;
      expect(alert).toEqual(JSON.parse(JSON.stringify(sent)));
      expect(subject).toBe(renderEmail(sent).subject);
      expect(attributes.alertId).toEqual({ Type: 'String', Value: alert.alertId });
      expect(attributes.severityRank!.Type).toBe('Number');
      expect(Number(attributes.severityRank!.Value)).toBeGreaterThanOrEqual(4);
      expect(attributes.repository!.Value.startsWith('team-a/')).toBe(true);
      expect(['all', 'machines']).toContain(attributes.audience!.Value);
    }
  });

  it('the operations queue gets what could not be judged, outside sandbox/', async () => {
    const delivered = await drain(queues['could-not-judge']);
    expect(delivered.map((d) => d.alert.alertId).sort()).toEqual([teamFailed, unavailable].map((a) => a.alertId).sort());
    for (const { alert, attributes } of delivered) {
      expect(attributes.eventType!.Value).toBe(alert.eventType);
      expect(attributes.kind).toEqual({ Type: 'String', Value: 'image' });
      expect(attributes.mode).toEqual({ Type: 'String', Value: 'audit' });
      expect(attributes.verdict!.Value).toBe(alert.verdict.value);
    }
  });
});
