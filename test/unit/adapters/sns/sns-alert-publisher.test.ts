import { PublishBatchCommand, SNSClient, type PublishBatchCommandInput, type PublishBatchRequestEntry } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_BATCH_BYTES, SnsAlertPublisher } from '../../../../lambdas/adapters/sns/sns-alert-publisher.ts';
import { snsMessageOf } from '../../../../lambdas/adapters/sns/sns-message.ts';
import type { OutgoingAlert } from '../../../../lambdas/core/alerts/alert-model.ts';
import { planDelivery } from '../../../../lambdas/core/alerts/plan-delivery.ts';
import { renderEmail } from '../../../../lambdas/core/alerts/render-email.ts';
import { alertOf, announcedOf, digestOf, finding, T0, verdictOf } from '../../core/alerts/alert-fixtures.ts';

const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:customs-alerts';
const sns = mockClient(SNSClient);
const publisher = new SnsAlertPublisher({ client: new SNSClient({ region: 'eu-west-1' }), topicArn: TOPIC, retry: { maxAttempts: 3, baseDelayMs: 1 } });

afterEach(() => {
  sns.reset();
});

/** `count` failing images; `tagBytes` of tags make each alert's JSON that much larger (the email lists only 20). */
function outgoing(count: number, tagBytes = 0): OutgoingAlert[] {
  const tags = ['1.2', ...Array.from({ length: Math.ceil(tagBytes / 128) }, (_, index) => `${String(index).padStart(6, '0')}-${'t'.repeat(121)}`)];
  return Array.from({ length: count }, (_, index) => ({
    alert: alertOf({ key: { digest: digestOf(`img-${index}`) }, tags, verdict: verdictOf({ findings: [finding(`CVE-2026-${1000 + index}`, 'HIGH')] }) }),
    audience: 'all' as const,
  }));
}

/** Answers every entry of every batch as published. */
function acceptAll(): void {
  sns.on(PublishBatchCommand).callsFake((input: PublishBatchCommandInput) => ({
    Successful: (input.PublishBatchRequestEntries ?? []).map((entry) => ({ Id: entry.Id, MessageId: `m-${entry.Id}` })),
    Failed: [],
  }));
}

function sentEntries(): PublishBatchRequestEntry[][] {
  return sns.commandCalls(PublishBatchCommand).map((call) => call.args[0].input.PublishBatchRequestEntries ?? []);
}

