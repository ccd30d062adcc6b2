import { ChangeMessageVisibilityCommand, GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { queueOf, receiveCount, type ScanQueueRecord } from './sqs-record.ts';

/**
 * Transient failures (throttling, 5xx, timeouts) are retried through the queue with growing delays:
 * the failed record's visibility is set from its receive count, so the 1st retry comes after 30 s,
 * then 60 s, 120 s, … up to 15 minutes; after maxReceiveCount receives SQS moves it to the DLQ.
 */
export interface RetrySchedule {
  /** Delays the record's next delivery; returns the delay in seconds. */
  defer(record: ScanQueueRecord): Promise<number>;
}

export interface RetryDelayOptions {
  readonly baseSeconds?: number;
  readonly maxSeconds?: number;
}

const DEFAULT_BASE_SECONDS = 30;
const DEFAULT_MAX_SECONDS = 900;

/** The visibility timeout for a record received `count` times (1 on its first delivery). */
export function retryDelaySeconds(count: number, options: RetryDelayOptions = {}): number {
  const base = options.baseSeconds ?? DEFAULT_BASE_SECONDS;
  const max = options.maxSeconds ?? DEFAULT_MAX_SECONDS;
  return Math.min(max, base * 2 ** Math.min(Math.max(count - 1, 0), 20));
}

export class SqsRetrySchedule implements RetrySchedule {
  // Queue URLs by ARN: looked up once per queue (the records carry only the ARN).
  private readonly urls = new Map<string, Promise<string>>();

  constructor(
    private readonly sqs: SQSClient,
    private readonly options: RetryDelayOptions = {},
  ) {}

  async defer(record: ScanQueueRecord): Promise<number> {
    const seconds = retryDelaySeconds(receiveCount(record), this.options);
    const queueUrl = await this.queueUrl(record);
    await this.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: record.receiptHandle, VisibilityTimeout: seconds }));
    return seconds;
  }

  private queueUrl(record: ScanQueueRecord): Promise<string> {
    let url = this.urls.get(record.eventSourceARN);
    if (!url) {
      const { account, name } = queueOf(record);
      url = this.sqs.send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account })).then((output) => {
        if (!output.QueueUrl) throw new Error(`SQS GetQueueUrl returned no URL for ${record.eventSourceARN}`);
        return output.QueueUrl;
      });
      this.urls.set(record.eventSourceARN, url);
      url.catch(() => this.urls.delete(record.eventSourceARN));
    }
    return url;
  }
}
