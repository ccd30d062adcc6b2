import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDbAdvisoryLookup } from '../../../lambdas/adapters/dynamodb/advisory-lookup.ts';
import { findingsDocumentClient } from '../../../lambdas/adapters/dynamodb/document-client.ts';
import { DynamoDbImageStateStore } from '../../../lambdas/adapters/dynamodb/dynamodb-image-state-store.ts';
import { DynamoDbRescanMarks } from '../../../lambdas/adapters/dynamodb/dynamodb-rescan-marks.ts';
import { DynamoDbScanResultStore } from '../../../lambdas/adapters/dynamodb/dynamodb-scan-result-store.ts';
import { DynamoDbVerdictStore } from '../../../lambdas/adapters/dynamodb/dynamodb-verdict-store.ts';
import { ecrRepositoryArn } from '../../../lambdas/adapters/ecr/ecr-repository-arn.ts';
import { EventBridgeEventPublisher } from '../../../lambdas/adapters/eventbridge/eventbridge-event-publisher.ts';
import { S3AdvisoryChangeSets } from '../../../lambdas/adapters/s3/s3-advisory-change-sets.ts';
import { S3SbomStore } from '../../../lambdas/adapters/s3/s3-sbom-store.ts';
import { SnsAlertPublisher } from '../../../lambdas/adapters/sns/sns-alert-publisher.ts';
import { parseRescanMessage, SqsRescanQueue } from '../../../lambdas/adapters/sqs/sqs-rescan-queue.ts';
import { SsmPolicySource } from '../../../lambdas/adapters/ssm/ssm-policy-source.ts';
import type { SbomRef } from '../../../lambdas/core/pipeline/model.ts';
import type { RescanMessage, SbomStore } from '../../../lambdas/core/ports.ts';
import { evaluateImages, type EvaluateImagesDeps } from '../../../lambdas/core/use-cases/evaluate-images.ts';
import type { QueueRescansDeps } from '../../../lambdas/core/use-cases/queue-rescans.ts';
import type { RescanImagesDeps } from '../../../lambdas/core/use-cases/rescan-images.ts';
import { REGION } from '../pipeline/local-services.ts';

/** Where everything lives: one findings and advisory table, the SBOM and change-set buckets, the alerting stand-ins. */
export interface RescanResources {
  readonly findingsTable: string;
  readonly advisoryTable: string;
  readonly sbomBucket: string;
  readonly changeBucket: string;
  readonly motoEndpoint: string;
  readonly alertsTopicArn: string;
  readonly policyParameterName: string;
}

/** The clients one world of ports is built on; the bench makes a metered and a plain one. */
export interface RescanClients {
  readonly dynamodb: DynamoDBClient;
  readonly s3: S3Client;
  readonly sqs: SQSClient;
  readonly sns: SNSClient;
  readonly ssm: SSMClient;
  readonly eventBridge: EventBridgeClient;
}

export interface RescanWorld {
  readonly clients: RescanClients;
  /** SBOM reads, by location: the rescan must read only the affected images'. */
  readonly sbomReads: string[];
  readonly stores: { readonly images: DynamoDbImageStateStore; readonly results: DynamoDbScanResultStore; readonly sboms: S3SbomStore; readonly changeSets: S3AdvisoryChangeSets };
  /** The judging the push path does (evaluateImages as a scan), for storing images with their verdicts. */
  readonly judgeAsPush: EvaluateImagesDeps;
  fanOutDeps(queueUrl: string, digestsPerMessage: number): QueueRescansDeps;
  readonly rescanDeps: RescanImagesDeps;
  /** Takes one message off the queue as the event source mapping does (batch size 1), deleting it. */
  poll(queueUrl: string): Promise<RescanMessage | undefined>;
}

/** The alerting clients on moto (SNS, SSM, EventBridge), for a world's own metering. */
export function motoClients(endpoint: string): Pick<RescanClients, 'sns' | 'ssm' | 'eventBridge'> {
  const config = { endpoint, region: REGION, credentials: { accessKeyId: 'moto', secretAccessKey: 'moto' } };
  return { sns: new SNSClient(config), ssm: new SSMClient(config), eventBridge: new EventBridgeClient(config) };
}

/**
 * The fan-out and the re-evaluation wired as the end-to-end rescan test wires them (the adapters
 * the Lambdas use, module-scope clients and policy source shared by every invocation), audit mode:
 * no quarantine or release (the pipeline bench prices enforce mode).
 */
export function rescanWorld(resources: RescanResources, clients: RescanClients): RescanWorld {
  const clock = { now: () => new Date() };
  const table = { client: findingsDocumentClient(clients.dynamodb), tableName: resources.findingsTable };
  const images = new DynamoDbImageStateStore(table);
  const results = new DynamoDbScanResultStore(table);
  const sboms = new S3SbomStore({ client: clients.s3, bucket: resources.sbomBucket });
  const changeSets = new S3AdvisoryChangeSets({ client: clients.s3, bucket: resources.changeBucket });
  const sbomReads: string[] = [];
  const countingSboms: Pick<SbomStore, 'get'> = {
    get: async (ref: SbomRef) => {
      sbomReads.push(ref.location);
      return sboms.get(ref);
    },
  };
  const policies = new SsmPolicySource({ ssm: clients.ssm, s3: clients.s3, parameterName: resources.policyParameterName, clock });
  const judging: EvaluateImagesDeps = {
    images,
    results,
    sboms,
    verdicts: new DynamoDbVerdictStore(table),
    policies,
    alerts: new SnsAlertPublisher({ client: clients.sns, topicArn: resources.alertsTopicArn }),
    events: new EventBridgeEventPublisher({ client: clients.eventBridge, eventBusName: 'default' }),
    clock,
    options: { emailImageCap: 20, repositoryId: ecrRepositoryArn },
  };
  return {
    clients,
    sbomReads,
    stores: { images, results, sboms, changeSets },
    judgeAsPush: judging,
    fanOutDeps: (queueUrl, digestsPerMessage) => ({ results, marks: new DynamoDbRescanMarks(table), queue: new SqsRescanQueue(clients.sqs, queueUrl), options: { digestsPerMessage } }),
    rescanDeps: {
      results,
      sboms: countingSboms,
      changeSets,
      advisories: new DynamoDbAdvisoryLookup(clients.dynamodb, resources.advisoryTable),
      holders: images,
      judge: (keys, call) => evaluateImages(keys, { ...judging, sboms: countingSboms }, call),
      clock,
    },
    async poll(queueUrl) {
      const received = (await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 0 }))).Messages ?? [];
      const message = received[0];
      if (!message) return undefined;
      await clients.sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle! }));
      return parseRescanMessage(message.Body!);
    },
  };
}
