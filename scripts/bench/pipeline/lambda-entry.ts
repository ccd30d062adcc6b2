import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECRClient } from '@aws-sdk/client-ecr';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { lazyScanHandler } from '../../../lambdas/handlers/scan-image/lazy-scan-handler.ts';
import { stubEcr } from './ecr-stub.ts';
import { LAMBDA_CONFIG_ENV, lambdaConfigSchema } from './lambda-config.ts';

/**
 * lambdas/handlers/scan-image-handler.ts as the bench bundles it: the same lazy entry point
 * (lazyScanHandler); only the clients differ, pointed at DynamoDB Local and moto (static
 * credentials) with ECR's API stubbed in-process.
 */
export const handler = lazyScanHandler((env) => {
  const config = lambdaConfigSchema.parse(JSON.parse(process.env[LAMBDA_CONFIG_ENV] ?? '{}'));
  const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };
  const ecr = new ECRClient({ region: env.region });
  stubEcr(ecr, config.ecr);
  const clients = {
    dynamodb: new DynamoDBClient({ region: env.region, endpoint: config.dynamodbEndpoint, credentials }),
    ecr,
    s3: new S3Client({ region: env.region, endpoint: config.motoEndpoint, credentials, forcePathStyle: true }),
    sqs: new SQSClient({ region: env.region, endpoint: config.motoEndpoint, credentials }),
    // Alerts, the policy parameter and events on moto: their requests are the pipeline's too.
    sns: new SNSClient({ region: env.region, endpoint: config.motoEndpoint, credentials }),
    ssm: new SSMClient({ region: env.region, endpoint: config.motoEndpoint, credentials }),
    eventBridge: new EventBridgeClient({ region: env.region, endpoint: config.motoEndpoint, credentials }),
  };
  return { clients, authorizationOptions: { registryEndpointFor: () => config.ecr.proxyEndpoint } };
});
