import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { SqsRetrySchedule } from '../../../lambdas/handlers/scan-image/retry-schedule.ts';
import { sqsRecordSchema } from '../../../lambdas/handlers/scan-image/sqs-record.ts';

/**
 * The delayed retry against moto_server's SQS: the queue URL is found from the record's ARN, and
 * ChangeMessageVisibility on the received message's handle keeps it hidden past its own timeout.
 */
describe('SqsRetrySchedule against moto_server', () => {
  const sqs = new SQSClient({ endpoint: inject('motoEndpoint'), region: 'eu-west-1', credentials: { accessKeyId: 'moto', secretAccessKey: 'moto' } });
  let queueUrl: string;
  let queueArn: string;

  beforeAll(async () => {
    const created = await sqs.send(new CreateQueueCommand({ QueueName: `customs-retry-${randomUUID()}` }));
    queueUrl = created.QueueUrl!;
    const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
    queueArn = attributes.Attributes!.QueueArn!;
  });

  it('hides a failed message for the growing delay, beyond the visibility it was received with', async () => {
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: '{}' }));
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, VisibilityTimeout: 1, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
    const message = received.Messages![0]!;
    const record = sqsRecordSchema.parse({
      messageId: message.MessageId,
      receiptHandle: message.ReceiptHandle,
      body: message.Body,
      attributes: { ApproximateReceiveCount: message.Attributes!.ApproximateReceiveCount },
      eventSourceARN: queueArn,
    });

    expect(await new SqsRetrySchedule(sqs).defer(record)).toBe(30);
    await new Promise((resolveWait) => setTimeout(resolveWait, 1_500));
    const again = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 0 }));
    expect(again.Messages ?? []).toHaveLength(0);
    const counts = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessagesNotVisible'] }));
    expect(counts.Attributes!.ApproximateNumberOfMessagesNotVisible).toBe('1');
  });
});
