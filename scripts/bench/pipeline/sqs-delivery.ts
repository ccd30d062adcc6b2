import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { imageActionEvent } from '../../../test/support/ecr-events.ts';
import { REGION } from './local-services.ts';
import { lambdaSqsRecord } from '../../../test/support/sqs-lambda-record.ts';

/**
 * What EventBridge and Lambda's SQS poller do around one scan: the ECR event sent to the queue,
 * received as the record Lambda hands the handler, deleted once the handler reports it done. The
 * bench sends these through moto with its own client, so they are counted like the handler's.
 */
export interface Queue {
  readonly url: string;
  readonly arn: string;
}

export interface Delivery {
  readonly event: SQSEvent;
  /** The poller's delete, after a response without failures. */
  acknowledge(): Promise<void>;
}

export async function deliverPush(sqs: SQSClient, queue: Queue, push: { repository: string; digest: string; tag: string }): Promise<Delivery> {
  // From a registry in the scanner's own Region, whose ECR client is the stubbed one (another Region's would get a client of its own).
  const event = { ...imageActionEvent(push), region: REGION };
  await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: JSON.stringify(event) }));
  let record: SQSRecord | undefined;
  while (!record) {
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue.url, MaxNumberOfMessages: 1, WaitTimeSeconds: 1, VisibilityTimeout: 900, MessageSystemAttributeNames: ['All'] }));
    const message = received.Messages?.[0];
    if (!message) continue;
    record = lambdaSqsRecord(message, { arn: queue.arn, region: REGION });
  }
  const handle = record.receiptHandle;
  return { event: { Records: [record] }, acknowledge: async () => void (await sqs.send(new DeleteMessageCommand({ QueueUrl: queue.url, ReceiptHandle: handle }))) };
}
