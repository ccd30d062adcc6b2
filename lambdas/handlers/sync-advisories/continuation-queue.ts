import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { continuationBody } from './sync-event.ts';

/** Where a run out of time (or whose fan-out failed) hands its sync on, to go on at once under the same syncId. */
export interface ContinuationQueue {
  /** `delaySeconds` (at most 900): not before then (a failed fan-out's marks must expire first). */
  send(syncId: string, delaySeconds?: number): Promise<void>;
}

/** The sync's own continuation queue (the same Lambda consumes it, batch size 1). */
export class SqsContinuationQueue implements ContinuationQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(syncId: string, delaySeconds?: number): Promise<void> {
    await this.client.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: continuationBody(syncId), ...(delaySeconds ? { DelaySeconds: delaySeconds } : {}) }));
  }
}
