import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DescribeImagesCommand, ECRClient, GetAuthorizationTokenCommand, type DescribeImagesCommandInput } from '@aws-sdk/client-ecr';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { findingsDocumentClient } from '../../../lambdas/adapters/dynamodb/document-client.ts';
import { DynamoDbImageStateStore } from '../../../lambdas/adapters/dynamodb/dynamodb-image-state-store.ts';
import { DynamoDbScanResultStore } from '../../../lambdas/adapters/dynamodb/dynamodb-scan-result-store.ts';
import { ADVISORY_TABLE, FINDINGS_TABLE } from '../../../lambdas/adapters/dynamodb/table-schema.ts';
import { parseDigest, type Digest } from '../../../lambdas/core/digest.ts';
import { createScanHandler, type ScanHandler } from '../../../lambdas/handlers/scan-image/scan-handler.ts';
import { createScannerDeps } from '../../../lambdas/handlers/scan-image/scanner-deps.ts';
import { createLocalTable, localDynamoDbClient } from '../../support/dynamodb-tables.ts';
import { ACCOUNT, REGION, imageActionEvent } from '../../support/ecr-events.ts';
import { startEcrLikeRegistry, type EcrLikeRegistry } from '../../support/ecr-like-registry.ts';
import { pushTestImage, type PushedImage } from '../../support/pushed-image.ts';

/**
 * The scanner handler wired as in Lambda (createScannerDeps), on DynamoDB Local, moto's S3 and SQS,
 * and images from a real docker-registry behind the two-origin ECR stand-in. ECR's API
 * (GetAuthorizationToken, DescribeImages) is stubbed with aws-sdk-client-mock. Records are real SQS
 * messages received from moto, their bodies ECR events as documented.
 */
const ecr = mockClient(ECRClient);
const context = { functionName: 'customs-scanner', awsRequestId: 'req-1' } as Context;

