import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { PublishBatchCommand, SNSClient, type PublishBatchRequestEntry } from '@aws-sdk/client-sns';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject, vi } from 'vitest';
import { findingsDocumentClient } from '../../lambdas/adapters/dynamodb/document-client.ts';
import { DynamoDbImageStateStore } from '../../lambdas/adapters/dynamodb/dynamodb-image-state-store.ts';
import { DynamoDbRepositoryCatalogue } from '../../lambdas/adapters/dynamodb/dynamodb-repository-catalogue.ts';
import { DynamoDbScanResultStore } from '../../lambdas/adapters/dynamodb/dynamodb-scan-result-store.ts';
import { ADVISORY_TABLE, FINDINGS_TABLE } from '../../lambdas/adapters/dynamodb/table-schema.ts';
import { parseDigest, type Digest } from '../../lambdas/core/digest.ts';
import type { Clock } from '../../lambdas/core/ports.ts';
import type { PolicyDocumentInput } from '../../lambdas/core/policy/policy-document.ts';
import type { ScanImageResult } from '../../lambdas/core/use-cases/scan-image.ts';
import { createScanHandler, type ScanHandler } from '../../lambdas/handlers/scan-image/scan-handler.ts';
import { createScannerDeps } from '../../lambdas/handlers/scan-image/scanner-deps.ts';
import { createLocalTable, localDynamoDbClient } from './dynamodb-tables.ts';
import { ACCOUNT, REGION } from './ecr-events.ts';
import { startEcrQuarantineStub, type EcrStubWrite } from './ecr-quarantine-stub.ts';
import { startEcrLikeRegistry, type EcrLikeRegistry } from './ecr-like-registry.ts';
import { pushTestImage, type PushedImage, type PushOptions } from './pushed-image.ts';
import { startRegistryProxy, type RunningProxy } from './registry-proxy.ts';
import { skopeoCopy } from './skopeo.ts';
import { lambdaSqsRecord } from './sqs-lambda-record.ts';

/**
 * The scanner handler wired as in Lambda (createScannerDeps) on DynamoDB Local, moto's S3 and SQS,
 * and images in a real docker-registry behind the two-origin ECR stand-in. ECR's API
 * (GetAuthorizationToken, DescribeImages) is stubbed with aws-sdk-client-mock; DescribeImages answers
 * what the test registered. A thin proxy in front of the stand-in counts the manifests it serves and
 * answers 404 for manifests a test says are gone, as ECR does for a digest it no longer has.
 */
