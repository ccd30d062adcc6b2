import type { SQSRecord } from 'aws-lambda';

/**
 * ECR's EventBridge events in the shapes AWS documents
 * (https://docs.aws.amazon.com/AmazonECR/latest/userguide/ecr-eventbridge.html), with our own
 * values: the documented samples' digests are not 64 hex digits, so tests pass real ones.
 */
export const ACCOUNT = '111122223333';
export const REGION = 'eu-west-1';

export interface ImageActionOptions {
  readonly repository: string;
  readonly digest: string;
  readonly tag?: string;
  readonly action?: string;
  readonly result?: string;
  readonly manifestMediaType?: string;
  readonly artifactMediaType?: string;
}

type EcrEvent = Record<string, unknown> & { detail: Record<string, unknown> };

function envelope(detailType: string, resources: string[], detail: Record<string, unknown>): EcrEvent {
  return {
    version: '0',
    id: `evt-${Math.random().toString(16).slice(2)}`,
    'detail-type': detailType,
    source: 'aws.ecr',
    account: ACCOUNT,
    time: '2026-11-16T01:54:34Z',
    region: REGION,
    resources,
    detail,
  };
}

const repositoryArn = (repository: string): string => `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${repository}`;

/** `ECR Image Action`, PUSH SUCCESS unless told otherwise; ECR sends `resources: []`. */
export function imageActionEvent(options: ImageActionOptions): EcrEvent {
  return envelope('ECR Image Action', [], {
    result: options.result ?? 'SUCCESS',
    'repository-name': options.repository,
    'image-digest': options.digest,
    'action-type': options.action ?? 'PUSH',
    ...(options.tag !== undefined ? { 'image-tag': options.tag } : {}),
    ...(options.manifestMediaType ? { 'manifest-media-type': options.manifestMediaType } : {}),
    ...(options.artifactMediaType ? { 'artifact-media-type': options.artifactMediaType } : {}),
  });
}

export function replicationEvent(options: { repository: string; digest: string; tag?: string; result?: string }): EcrEvent {
  return envelope('ECR Replication Action', [repositoryArn(options.repository)], {
    result: options.result ?? 'SUCCESS',
    'repository-name': options.repository,
    'image-digest': options.digest,
    'source-account': '444455556666',
    'action-type': 'REPLICATE',
    'source-region': 'us-west-2',
    ...(options.tag !== undefined ? { 'image-tag': options.tag } : {}),
  });
}

export function pullThroughCacheEvent(options: { repository: string; digest?: string; tag?: string; syncStatus?: string }): EcrEvent {
  return envelope('ECR Pull Through Cache Action', [repositoryArn(options.repository)], {
    'rule-version': '1',
    'sync-status': options.syncStatus ?? 'SUCCESS',
    'ecr-repository-prefix': options.repository.split('/')[0],
    'repository-name': options.repository,
    'upstream-registry-url': 'public.ecr.aws',
    ...(options.tag !== undefined ? { 'image-tag': options.tag } : {}),
    ...(options.digest !== undefined ? { 'image-digest': options.digest } : {}),
  });
}

/** An SQS record as Lambda's event source mapping delivers it, the event as its body. */
export function sqsRecord(body: unknown, options: { receiveCount?: number; messageId?: string } = {}): SQSRecord {
  const messageId = options.messageId ?? `msg-${Math.random().toString(16).slice(2)}`;
  return {
    messageId,
    receiptHandle: `handle-${messageId}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: String(options.receiveCount ?? 1),
      SentTimestamp: '1763258074000',
      SenderId: 'AIDAIENQZJOLO23YVJ4VO',
      ApproximateFirstReceiveTimestamp: '1763258074100',
    },
    messageAttributes: {},
    md5OfBody: '0'.repeat(32),
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:${REGION}:${ACCOUNT}:customs-scan-queue`,
    awsRegion: REGION,
  };
}
