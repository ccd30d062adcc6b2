import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  DescribeImagesCommand,
  DescribePullThroughCacheRulesCommand,
  DescribeRegistryCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  GetLifecyclePolicyCommand,
  PutImageCommand,
  UpdateImageStorageClassCommand,
  type UpdateImageStorageClassCommandInput,
  type BatchDeleteImageCommandInput,
  type BatchGetImageCommandInput,
  type DescribeImagesCommandInput,
  type DescribeRepositoriesCommandInput,
  type PutImageCommandInput,
} from '@aws-sdk/client-ecr';
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
  readonly ecrWrites: {
    readonly command: 'PutImage' | 'BatchDeleteImage' | 'UpdateImageStorageClass';
    readonly input: PutImageCommandInput | BatchDeleteImageCommandInput | UpdateImageStorageClassCommandInput;
  }[];
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

  const ecrImages = new Map<string, readonly string[]>();
  const statuses = new Map<string, 'ACTIVE' | 'ARCHIVED' | 'ACTIVATING'>();
  const tagOwner = (repository: string, tag: string): string | undefined =>
    [...ecrImages].find(([key, tags]) => key.startsWith(`${repository}@`) && tags.includes(tag))?.[0].slice(repository.length + 1);
  const throttledDescribes = new Set<string>();
  const ecr = mockClient(ECRClient);
  ecr.on(GetAuthorizationTokenCommand).resolves({
    authorizationData: [{ authorizationToken: Buffer.from(creds).toString('base64'), expiresAt: new Date(Date.now() + 12 * 3600_000), proxyEndpoint: `http://${front.host}` }],
  });
  ecr.on(DescribeImagesCommand).callsFake(async (input: DescribeImagesCommandInput) => {
    const id = input.imageIds?.[0];
    // By tag (where a tag points now), or by digest.
    const digest = id?.imageDigest ?? (id?.imageTag !== undefined ? (tagOwner(input.repositoryName!, id.imageTag) ?? '') : '');
    if (throttledDescribes.has(digest)) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
    const imageTags = ecrImages.get(`${input.repositoryName}@${digest}`);
    if (!imageTags) throw Object.assign(new Error('not found'), { name: 'ImageNotFoundException' });
    const imageStatus = statuses.get(`${input.repositoryName}@${digest}`) ?? 'ACTIVE';
    return { imageDetails: [{ registryId: ACCOUNT, repositoryName: input.repositoryName, imageDigest: digest, imageTags: [...imageTags], imagePushedAt: new Date('2026-11-16T01:54:30Z'), imageStatus }] };
  });
  // Quarantine's calls, on the same images: PutImage puts a tag (moving a mutable one, refusing an
  // immutable one), BatchDeleteImage removes a tag only while it names the digest (as ECR answers
  // ImageTagDoesNotMatchDigest otherwise), BatchGetImage serves the registry's exact manifest bytes.
  const mutability = new Map<string, 'MUTABLE' | 'IMMUTABLE'>();
  const ecrWrites: ScannerHandlerHarness['ecrWrites'] = [];
  ecr.on(BatchGetImageCommand).callsFake(async (input: BatchGetImageCommandInput) => {
    const id = input.imageIds?.[0];
    const digest = id?.imageDigest ?? (id?.imageTag !== undefined ? (tagOwner(input.repositoryName!, id.imageTag) ?? '') : '');
    const response = await fetch(`http://${registry.registryHost}/v2/${input.repositoryName}/manifests/${digest}`, {
      headers: { Authorization: `Basic ${Buffer.from(creds).toString('base64')}`, Accept: (input.acceptedMediaTypes ?? []).join(', ') },
    });
    if (response.status !== 200 || !ecrImages.has(`${input.repositoryName}@${digest}`)) {
      return { images: [], failures: [{ imageId: { imageDigest: digest }, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' }] };
    }
    const imageManifest = await response.text();
    return { images: [{ registryId: ACCOUNT, repositoryName: input.repositoryName, imageId: { imageDigest: digest, ...(id?.imageTag !== undefined ? { imageTag: id.imageTag } : {}) }, imageManifest, imageManifestMediaType: response.headers.get('content-type') ?? undefined }], failures: [] };
  });
  ecr.on(PutImageCommand).callsFake(async (input: PutImageCommandInput) => {
    ecrWrites.push({ command: 'PutImage', input });
    const repository = input.repositoryName!;
    const digest = input.imageDigest!;
    const tag = input.imageTag!;
    const tags = ecrImages.get(`${repository}@${digest}`);
    if (!tags) throw Object.assign(new Error('image not found'), { name: 'ImageNotFoundException' });
    if (tags.includes(tag)) throw Object.assign(new Error(`Image with digest '${digest}' and tag '${tag}' already exists`), { name: 'ImageAlreadyExistsException' });
    const owner = tagOwner(repository, tag);
    if (owner !== undefined) {
      if (mutability.get(repository) === 'IMMUTABLE') throw Object.assign(new Error(`The image tag '${tag}' already exists`), { name: 'ImageTagAlreadyExistsException' });
      ecrImages.set(`${repository}@${owner}`, ecrImages.get(`${repository}@${owner}`)!.filter((other) => other !== tag));
    }
    ecrImages.set(`${repository}@${digest}`, [...tags, tag].sort());
    return { image: { registryId: ACCOUNT, repositoryName: repository, imageId: { imageDigest: digest, imageTag: tag }, imageManifest: input.imageManifest } };
  });
  ecr.on(BatchDeleteImageCommand).callsFake(async (input: BatchDeleteImageCommandInput) => {
    ecrWrites.push({ command: 'BatchDeleteImage', input });
    const repository = input.repositoryName!;
    const imageIds = [];
    const failures = [];
    for (const id of input.imageIds ?? []) {
      const key = `${repository}@${id.imageDigest}`;
      const tags = ecrImages.get(key);
      if (!tags) failures.push({ imageId: id, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' });
      else if (!tags.includes(id.imageTag!)) failures.push({ imageId: id, failureCode: tagOwner(repository, id.imageTag!) ? 'ImageTagDoesNotMatchDigest' : 'ImageNotFound', failureReason: 'no such tag on the digest' });
      else {
        const rest = tags.filter((tag) => tag !== id.imageTag);
        // ECR deletes an image with its last tag.
        if (rest.length === 0) ecrImages.delete(key);
        else ecrImages.set(key, rest);
        imageIds.push(id);
      }
    }
    return { imageIds, failures };
  });
  // Archive is immediate; a restore reports ACTIVATING, as ECR's does, until the test says otherwise.
  ecr.on(UpdateImageStorageClassCommand).callsFake(async (input: UpdateImageStorageClassCommandInput) => {
    ecrWrites.push({ command: 'UpdateImageStorageClass', input });
    const key = `${input.repositoryName}@${input.imageId?.imageDigest}`;
    if (!ecrImages.has(key)) throw Object.assign(new Error('image not found'), { name: 'ImageNotFoundException' });
    const imageStatus = input.targetStorageClass === 'ARCHIVE' ? 'ARCHIVED' : statuses.get(key) === 'ARCHIVED' ? 'ACTIVATING' : (statuses.get(key) ?? 'ACTIVE');
    statuses.set(key, imageStatus);
    return { registryId: ACCOUNT, repositoryName: input.repositoryName, imageId: input.imageId, imageStatus };
  });
  ecr.on(DescribeRepositoriesCommand).callsFake(async (input: DescribeRepositoriesCommandInput) => ({
    repositories: (input.repositoryNames ?? []).map((repositoryName) => ({
      registryId: ACCOUNT,
      repositoryName,
      repositoryArn: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${repositoryName}`,
      imageTagMutability: mutability.get(repositoryName) ?? 'MUTABLE',
    })),
  }));
  ecr.on(GetLifecyclePolicyCommand).rejects(Object.assign(new Error('Lifecycle policy does not exist'), { name: 'LifecyclePolicyNotFoundException' }));
  ecr.on(DescribePullThroughCacheRulesCommand).resolves({ pullThroughCacheRules: [] });
  ecr.on(DescribeRegistryCommand).resolves({ registryId: ACCOUNT, replicationConfiguration: { rules: [] } });
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
    throttledDescribes,
    ecrHas(repository, digest, tags = []) {
      ecrImages.set(`${repository}@${digest}`, tags);
    },
    ecrTags: (repository, digest) => ecrImages.get(`${repository}@${digest}`),
    ecrMutability(repository, value) {
      mutability.set(repository, value);
    },
    ecrWrites,
    ecrStatus: (repository, digest) => statuses.get(`${repository}@${digest}`) ?? 'ACTIVE',
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
