import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECRClient } from '@aws-sdk/client-ecr';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ADVISORY_TABLE, FINDINGS_TABLE, type TableSchema } from '../../../lambdas/adapters/dynamodb/table-schema.ts';
import { createFindingsApiHandler, type FindingsApiHandler } from '../../../lambdas/handlers/findings-api-handler.ts';
import { createApiDeps, type ApiClients } from '../../../lambdas/handlers/findings-api/api-deps.ts';
import { readApiEnvironment, type ApiEnvironment } from '../../../lambdas/handlers/findings-api/api-environment.ts';
import { startDynamoDbLocal, type RunningDynamoDbLocal } from '../../../lambdas/local/dynamodb-local.ts';
import { motoAlerting } from '../../../test/support/moto-alerting.ts';
import { startMoto, type RunningMoto } from '../../../test/support/moto-server.ts';
import { meterDynamoDb, type MeteredTable } from '../pipeline/dynamodb-meter.ts';
import { createBucket, createQueue, createTable, REGION } from '../pipeline/local-services.ts';
import type { RequestMeter } from '../pipeline/request-meter.ts';
import { meterEventBridge, meterS3, meterSns, meterSqs, meterSsm } from '../pipeline/request-meter.ts';
import { motoClients } from '../rescan/rescan-world.ts';

export const ACCOUNT = '123456789012';
/** The caller every request is signed as: a role the access rules let read and act on everything. */
export const ROLE = 'customs-bench-security';
export const CALLER = `arn:aws:sts::${ACCOUNT}:assumed-role/${ROLE}/bench`;
const CREDENTIALS = { accessKeyId: 'bench', secretAccessKey: 'bench' };

/** Findings table items named by their sort key's prefix, so the meter's lines say what was read. */
const FINDINGS_ITEM_ROLES: Readonly<Record<string, string>> = {
  'VERDICT#': 'verdicts',
  'QUARANTINE#': 'quarantines',
  RESULT: 'scan results',
  'FINDINGS#': 'findings chunks',
  'DIGEST#': 'image states',
  'TAGLOG#': 'tag log',
  'TAG#': 'tags',
  'EXC#': 'exceptions',
  REVISION: 'exceptions revision',
  KEYS: 'page-token keys',
  'PKGSET#': 'package sets',
};

export interface ApiServices {
  readonly dynamodb: RunningDynamoDbLocal;
  readonly moto: RunningMoto;
  stop(): Promise<void>;
}

/** DynamoDB Local and moto_server (S3, SQS, SNS, SSM), as the pipeline bench starts them; no registry is needed. */
export async function startApiServices(): Promise<ApiServices> {
  const [dynamodb, moto] = await Promise.all([startDynamoDbLocal(), startMoto()]);
  return {
    dynamodb,
    moto,
    async stop() {
      await Promise.allSettled([dynamodb.stop(), moto.stop()]);
    },
  };
}

export interface ApiResources {
  readonly env: ApiEnvironment;
  readonly findingsTable: string;
  readonly advisoryTable: string;
  readonly rescanQueueUrl: string;
}

/**
 * The tables, bucket, queues, topic and policy parameter the API Lambda's environment names, read
 * with its own readApiEnvironment. The policy: fail on HIGH, audit mode (no ECR calls).
 */
export async function createApiResources(services: ApiServices): Promise<ApiResources> {
  const raw = dynamodbClient(services);
  const s3 = s3Client(services);
  const sqs = sqsClient(services);
  const [findingsTable, advisoryTable, bucket, scanQueue, rescanQueue, alerting] = await Promise.all([
    createTable(raw, FINDINGS_TABLE, 'customs-bench-api-findings'),
    createTable(raw, ADVISORY_TABLE, 'customs-bench-api-advisories'),
    createBucket(s3),
    createQueue(sqs),
    createQueue(sqs),
    motoAlerting(services.moto.endpoint, REGION, { default: { failOn: 'HIGH' } }),
  ]);
  const env = readApiEnvironment({
    AWS_REGION: REGION,
    FINDINGS_TABLE_NAME: findingsTable,
    ADVISORY_TABLE_NAME: advisoryTable,
    SBOM_BUCKET_NAME: bucket,
    POLICY_PARAMETER_NAME: alerting.env.policyParameterName,
    ALERTS_TOPIC_ARN: alerting.env.alertsTopicArn,
    SCAN_QUEUE_URL: scanQueue.url,
    RESCAN_QUEUE_URL: rescanQueue.url,
    API_ACCESS_RULES: JSON.stringify([{ principal: `arn:aws:iam::${ACCOUNT}:role/${ROLE}`, read: [''], act: [''] }]),
  });
  return { env, findingsTable, advisoryTable, rescanQueueUrl: rescanQueue.url };
}

export interface ApiWorld {
  readonly clients: ApiClients;
  readonly handler: FindingsApiHandler;
}

/** The findings API Lambda as `handler` builds it (createApiDeps + createFindingsApiHandler), on its own clients; metered when given a meter. */
export function apiWorld(services: ApiServices, resources: ApiResources, meter?: RequestMeter): ApiWorld {
  const clients: ApiClients = { dynamodb: dynamodbClient(services), ecr: new ECRClient({ endpoint: services.moto.endpoint, region: REGION, credentials: CREDENTIALS }), s3: s3Client(services), sqs: sqsClient(services), ...motoClients(services.moto.endpoint) };
  if (meter) {
    const tables = new Map<string, MeteredTable>([
      [resources.findingsTable, { ...meteredTable('findings', FINDINGS_TABLE), itemRoles: FINDINGS_ITEM_ROLES }],
      [resources.advisoryTable, meteredTable('advisories', ADVISORY_TABLE)],
    ]);
    meterDynamoDb(clients.dynamodb, dynamodbClient(services), tables, meter);
    meterS3(clients.s3, meter);
    meterSqs(clients.sqs, meter);
    meterSns(clients.sns, meter);
    meterSsm(clients.ssm, meter);
    meterEventBridge(clients.eventBridge, meter);
  }
  const deps = createApiDeps({ env: resources.env, clients });
  return { clients, handler: createFindingsApiHandler({ ...deps, rules: resources.env.accessRules, region: REGION, account: ACCOUNT }) };
}

export type ApiResult = APIGatewayProxyStructuredResultV2;

export const dynamodbClient = (services: ApiServices): DynamoDBClient => new DynamoDBClient({ endpoint: services.dynamodb.endpoint, region: REGION, credentials: CREDENTIALS });
export const s3Client = (services: ApiServices): S3Client => new S3Client({ endpoint: services.moto.endpoint, region: REGION, credentials: CREDENTIALS, forcePathStyle: true });
export const sqsClient = (services: ApiServices): SQSClient => new SQSClient({ endpoint: services.moto.endpoint, region: REGION, credentials: CREDENTIALS });

function meteredTable(role: string, schema: TableSchema): MeteredTable {
  return { role, partitionKey: schema.partitionKey, sortKey: schema.sortKey, indexes: schema.indexes };
}
