/**
 * us-east-1 list prices the pipeline cost bench uses, as read on the date below. Each figure names
 * the page it comes from; the bench prints them beside its tables, so a stale price is visible.
 */
export const PRICES_AS_OF = '2026-12';
export const PRICE_REGION = 'us-east-1';

export interface Price {
  readonly usd: number;
  /** What one `usd` buys. */
  readonly per: string;
  readonly source: string;
}

const LAMBDA = 'https://aws.amazon.com/lambda/pricing/';
const DYNAMODB = 'https://aws.amazon.com/dynamodb/pricing/on-demand/';
const S3 = 'https://aws.amazon.com/s3/pricing/';
const SQS = 'https://aws.amazon.com/sqs/pricing/';
const KMS = 'https://aws.amazon.com/kms/pricing/';
const CLOUDWATCH = 'https://aws.amazon.com/cloudwatch/pricing/';
const INSPECTOR = 'https://aws.amazon.com/inspector/pricing/';
// PublishBatch is billed per request like Publish (each 64 KB chunk of a request one), which is how
// batching "reduces costs by up to 10x" (SNS developer guide, message batching).
const SNS = 'https://aws.amazon.com/sns/pricing/';
const EVENTBRIDGE = 'https://aws.amazon.com/eventbridge/pricing/';
const SSM = 'https://aws.amazon.com/systems-manager/pricing/';

export const PRICES = {
  lambdaArmGbSecond: { usd: 0.0000133334, per: 'GB-second (arm64)', source: LAMBDA },
  lambdaRequest: { usd: 0.2 / 1e6, per: 'request', source: LAMBDA },
  dynamodbWriteUnit: { usd: 0.625 / 1e6, per: 'write request unit (on-demand, Standard)', source: DYNAMODB },
  dynamodbReadUnit: { usd: 0.125 / 1e6, per: 'read request unit (on-demand, Standard)', source: DYNAMODB },
  dynamodbStorageGbMonth: { usd: 0.25, per: 'GB-month (Standard, past the free 25 GB)', source: DYNAMODB },
  s3Put: { usd: 0.005 / 1000, per: 'PUT, COPY, POST or LIST request (Standard)', source: S3 },
  s3Get: { usd: 0.0004 / 1000, per: 'GET request (Standard)', source: S3 },
  s3StorageGbMonth: { usd: 0.023, per: 'GB-month (Standard, first 50 TB)', source: S3 },
  sqsRequest: { usd: 0.4 / 1e6, per: 'request (standard queue, each 64 KB chunk of a payload)', source: SQS },
  snsPublish: { usd: 0.5 / 1e6, per: 'publish request (standard topic, each 64 KB chunk of published data; past the free 1 million)', source: SNS },
  eventBridgeCustomEvent: { usd: 1 / 1e6, per: 'custom event put (each 64 KB chunk of an entry)', source: EVENTBRIDGE },
  ssmAdvancedParameterMonth: { usd: 0.05, per: 'Parameter Store advanced parameter-month (standard parameters and standard throughput: free)', source: SSM },
  kmsKeyMonth: { usd: 1, per: 'customer managed key-month', source: KMS },
  kmsRequest: { usd: 0.03 / 10_000, per: 'request', source: KMS },
  logsIngestGb: { usd: 0.5, per: 'GB ingested (Standard log class)', source: CLOUDWATCH },
  customMetricMonth: { usd: 0.3, per: 'custom metric-month (first 10,000)', source: CLOUDWATCH },
  alarmMonth: { usd: 0.1, per: 'standard-resolution alarm metric-month', source: CLOUDWATCH },
  inspectorFirstScan: { usd: 0.09, per: 'ECR image, initial scan', source: INSPECTOR },
  inspectorRescan: { usd: 0.01, per: 'ECR image, rescan', source: INSPECTOR },
} as const satisfies Record<string, Price>;

export type PriceName = keyof typeof PRICES;

/** The budget for the reference image. */
export const BUDGET = { firstScanAllIn: 0.0009, firstScanCompute: 0.00009, repeatedPush: 0.00001 } as const;
