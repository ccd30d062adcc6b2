import { SendMessageBatchCommand, type SendMessageBatchRequestEntry, type SQSClient } from '@aws-sdk/client-sqs';
import { CUSTOMS_BACKFILL_SOURCE } from '../ecr/ecr-event-schemas.ts';
import type { ScanRequest } from '../../core/pipeline/model.ts';
import type { ScanRequestQueue } from '../../core/ports.ts';

export interface SqsScanRequestQueueOptions {
  readonly sqs: SQSClient;
  /** The scanner's queue (the one ECR's events reach through EventBridge). */
  readonly queueUrl: string;
  /** Sends of the entries SQS failed on its side, before giving up. @default 3 */
  readonly attempts?: number;
}

// SendMessageBatch takes at most 10 entries (and 256 KiB; a request is well under 1 KiB).
const BATCH = 10;

/**
 * The body the scanner takes for a push: an `ECR Image Action` PUSH in the shape EventBridge
 * delivers ECR's, whose source says it is Customs' own. The scanner parses it as any push event
 * and asks ECR what the digest holds now before it scans.
 */
export function backfillPushEvent(runId: string, request: ScanRequest): Record<string, unknown> {
  return {
    version: '0',
    id: `${CUSTOMS_BACKFILL_SOURCE}:${runId}:${request.repository}@${request.digest}`,
    'detail-type': 'ECR Image Action',
    source: CUSTOMS_BACKFILL_SOURCE,
    account: request.account,
    time: request.pushedAt.toISOString(),
    region: request.region,
    resources: [],
    detail: {
      result: 'SUCCESS',
      'repository-name': request.repository,
      'image-digest': request.digest,
      'action-type': 'PUSH',
      ...(request.tag !== undefined ? { 'image-tag': request.tag } : {}),
    },
  };
}

/** ScanRequestQueue on the scanner's SQS queue, ten requests a SendMessageBatch call. */
export class SqsScanRequestQueue implements ScanRequestQueue {
  constructor(private readonly options: SqsScanRequestQueueOptions) {}

  async send(runId: string, requests: readonly ScanRequest[]): Promise<void> {
    for (let start = 0; start < requests.length; start += BATCH) {
      const entries = requests.slice(start, start + BATCH).map((request, index) => ({ Id: String(index), MessageBody: JSON.stringify(backfillPushEvent(runId, request)) }));
      await this.sendBatch(entries);
    }
  }

  /** Entries SQS failed on its side are sent again; a sender's fault (or lasting failure) is thrown. */
  private async sendBatch(entries: readonly SendMessageBatchRequestEntry[]): Promise<void> {
    let pending = entries;
    const attempts = this.options.attempts ?? 3;
    for (let attempt = 1; ; attempt++) {
      const output = await this.options.sqs.send(new SendMessageBatchCommand({ QueueUrl: this.options.queueUrl, Entries: [...pending] }));
      const failed = output.Failed ?? [];
      if (failed.length === 0) return;
      const fatal = failed.find((entry) => entry.SenderFault) ?? (attempt >= attempts ? failed[0] : undefined);
      if (fatal) throw new Error(`SQS SendMessageBatch to ${this.options.queueUrl} failed: ${fatal.Code ?? 'unknown'} ${fatal.Message ?? ''}`.trim());
      const retry = new Set(failed.map((entry) => entry.Id));
      pending = pending.filter((entry) => retry.has(entry.Id));
    }
  }
}