export const ALERTS_TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:customs-alerts`;
export const POLICY_PARAMETER = '/customs/policy';

export const handlerContext = { functionName: 'customs-scanner', awsRequestId: 'req-1' } as Context;

export interface DeliveredBatch {
  readonly records: SQSRecord[];
  /** The message ID of each body, by the id it was sent with. */
  readonly ids: Map<string, string>;
  readonly queue: TestQueue;
}

export interface TestQueue {
  readonly url: string;
  readonly arn: string;
  /** Receives up to `count` messages (fewer when no more are visible now), as Lambda hands them over. */
  receive(count: number, visibilityTimeout?: number): Promise<SQSRecord[]>;
}

export interface ScannerHandlerHarness {
  readonly registry: EcrLikeRegistry;
  readonly dynamodb: DynamoDBClient;
  readonly sqs: SQSClient;
  readonly findingsTable: string;
  readonly advisoryTable: string;
  readonly results: DynamoDbScanResultStore;
  readonly images: DynamoDbImageStateStore;
  readonly catalogue: DynamoDbRepositoryCatalogue;
  /** Every result the use case returned to a handler of this harness, in order of completion. */
  readonly scans: ScanImageResult[];
  /** Manifests (`repository@digest`) the front origin answers 404 for. */
  readonly missingManifests: Set<string>;
  /** Digests whose DescribeImages is throttled. */
  readonly throttledDescribes: Set<string>;
  /** Makes DescribeImages report the digest in the repository with these tags (none: untagged). */
  ecrHas(repository: string, digest: string, tags?: readonly string[]): void;
  /** The tags the ECR stub shows on the digest now (quarantine's PutImage and BatchDeleteImage change them). */
  ecrTags(repository: string, digest: string): readonly string[] | undefined;
  /** Makes DescribeRepositories report this tag mutability for the repository (MUTABLE otherwise). */
  ecrMutability(repository: string, mutability: 'MUTABLE' | 'IMMUTABLE'): void;
  /** Every PutImage and BatchDeleteImage request, in order, as sent. */
  readonly ecrWrites: EcrStubWrite[];
  /** The storage status the ECR stub reports for the digest (UpdateImageStorageClass changes it). */
  ecrStatus(repository: string, digest: string): 'ACTIVE' | 'ARCHIVED' | 'ACTIVATING';
  /** A new handler, as a new Lambda execution environment builds it; clients default to the harness's. */
  handler(clients?: { dynamodb?: DynamoDBClient; sqs?: SQSClient }, options?: { clock?: Clock }): ScanHandler;
  /** Sends the bodies through a new moto queue and receives them back as Lambda would hand them over. */
  deliver(bodies: readonly { id: string; body: string }[], options?: { visibilityTimeout?: number }): Promise<DeliveredBatch>;
  /** Pushes a test image to `repository:tag` (pushTestImage) with the registry's credentials. */
  pushImage(repositoryAndTag: string, options?: Omit<PushOptions, 'destCreds'>): Promise<PushedImage>;
  /** Pushes an OCI layout's `tag` (every platform, digests preserved) to `repository:tag`; returns the pushed digest. */
  pushLayout(layout: string, repositoryAndTag: string, layoutTag?: string): Promise<Digest>;
  /** Manifest documents the front origin served for the digest in the repository. */
  manifestReads(repository: string, digest: string): number;
  /** The policy document the SSM parameter holds (as the stack deploys it); `{}` at first. */
  setPolicy(document: PolicyDocumentInput): void;
  /** Every entry the alerts topic accepted (PublishBatch), in order, and every event the bus accepted. */
  readonly published: PublishBatchRequestEntry[];
  readonly events: PutEventsRequestEntry[];
  /** Publishes that fail (a throttled SNS) before publishing works again. */
  failPublishes(count: number): void;
  /** Blobs the storage origin served for the digest in the repository. */
  blobReads(repository: string, digest: string): number;
  stop(): Promise<void>;
}

export async function startScannerHandlerHarness(prefix: string): Promise<ScannerHandlerHarness> {
  const registry = await startEcrLikeRegistry();
  const creds = `${registry.username}:${registry.password}`;
  const missingManifests = new Set<string>();
  const servedManifests: string[] = [];
  const front: RunningProxy = await startRegistryProxy(registry.host, async (request, response, context) => {
    const manifest = /^\/v2\/(.+)\/manifests\/([^/?]+)$/.exec(request.url ?? '/');
    if (!manifest || request.method !== 'GET') return false;
    const key = `${manifest[1]}@${manifest[2]}`;
    if (missingManifests.has(key) && request.headers.authorization) {
      response.writeHead(404, { 'Content-Type': 'application/json' }).end(JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'Requested image not found' }] }));
      return true;
    }
    const upstream = await context.forward();
    if (upstream.statusCode === 200) servedManifests.push(key);
    context.relay(upstream);
    return true;
  });

  const dynamodb = localDynamoDbClient();
  const moto = { endpoint: inject('motoEndpoint'), region: REGION, credentials: { accessKeyId: 'moto', secretAccessKey: 'moto' } };
  const s3 = new S3Client({ ...moto, forcePathStyle: true });
  const sqs = new SQSClient(moto);
  const findingsTable = await createLocalTable(dynamodb, FINDINGS_TABLE, `${prefix}-findings`);
  const advisoryTable = await createLocalTable(dynamodb, ADVISORY_TABLE, `${prefix}-advisories`);
  const bucket = `${prefix}-${randomUUID()}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));

  // ECR's API on the same images: the quarantine commands from the shared stateful stub, its
  // manifests the registry's exact bytes (so a put-back tag keeps the digest).
  const ecr = mockClient(ECRClient);
  ecr.on(GetAuthorizationTokenCommand).resolves({
    authorizationData: [{ authorizationToken: Buffer.from(creds).toString('base64'), expiresAt: new Date(Date.now() + 12 * 3600_000), proxyEndpoint: `http://${front.host}` }],
  });
  const ecrStub = startEcrQuarantineStub({
    account: ACCOUNT,
    region: REGION,
    mock: ecr,
    async manifestOf(repository, digest, acceptedMediaTypes) {
      const response = await fetch(`http://${registry.registryHost}/v2/${repository}/manifests/${digest}`, {
        headers: { Authorization: `Basic ${Buffer.from(creds).toString('base64')}`, Accept: acceptedMediaTypes.join(', ') },
      });
      if (response.status !== 200) return undefined;
      return { text: await response.text(), mediaType: response.headers.get('content-type') ?? '' };
    },
  });
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');

  // The policy parameter, the alerts topic and the bus: exact requests are what these tests check.
  let policy = '{}';
  let policyVersion = 1;
  const published: PublishBatchRequestEntry[] = [];
  const events: PutEventsRequestEntry[] = [];
  let publishFailures = 0;
  const ssmMock = mockClient(SSMClient);
  ssmMock.on(GetParameterCommand).callsFake(async () => ({ Parameter: { Name: POLICY_PARAMETER, Value: policy, Version: policyVersion } }));
  const snsMock = mockClient(SNSClient);
  snsMock.on(PublishBatchCommand).callsFake(async (input: { PublishBatchRequestEntries?: PublishBatchRequestEntry[] }) => {
    if (publishFailures > 0) {
      publishFailures--;
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottledException', $metadata: { httpStatusCode: 400 } });
    }
    const entries = input.PublishBatchRequestEntries ?? [];
    published.push(...entries);
    return { Successful: entries.map((entry) => ({ Id: entry.Id, MessageId: randomUUID() })), Failed: [] };
  });
  const eventsMock = mockClient(EventBridgeClient);
  eventsMock.on(PutEventsCommand).callsFake(async (input: { Entries?: PutEventsRequestEntry[] }) => {
    const entries = input.Entries ?? [];
    events.push(...entries);
    return { FailedEntryCount: 0, Entries: entries.map(() => ({ EventId: randomUUID() })) };
  });

  const table = { client: findingsDocumentClient(dynamodb), tableName: findingsTable };
  const scans: ScanImageResult[] = [];
  const cleanups: (() => void)[] = [];

  async function queue(): Promise<TestQueue> {
    const url = (await sqs.send(new CreateQueueCommand({ QueueName: `${prefix}-${randomUUID()}` }))).QueueUrl!;
    const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    return {
      url,
      arn,
      async receive(count, visibilityTimeout = 60) {
        const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: Math.min(count, 10), VisibilityTimeout: visibilityTimeout, MessageSystemAttributeNames: ['All'] }));
        return (received.Messages ?? []).map((message) => lambdaSqsRecord(message, { arn, region: REGION }));
      },
    };
  }

  return {
    registry,
    dynamodb,
    sqs,
    findingsTable,
    advisoryTable,
    results: new DynamoDbScanResultStore(table),
    images: new DynamoDbImageStateStore(table),
    catalogue: new DynamoDbRepositoryCatalogue(table),
    scans,
    missingManifests,
    throttledDescribes: ecrStub.throttledDescribes,
    ecrHas(repository, digest, tags = []) {
      ecrStub.image(repository, digest, tags);
    },
    ecrTags: (repository, digest) => ecrStub.tags(repository, digest),
    ecrMutability(repository, value) {
      ecrStub.repository(repository, { mutability: value });
    },
    ecrWrites: ecrStub.writes,
    ecrStatus: (repository, digest) => ecrStub.status(repository, digest),
    setPolicy(document) {
      policy = JSON.stringify(document);
      policyVersion++;
    },
    published,
    events,
    failPublishes(count) {
      publishFailures = count;
    },
    handler(clients = {}, options = {}) {
      const deps = createScannerDeps({
        env: {
          region: REGION,
          findingsTable,
          advisoryTable,
          sbomBucket: bucket,
          advisoryMaxAgeMs: 48 * 3_600_000,
          alertsTopicArn: ALERTS_TOPIC,
          policyParameterName: POLICY_PARAMETER,
          eventBusName: 'default',
          emailImageCap: 20,
        },
        clients: {
          dynamodb: clients.dynamodb ?? dynamodb,
          ecr: new ECRClient({ region: REGION }),
          s3,
          sqs: clients.sqs ?? sqs,
          sns: new SNSClient({ region: REGION }),
          ssm: new SSMClient({ region: REGION }),
          eventBridge: new EventBridgeClient({ region: REGION }),
        },
        ...(options.clock ? { clock: options.clock } : {}),
        logger: new Logger({ serviceName: 'customs-scanner', logLevel: process.env.CUSTOMS_TEST_LOG_LEVEL === 'ERROR' ? 'ERROR' : 'SILENT' }),
        metrics: new Metrics({ namespace: 'Customs', serviceName: 'customs-scanner' }),
        sourceOptions: { retryDelayMs: 1 },
        authorizationOptions: { registryEndpointFor: () => `http://${front.host}` },
      });
      // The real use case; its results are kept so tests can tell a duplicate from a scan.
      return createScanHandler({ ...deps, scan: async (request, call) => deps.scan(request, call).then((result) => (scans.push(result), result)) });
    },
    async deliver(bodies, options = {}) {
      const target = await queue();
      const sent = await sqs.send(new SendMessageBatchCommand({ QueueUrl: target.url, Entries: bodies.map(({ id, body }) => ({ Id: id, MessageBody: body })) }));
      const ids = new Map((sent.Successful ?? []).map((entry) => [entry.Id!, entry.MessageId!]));
      const records: SQSRecord[] = [];
      while (records.length < bodies.length) records.push(...(await target.receive(bodies.length - records.length, options.visibilityTimeout)));
      return { records, ids, queue: target };
    },
    async pushImage(repositoryAndTag, options = {}) {
      const pushed = await pushTestImage(`${registry.registryHost}/${repositoryAndTag}`, { ...options, destCreds: creds });
      cleanups.push(() => pushed.cleanup());
      return pushed;
    },
    async pushLayout(layout, repositoryAndTag, layoutTag = 'latest') {
      const dir = mkdtempSync(join(tmpdir(), 'customs-pushed-'));
      try {
        const digestFile = join(dir, 'digest');
        await skopeoCopy(`oci:${layout}:${layoutTag}`, `docker://${registry.registryHost}/${repositoryAndTag}`, ['--all', '--preserve-digests', '--dest-creds', creds, '--digestfile', digestFile]);
        return parseDigest(readFileSync(digestFile, 'utf8').trim());
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    manifestReads: (repository, digest) => servedManifests.filter((key) => key === `${repository}@${digest}`).length,
    blobReads: (repository, digest) => registry.storageRequests.filter((request) => request.status === 200 && request.url === `/bucket/${repository}/${digest}`).length,
    async stop() {
      vi.unstubAllEnvs();
      ecr.restore();
      ssmMock.restore();
      snsMock.restore();
      eventsMock.restore();
      for (const cleanup of cleanups) cleanup();
      await front.stop();
      await registry.stop();
    },
  };
}
