import { ECRClient } from '@aws-sdk/client-ecr';
import { CreateBucketCommand, S3Client, type BucketLocationConstraint } from '@aws-sdk/client-s3';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import type { ApiAccessRule } from '../../lambdas/core/api/access-rules.ts';
import type { Clock } from '../../lambdas/core/ports.ts';
import { ADVISORY_TABLE, FINDINGS_TABLE } from '../../lambdas/adapters/dynamodb/table-schema.ts';
import { createFindingsApiHandler, type FindingsApiHandler } from '../../lambdas/handlers/findings-api-handler.ts';
import { createApiDeps, type ApiClients } from '../../lambdas/handlers/findings-api/api-deps.ts';
import { readApiEnvironment, type ApiEnvironment } from '../../lambdas/handlers/findings-api/api-environment.ts';
import { createLocalTable, localDynamoDbClient } from './dynamodb-tables.ts';
import { motoAlerting } from './moto-alerting.ts';

type PolicyDocumentInput = Parameters<typeof motoAlerting>[2];

export interface FindingsApiWorldOptions {
  /** Prefix of the tables, bucket and queues (each made unique). */
  readonly name: string;
  readonly motoEndpoint: string;
  readonly account: string;
  readonly region: string;
  /** The deployed policy (an SSM parameter on moto). */
  readonly policy: PolicyDocumentInput;
  readonly accessRules: readonly ApiAccessRule[];
  readonly clock?: Clock;
}

export interface FindingsApiWorld {
  readonly env: ApiEnvironment;
  readonly clients: ApiClients;
  /** The Lambda handler on those, as deployed (createApiDeps + createFindingsApiHandler). */
  readonly handler: FindingsApiHandler;
  readonly findingsTable: string;
  readonly advisoryTable: string;
  readonly bucket: string;
}

/**
 * The findings API Lambda wired as deployed, on DynamoDB Local (its own tables) and moto (a bucket,
 * the scan and rescan queues, the alerts topic and policy parameter), for handler-level tests.
 */
export async function startFindingsApiWorld(options: FindingsApiWorldOptions): Promise<FindingsApiWorld> {
  const run = randomUUID().slice(0, 8);
  const motoConfig = { endpoint: options.motoEndpoint, region: options.region, credentials: { accessKeyId: 'moto', secretAccessKey: 'moto' } };
  const dynamodb = localDynamoDbClient();
  const s3 = new S3Client({ ...motoConfig, forcePathStyle: true });
  const sqs = new SQSClient(motoConfig);
  const bucket = `${options.name}-${run}`;
  const queue = async (kind: string) => (await sqs.send(new CreateQueueCommand({ QueueName: `${options.name}-${kind}-${run}` }))).QueueUrl!;
  const [alerting, findingsTable, advisoryTable] = await Promise.all([
    motoAlerting(options.motoEndpoint, options.region, options.policy),
    createLocalTable(dynamodb, FINDINGS_TABLE, options.name),
    createLocalTable(dynamodb, ADVISORY_TABLE, `${options.name}-advisories`),
    s3.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: options.region as BucketLocationConstraint } })),
  ]);
  const env = readApiEnvironment({
    AWS_REGION: options.region,
    FINDINGS_TABLE_NAME: findingsTable,
    ADVISORY_TABLE_NAME: advisoryTable,
    SBOM_BUCKET_NAME: bucket,
    POLICY_PARAMETER_NAME: alerting.env.policyParameterName,
    ALERTS_TOPIC_ARN: alerting.env.alertsTopicArn,
    SCAN_QUEUE_URL: await queue('scan'),
    RESCAN_QUEUE_URL: await queue('rescan'),
    ADVISORY_STALE_AFTER_HOURS: '48',
    API_ACCESS_RULES: JSON.stringify(options.accessRules),
  });
  const clients: ApiClients = { dynamodb, ecr: new ECRClient(motoConfig), s3, sqs, ...alerting.clients };
  const deps = createApiDeps({ env, clients, ...(options.clock ? { clock: options.clock } : {}) });
  const handler = createFindingsApiHandler({ ...deps, rules: env.accessRules, region: options.region, account: options.account });
  return { env, clients, handler, findingsTable, advisoryTable, bucket };
}
