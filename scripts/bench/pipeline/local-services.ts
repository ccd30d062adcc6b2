import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import type { TableSchema } from '../../../lambdas/adapters/dynamodb/table-schema.ts';
import { startDynamoDbLocal, type RunningDynamoDbLocal } from '../../../lambdas/local/dynamodb-local.ts';
import { startEcrLikeRegistry, type EcrLikeRegistry } from '../../../test/support/ecr-like-registry.ts';
import { startMoto, type RunningMoto } from '../../../test/support/moto-server.ts';

/**
 * The pipeline's stand-ins, started the way the test suite starts them: DynamoDB Local, moto_server
 * (S3, SQS) and a docker-registry behind the two-origin ECR stand-in, all on loopback.
 */
export const REGION = 'us-east-1';
const LOCAL_CREDENTIALS = { accessKeyId: 'bench', secretAccessKey: 'bench' };

export interface LocalServices {
  readonly dynamodb: RunningDynamoDbLocal;
  readonly moto: RunningMoto;
  readonly registry: EcrLikeRegistry;
  /** Client options for each endpoint, for the bench and for the bundled handler's environment. */
  dynamodbClient(): DynamoDBClient;
  s3Client(): S3Client;
  sqsClient(): SQSClient;
  stop(): Promise<void>;
}

export async function startLocalServices(): Promise<LocalServices> {
  const [dynamodb, moto, registry] = await Promise.all([startDynamoDbLocal(), startMoto(), startEcrLikeRegistry()]);
  return {
    dynamodb,
    moto,
    registry,
    dynamodbClient: () => new DynamoDBClient({ endpoint: dynamodb.endpoint, region: REGION, credentials: LOCAL_CREDENTIALS }),
    s3Client: () => new S3Client({ endpoint: moto.endpoint, region: REGION, credentials: LOCAL_CREDENTIALS, forcePathStyle: true }),
    sqsClient: () => new SQSClient({ endpoint: moto.endpoint, region: REGION, credentials: LOCAL_CREDENTIALS }),
    async stop() {
      await Promise.allSettled([dynamodb.stop(), moto.stop(), registry.stop()]);
    },
  };
}

/** A uniquely named on-demand table of the schema, every GSI projecting all (as the CDK construct makes it). */
export async function createTable(client: DynamoDBClient, schema: TableSchema, prefix: string): Promise<string> {
  const name = `${prefix}-${randomUUID()}`;
  const keys = new Set([schema.partitionKey, schema.sortKey, ...schema.indexes.flatMap((index) => [index.partitionKey, index.sortKey])]);
  const key = (partitionKey: string, sortKey: string) => [
    { AttributeName: partitionKey, KeyType: 'HASH' as const },
    { AttributeName: sortKey, KeyType: 'RANGE' as const },
  ];
  await client.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [...keys].map((attribute) => ({ AttributeName: attribute, AttributeType: 'S' })),
      KeySchema: key(schema.partitionKey, schema.sortKey),
      GlobalSecondaryIndexes: schema.indexes.map((index) => ({ IndexName: index.name, KeySchema: key(index.partitionKey, index.sortKey), Projection: { ProjectionType: 'ALL' } })),
    }),
  );
  return name;
}

export async function createBucket(client: S3Client): Promise<string> {
  const bucket = `customs-bench-sboms-${randomUUID()}`;
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

export async function createQueue(client: SQSClient): Promise<{ url: string; arn: string }> {
  const url = (await client.send(new CreateQueueCommand({ QueueName: `customs-bench-scan-${randomUUID()}` }))).QueueUrl!;
  const arn = (await client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  return { url, arn };
}