describe('SnsAlertPublisher', () => {
  it('publishes each alert with per-protocol bodies, the email subject and typed attributes', async () => {
    acceptAll();
    const [one] = outgoing(1);
    await publisher.publish([{ ...one!, audience: 'machines' }]);
    const calls = sns.commandCalls(PublishBatchCommand);
    expect(calls).toHaveLength(1);
    const { alert } = one!;
    const email = renderEmail(alert);
    expect(calls[0]!.args[0].input).toEqual({
      TopicArn: TOPIC,
      PublishBatchRequestEntries: [
        {
          Id: '0',
          MessageStructure: 'json',
          Message: JSON.stringify({ default: JSON.stringify(alert), email: email.text }),
          Subject: '[Customs] FAIL team-a/app:1.2 - 1 HIGH',
          MessageAttributes: {
            eventType: { DataType: 'String', StringValue: 'FAILED_POLICY' },
            verdict: { DataType: 'String', StringValue: 'FAIL' },
            severity: { DataType: 'String', StringValue: 'HIGH' },
            severityRank: { DataType: 'Number', StringValue: '4' },
            repository: { DataType: 'String', StringValue: 'team-a/app' },
            mode: { DataType: 'String', StringValue: 'audit' },
            alertId: { DataType: 'String', StringValue: alert.alertId },
            audience: { DataType: 'String', StringValue: 'machines' },
            kind: { DataType: 'String', StringValue: 'image' },
          },
        },
      ],
    });
    // What SQS, HTTPS and Lambda subscribers get is the alert itself; email gets text.
    const message = JSON.parse(calls[0]!.args[0].input.PublishBatchRequestEntries![0]!.Message!) as { default: string; email: string };
    expect(Object.keys(message)).toEqual(['default', 'email']);
    expect(JSON.parse(message.default)).toEqual(JSON.parse(JSON.stringify(alert)));
    expect(message.email).toContain(`alertId ${alert.alertId}`);
  });

  it('publishes a group summary with kind group and audience people', async () => {
    acceptAll();
    const members = [0, 1, 2].map((index) =>
      alertOf({ eventType: 'VERDICT_CHANGED', key: { digest: digestOf(`m${index}`) }, verdict: verdictOf({ findings: [finding('CVE-1', 'CRITICAL')] }), announced: announcedOf('PASS') }),
    );
    const plan = planDelivery(members, { emailImageCap: 1, time: T0 });
    await publisher.publish(plan);
    const entries = sentEntries().flat();
    expect(entries.map((entry) => [entry.MessageAttributes!.kind!.StringValue, entry.MessageAttributes!.audience!.StringValue])).toEqual([
      ['image', 'all'],
      ['image', 'machines'],
      ['image', 'machines'],
      ['group', 'people'],
    ]);
    expect(entries[3]!.Subject).toBe('[Customs] FAIL team-a/app - 3 images, CVE-1');
  });

  it('sends at most 10 entries per request, in order', async () => {
    acceptAll();
    const alerts = outgoing(23);
    await publisher.publish(alerts);
    const batches = sentEntries();
    expect(batches.map((batch) => batch.length)).toEqual([10, 10, 3]);
    expect(batches.flat().map((entry) => entry.MessageAttributes!.alertId!.StringValue)).toEqual(alerts.map((o) => o.alert.alertId));
  });

  it('splits batches that would pass 256 KiB', async () => {
    acceptAll();
    // About 70 KiB each (the JSON body is escaped once more inside the per-protocol JSON): three per batch.
    const alerts = outgoing(7, 60_000);
    const bytes = snsMessageOf(alerts[0]!).bytes;
    expect(bytes * 3).toBeLessThanOrEqual(MAX_BATCH_BYTES);
    expect(bytes * 4).toBeGreaterThan(MAX_BATCH_BYTES);
    await publisher.publish(alerts);
    const batches = sentEntries();
    expect(batches.map((batch) => batch.length)).toEqual([3, 3, 1]);
    for (const batch of batches) expect(batch.reduce((sum, entry) => sum + Buffer.byteLength(entry.Message!), 0)).toBeLessThanOrEqual(MAX_BATCH_BYTES);
    expect(batches.flat().map((entry) => entry.MessageAttributes!.alertId!.StringValue)).toEqual(alerts.map((o) => o.alert.alertId));
  });

  it('refuses an alert larger than an SNS message before sending anything', async () => {
    acceptAll();
    const [huge] = outgoing(1, 300_000);
    await expect(publisher.publish([...outgoing(2), huge!])).rejects.toThrow(new RegExp(`alert ${huge!.alert.alertId} is \\d+ bytes`));
    expect(sns.commandCalls(PublishBatchCommand)).toHaveLength(0);
  });

  it('resends the entries SNS failed on its side, only those, with their Ids', async () => {
    const alerts = outgoing(3);
    sns
      .on(PublishBatchCommand)
      .resolvesOnce({ Successful: [{ Id: '0', MessageId: 'a' }], Failed: [{ Id: '1', Code: 'InternalError', SenderFault: false }, { Id: '2', Code: 'Throttled', SenderFault: false }] })
      .resolvesOnce({ Successful: [{ Id: '2', MessageId: 'c' }], Failed: [{ Id: '1', Code: 'InternalError', SenderFault: false }] })
      .resolvesOnce({ Successful: [{ Id: '1', MessageId: 'b' }], Failed: [] });
    await publisher.publish(alerts);
    const batches = sentEntries();
    expect(batches.map((batch) => batch.map((entry) => [entry.Id, entry.MessageAttributes!.alertId!.StringValue]))).toEqual([
      [['0', alerts[0]!.alert.alertId], ['1', alerts[1]!.alert.alertId], ['2', alerts[2]!.alert.alertId]],
      [['1', alerts[1]!.alert.alertId], ['2', alerts[2]!.alert.alertId]],
      [['1', alerts[1]!.alert.alertId]],
    ]);
    // The resent entry is the same message.
    expect(batches[2]![0]).toEqual(batches[0]![1]);
  });

  it('throws naming the alerts still unpublished after the last attempt', async () => {
    const alerts = outgoing(2);
    sns.on(PublishBatchCommand).resolves({ Successful: [{ Id: '0', MessageId: 'a' }], Failed: [{ Id: '1', Code: 'InternalError', SenderFault: false }] });
    await expect(publisher.publish(alerts)).rejects.toThrow(`SNS did not publish alerts ${alerts[1]!.alert.alertId} after 3 attempts`);
    expect(sns.commandCalls(PublishBatchCommand)).toHaveLength(3);
  });

  it('throws at once, naming the alert, when SNS says the sender is at fault', async () => {
    const alerts = outgoing(2);
    sns.on(PublishBatchCommand).resolves({ Successful: [{ Id: '0', MessageId: 'a' }], Failed: [{ Id: '1', Code: 'InvalidParameter', Message: 'bad subject', SenderFault: true }] });
    await expect(publisher.publish(alerts)).rejects.toThrow(`SNS refused alerts as malformed: ${alerts[1]!.alert.alertId} (InvalidParameter: bad subject)`);
    expect(sns.commandCalls(PublishBatchCommand)).toHaveLength(1);
  });

  it('sends nothing for no alerts', async () => {
    acceptAll();
    await publisher.publish([]);
    expect(sns.commandCalls(PublishBatchCommand)).toHaveLength(0);
  });
});
