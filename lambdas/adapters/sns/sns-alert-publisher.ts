import { PublishBatchCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { OutgoingAlert } from '../../core/alerts/alert-model.ts';
import type { AlertPublisher } from '../../core/ports.ts';
import { snsMessageOf, type SnsMessage } from './sns-message.ts';
import { sizedBatches, sleep } from '../../core/util/sized-batches.ts';

/** PublishBatch takes at most 10 entries and 256 KiB in all per request. */
export const MAX_BATCH_ENTRIES = 10;
export const MAX_BATCH_BYTES = 256 * 1024;

export interface SnsAlertPublisherOptions {
  readonly client: SNSClient;
  readonly topicArn: string;
  /** For entries SNS failed on its side (SenderFault false): attempts in all, and the first backoff. */
  readonly retry?: { readonly maxAttempts?: number; readonly baseDelayMs?: number };
}

/**
 * Alerts to the alerts topic with PublishBatch. SNS answers a batch entry by entry: entries it failed
 * on its side are resent with a short backoff; an entry it refused as the sender's fault is a bug
 * here (a malformed subject or attribute) and is thrown at once, naming the alert. Whatever was
 * published before a throw stays published: the caller publishes everything again and
 * subscribers de-duplicate on alertId.
 */
export class SnsAlertPublisher implements AlertPublisher {
  private readonly client: SNSClient;
  private readonly topicArn: string;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;

  constructor(options: SnsAlertPublisherOptions) {
    this.client = options.client;
    this.topicArn = options.topicArn;
    this.maxAttempts = options.retry?.maxAttempts ?? 4;
    this.baseDelayMs = options.retry?.baseDelayMs ?? 100;
  }

  async publish(alerts: readonly OutgoingAlert[]): Promise<void> {
    const messages = alerts.map(snsMessageOf);
    for (const message of messages) {
      if (message.bytes > MAX_BATCH_BYTES) throw new Error(`alert ${message.alertId} is ${message.bytes} bytes, over SNS's ${MAX_BATCH_BYTES}-byte message limit`);
    }
    for (const batch of sizedBatches(messages, { maxCount: MAX_BATCH_ENTRIES, maxBytes: MAX_BATCH_BYTES })) await this.publishBatch(batch);
  }

  private async publishBatch(batch: readonly SnsMessage[]): Promise<void> {
    // Ids are positions in the batch, kept across resends, so a repeated alertId cannot clash.
    let pending = batch.map((message, index) => ({ id: String(index), message }));
    for (let attempt = 1; ; attempt++) {
      const response = await this.client.send(
        new PublishBatchCommand({ TopicArn: this.topicArn, PublishBatchRequestEntries: pending.map(({ id, message }) => ({ Id: id, ...message.entry })) }),
      );
      const refused = (response.Failed ?? []).filter((failure) => failure.SenderFault !== false);
      if (refused.length > 0) {
        const named = refused.map((failure) => `${pending.find(({ id }) => id === failure.Id)?.message.alertId ?? `entry ${failure.Id}`} (${failure.Code}: ${failure.Message ?? ''})`);
        throw new Error(`SNS refused alerts as malformed: ${named.join('; ')}`);
      }
      const published = new Set((response.Successful ?? []).map((success) => success.Id));
      pending = pending.filter(({ id }) => !published.has(id));
      if (pending.length === 0) return;
      if (attempt >= this.maxAttempts) {
        throw new Error(`SNS did not publish alerts ${pending.map(({ message }) => message.alertId).join(', ')} after ${attempt} attempts`);
      }
      await sleep(Math.random() * this.baseDelayMs * 2 ** (attempt - 1));
    }
  }
}
