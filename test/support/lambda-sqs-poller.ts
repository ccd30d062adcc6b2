import { DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageBatchCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { lambdaSqsRecord } from './sqs-lambda-record.ts';

/**
 * Lambda's SQS event source mapping in miniature, against a real (moto) queue: each worker is one
 * execution environment looping receive (up to 10) → handler → delete what the response did not
 * report failed. Failed records stay on the queue; the handler sets when they come back, and the
 * queue's redrive policy moves them to the DLQ after maxReceiveCount receives.
 *
 * Two things about moto shape this. Its queue is not thread-safe (two deletes at once can put a
 * deleted message back, a send beside a delete can lose one), so every call the test makes on the
 * queue goes through one lane, one at a time; the handlers still run side by side. And a receive
 * costs time in proportion to the queue's depth, so a producer that keeps a bounded number of
 * messages outstanding drains a burst in seconds where a 1,000-deep queue takes a minute of moto alone.
 */
export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

export interface QueueTarget {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly region: string;
}

export interface PollLog {
  /** Message IDs deleted after the handler acknowledged them. */
  readonly acknowledged: Set<string>;
  /** Each batch item failure the handler reported, in order. */
  readonly failures: { readonly messageId: string; readonly receiveCount: number }[];
  /** Message ID → the body's index in what was sent. */
  readonly sent: Map<string, number>;
  invocations: number;
}

export interface BurstOptions {
  readonly timeoutMs: number;
  /** Sent but not yet acknowledged, at most (the producer waits below it). */
  readonly maxOutstanding: number;
  readonly batchSize?: number;
  /** Per receive; AWS advises six times the function timeout, so a slow batch is not delivered twice. */
  readonly visibilityTimeoutSeconds?: number;
}

/** Sends the bodies in batches of 10 while the workers drain the queue; returns once all are acknowledged. */
export async function drainBurst(target: QueueTarget, bodies: readonly string[], handlers: readonly SqsHandler[], options: BurstOptions): Promise<PollLog> {
  const log: PollLog = { acknowledged: new Set(), failures: [], sent: new Map(), invocations: 0 };
  const lane = serialLane();
  const deadline = Date.now() + options.timeoutMs;
  let failed: unknown;
  const done = (): boolean => failed !== undefined || log.acknowledged.size >= bodies.length;
  const checkDeadline = (): void => {
    if (Date.now() > deadline) throw new Error(`queue not drained in ${options.timeoutMs} ms: ${log.acknowledged.size} of ${bodies.length} acknowledged`);
  };

  const produce = async (): Promise<void> => {
    for (let start = 0; start < bodies.length && failed === undefined; start += 10) {
      while (log.sent.size - log.acknowledged.size >= options.maxOutstanding && failed === undefined) {
        checkDeadline();
        await pause(20);
      }
      const entries = bodies.slice(start, start + 10).map((body, i) => ({ Id: String(start + i), MessageBody: body }));
      const output = await lane(() => target.sqs.send(new SendMessageBatchCommand({ QueueUrl: target.queueUrl, Entries: entries })));
      if (output.Failed?.length) throw new Error(`SQS refused ${output.Failed.length} message(s): ${output.Failed[0]?.Message ?? ''}`);
      for (const entry of output.Successful ?? []) log.sent.set(entry.MessageId!, Number(entry.Id));
    }
  };

  const work = async (handler: SqsHandler, index: number): Promise<void> => {
    while (!done()) {
      checkDeadline();
      const received = await lane(() =>
        target.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: target.queueUrl,
            MaxNumberOfMessages: options.batchSize ?? 10,
            VisibilityTimeout: options.visibilityTimeoutSeconds ?? 300,
            MessageSystemAttributeNames: ['All'],
          }),
        ),
      );
      const messages = received.Messages ?? [];
      if (messages.length === 0) {
        // Short polls with a pause: a long poll would hold the lane.
        await pause(100);
        continue;
      }
      const records = messages.map((message) => toRecord(message, target));
      log.invocations++;
      const context = { functionName: 'customs-scanner', awsRequestId: `worker-${index}-${log.invocations}` } as Context;
      const response = await handler({ Records: records }, context);
      const reported = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
      for (const record of records) {
        if (reported.has(record.messageId)) log.failures.push({ messageId: record.messageId, receiveCount: Number(record.attributes.ApproximateReceiveCount) });
      }
      const acknowledged = records.filter((record) => !reported.has(record.messageId));
      if (acknowledged.length === 0) continue;
      const deleted = await lane(() =>
        target.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: target.queueUrl, Entries: acknowledged.map((record, i) => ({ Id: String(i), ReceiptHandle: record.receiptHandle })) })),
      );
      if (deleted.Failed?.length) throw new Error(`SQS refused to delete ${deleted.Failed.length} acknowledged message(s): ${deleted.Failed[0]?.Message ?? ''}`);
      for (const record of acknowledged) log.acknowledged.add(record.messageId);
    }
  };

  // The first error stops everyone; it is what the test reports.
  const stopOn = (error: unknown): void => void (failed ??= error);
  await Promise.all([produce().catch(stopOn), ...handlers.map((handler, index) => work(handler, index).catch(stopOn))]);
  if (failed !== undefined) throw failed;
  return log;
}

/** Runs calls one at a time, in the order they were asked for. */
function serialLane(): <T>(call: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return (call) => {
    const result = tail.then(call);
    tail = result.catch(() => undefined);
    return result;
  };
}

const pause = (ms: number): Promise<void> => new Promise((resolvePause) => setTimeout(resolvePause, ms));

function toRecord(message: Message, target: QueueTarget): SQSRecord {
  return lambdaSqsRecord(message, { arn: target.queueArn, region: target.region });
}
