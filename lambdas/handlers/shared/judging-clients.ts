import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECRClient } from '@aws-sdk/client-ecr';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';

/** The AWS clients judging, enforcing and releasing use; built once per cold start, tests point them at DynamoDB Local and moto. */
export interface JudgingClients {
  readonly dynamodb: DynamoDBClient;
  readonly ecr: ECRClient;
  readonly s3: S3Client;
  readonly sns: SNSClient;
  readonly ssm: SSMClient;
  readonly eventBridge: EventBridgeClient;
}

export function createJudgingClients(region: string): JudgingClients {
  return {
    dynamodb: new DynamoDBClient({ region }),
    ecr: new ECRClient({ region }),
    s3: new S3Client({ region }),
    sns: new SNSClient({ region }),
    ssm: new SSMClient({ region }),
    eventBridge: new EventBridgeClient({ region }),
  };
}
