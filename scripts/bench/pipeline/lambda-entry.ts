import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECRClient } from '@aws-sdk/client-ecr';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createScanHandler, type ScanHandler } from '../../../lambdas/handlers/scan-image/scan-handler.ts';
import { createScannerDeps } from '../../../lambdas/handlers/scan-image/scanner-deps.ts';
import { readScannerEnvironment } from '../../../lambdas/handlers/scan-image/scanner-environment.ts';
import { stubEcr } from './ecr-stub.ts';
import { LAMBDA_CONFIG_ENV, lambdaConfigSchema } from './lambda-config.ts';

/**
 * lambdas/handlers/scan-image-handler.ts as the bench bundles it: the same module-scope logger and
 * metrics and the same lazy wiring on the first invocation; only the clients differ, pointed at
 * DynamoDB Local and moto (static credentials) with ECR's API stubbed in-process.
 */
const logger = new Logger({ serviceName: 'customs-scanner' });
const metrics = new Metrics({ namespace: 'Customs', serviceName: 'customs-scanner' });
let scan: ScanHandler | undefined;

export async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  if (!scan) {
    const env = readScannerEnvironment(process.env);
    const config = lambdaConfigSchema.parse(JSON.parse(process.env[LAMBDA_CONFIG_ENV] ?? '{}'));
    const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };
    const ecr = new ECRClient({ region: env.region });
    stubEcr(ecr, config.ecr);
    const clients = {
      dynamodb: new DynamoDBClient({ region: env.region, endpoint: config.dynamodbEndpoint, credentials }),
      ecr,
      s3: new S3Client({ region: env.region, endpoint: config.motoEndpoint, credentials, forcePathStyle: true }),
      sqs: new SQSClient({ region: env.region, endpoint: config.motoEndpoint, credentials }),
    };
    scan = createScanHandler(createScannerDeps({ env, clients, logger, metrics, authorizationOptions: { registryEndpointFor: () => config.ecr.proxyEndpoint } }));
  }
  return scan(event, context);
}