describe('scan-image handler on DynamoDB Local, moto and a loopback registry', () => {
  const dynamodb = localDynamoDbClient();
  const moto = { endpoint: inject('motoEndpoint'), region: REGION, credentials: { accessKeyId: 'moto', secretAccessKey: 'moto' } };
  const s3 = new S3Client({ ...moto, forcePathStyle: true });
  const sqs = new SQSClient(moto);
  let fixture: EcrLikeRegistry;
  let clean: PushedImage;
  let tampered: PushedImage;
  let findingsTable: string;
  let handler: ScanHandler;
  let queueUrl: string;
  let queueArn: string;
  const tags = new Map<string, string[]>();
  const throttled = new Set<string>();

  beforeAll(async () => {
    fixture = await startEcrLikeRegistry();
    const creds = `${fixture.username}:${fixture.password}`;
    [clean, tampered] = await Promise.all([
      pushTestImage(`${fixture.registryHost}/team/app:v1`, { destCreds: creds }),
      pushTestImage(`${fixture.registryHost}/team/other:v1`, { destCreds: creds }),
    ]);
    // Layer 1 is the image's own random data; layer 0 (os-release) is the same in every test image.
    fixture.tampered.add(tampered.parts(tampered.root).layers[1]!.digest);
    tags.set(clean.pushedDigest, ['v1']);
    tags.set(tampered.pushedDigest, ['v1']);

    findingsTable = await createLocalTable(dynamodb, FINDINGS_TABLE, 'customs-scanner-findings');
    const advisoryTable = await createLocalTable(dynamodb, ADVISORY_TABLE, 'customs-scanner-advisories');
    const bucket = `customs-scanner-${randomUUID()}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `customs-scan-${randomUUID()}` }))).QueueUrl!;
    queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;

    ecr.on(GetAuthorizationTokenCommand).resolves({
      authorizationData: [{ authorizationToken: Buffer.from(creds).toString('base64'), expiresAt: new Date(Date.now() + 12 * 3600_000), proxyEndpoint: `http://${fixture.host}` }],
    });
    ecr.on(DescribeImagesCommand).callsFake(async (input: DescribeImagesCommandInput) => {
      const digest = input.imageIds?.[0]?.imageDigest ?? '';
      if (throttled.has(digest)) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
      const imageTags = tags.get(digest);
      if (!imageTags) throw Object.assign(new Error('not found'), { name: 'ImageNotFoundException' });
      return { imageDetails: [{ imageDigest: digest, imageTags, imagePushedAt: new Date('2026-11-16T01:54:30Z') }] };
    });

    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
    handler = createScanHandler(
      createScannerDeps({
        env: { region: REGION, findingsTable, advisoryTable, sbomBucket: bucket, advisoryMaxAgeMs: 48 * 3_600_000 },
        clients: { dynamodb, ecr: new ECRClient({ region: REGION }), s3, sqs },
        logger: new Logger({ serviceName: 'customs-scanner', logLevel: 'SILENT' }),
        metrics: new Metrics({ namespace: 'Customs', serviceName: 'customs-scanner' }),
        sourceOptions: { retryDelayMs: 1 },
      }),
    );
  });

  afterAll(async () => {
    vi.unstubAllEnvs();
    ecr.restore();
    clean?.cleanup();
    tampered?.cleanup();
    await fixture?.stop();
  });

  /** Sends the bodies through moto's queue and receives them back as Lambda would hand them over. */
  async function delivered(bodies: { id: string; body: string }[]): Promise<{ records: SQSRecord[]; ids: Map<string, string> }> {
    const sent = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: bodies.map(({ id, body }) => ({ Id: id, MessageBody: body })) }));
    const ids = new Map((sent.Successful ?? []).map((entry) => [entry.Id!, entry.MessageId!]));
    const records: SQSRecord[] = [];
    while (records.length < bodies.length) {
      const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 60, MessageSystemAttributeNames: ['All'] }));
      for (const message of received.Messages ?? []) {
        records.push({
          messageId: message.MessageId!,
          receiptHandle: message.ReceiptHandle!,
          body: message.Body!,
          attributes: message.Attributes as unknown as SQSRecord['attributes'],
          messageAttributes: {},
          md5OfBody: message.MD5OfBody!,
          eventSource: 'aws:sqs',
          eventSourceARN: queueArn,
          awsRegion: REGION,
        });
      }
    }
    return { records, ids };
  }

  const push = (repository: string, image: PushedImage): string => JSON.stringify(imageActionEvent({ repository, digest: image.pushedDigest, tag: 'v1' }));

  it('scans good pushes, records a tampered image FAILED, acknowledges bad records and reports only the transient failure', async () => {
    const stranger = `sha256:${'d4'.repeat(32)}`;
    throttled.add(stranger);
    const { records, ids } = await delivered([
      { id: 'clean', body: push('team/app', clean) },
      { id: 'tampered', body: push('team/other', tampered) },
      { id: 'malformed', body: '{"source": "aws.ecr", "detail-type": ' },
      { id: 'storage', body: JSON.stringify(imageActionEvent({ repository: 'team/app', digest: clean.pushedDigest, action: 'UPDATE_STORAGE_CLASS' })) },
      { id: 'failed', body: JSON.stringify(imageActionEvent({ repository: 'team/app', digest: clean.pushedDigest, tag: 'v9', result: 'FAILURE' })) },
      { id: 'throttled', body: JSON.stringify(imageActionEvent({ repository: 'team/app', digest: stranger, tag: 'v2' })) },
    ]);

    const response = await handler({ Records: records } as SQSEvent, context);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: ids.get('throttled') }]);

    const table = { client: findingsDocumentClient(dynamodb), tableName: findingsTable };
    const results = new DynamoDbScanResultStore(table);
    const scanned = await results.get(parseDigest(clean.pushedDigest));
    expect(scanned?.reason).toBeUndefined();
    expect(scanned).toMatchObject({ status: 'SCANNED', digest: clean.pushedDigest });
    expect(scanned!.layers.map((layer) => layer.digest)).toEqual(clean.parts(clean.root).layers.map((layer) => layer.digest));
    const failed = await results.get(parseDigest(tampered.pushedDigest));
    expect(failed).toMatchObject({ status: 'FAILED' });
    expect(failed!.reason).toContain(tampered.parts(tampered.root).layers[1]!.digest);
    expect(await results.get(stranger as Digest)).toBeUndefined();

    const state = await new DynamoDbImageStateStore(table).get({ account: ACCOUNT, region: REGION, repository: 'team/app', digest: parseDigest(clean.pushedDigest) });
    expect(state?.tags).toEqual(['v1']);
    // The failed push's tag was never recorded.
    expect(state?.tags).not.toContain('v9');
  });

  it('acknowledges a duplicate event without scanning again', async () => {
    const before = await new DynamoDbScanResultStore({ client: findingsDocumentClient(dynamodb), tableName: findingsTable }).get(parseDigest(clean.pushedDigest));
    const requestsBefore = fixture.storageRequests.length;
    const { records } = await delivered([{ id: 'again', body: push('team/app', clean) }]);
    expect(await handler({ Records: records } as SQSEvent, context)).toEqual({ batchItemFailures: [] });
    expect(fixture.storageRequests.length).toBe(requestsBefore);
    const after = await new DynamoDbScanResultStore({ client: findingsDocumentClient(dynamodb), tableName: findingsTable }).get(parseDigest(clean.pushedDigest));
    expect(after?.finishedAt).toEqual(before?.finishedAt);
  });
});
