import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DescribeImagesCommand, ECRClient, GetAuthorizationTokenCommand, type DescribeImagesCommandInput } from '@aws-sdk/client-ecr';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { findingsDocumentClient } from '../../../lambdas/adapters/dynamodb/document-client.ts';
import { DynamoDbImageStateStore } from '../../../lambdas/adapters/dynamodb/dynamodb-image-state-store.ts';
import { DynamoDbRepositoryCatalogue } from '../../../lambdas/adapters/dynamodb/dynamodb-repository-catalogue.ts';
import { DynamoDbScanResultStore } from '../../../lambdas/adapters/dynamodb/dynamodb-scan-result-store.ts';
import { ADVISORY_TABLE, FINDINGS_TABLE } from '../../../lambdas/adapters/dynamodb/table-schema.ts';
import { parseDigest } from '../../../lambdas/core/digest.ts';
import type { ManifestOutcome } from '../../../lambdas/core/use-cases/scan-image.ts';
import { SqsRetrySchedule } from '../../../lambdas/handlers/scan-image/retry-schedule.ts';
import { createScanHandler } from '../../../lambdas/handlers/scan-image/scan-handler.ts';
import { createScannerDeps } from '../../../lambdas/handlers/scan-image/scanner-deps.ts';
import { inParallel, pushTinyImages } from '../../support/distribution-push.ts';
import { createLocalTable, localDynamoDbClient } from '../../support/dynamodb-tables.ts';
import { ACCOUNT, REGION } from '../../support/ecr-events.ts';
import { startEcrLikeRegistry, type EcrLikeRegistry } from '../../support/ecr-like-registry.ts';
import { drainBurst, type PollLog } from '../../support/lambda-sqs-poller.ts';
import { motoAlerting, type MotoAlerting } from '../../support/moto-alerting.ts';
import { pushBurst, type PushBurst } from '../../support/push-burst.ts';

/**
 * Issue 12's burst: 1,000 PUSH events over 200 digests (each 5 times, retags and second
 * repositories among them), through a moto queue with a DLQ, drained by 8 concurrent scanner
 * "execution environments" each wired as in Lambda (createScannerDeps) on DynamoDB Local, moto S3
 * and the two-origin ECR stand-in. A few DescribeImages calls are throttled once, so the retry path
 * runs too. Every digest must be scanned exactly once and every tag recorded, with nothing lost.
 */
const ecr = mockClient(ECRClient);

const DIGESTS = 200;
const EVENTS_PER_DIGEST = 5;
const WORKERS = 8;
const THROTTLED_DIGESTS = 10;
const REPOSITORIES = ['burst/api', 'burst/web', 'burst/worker', 'burst/batch'];

describe('a burst of 1,000 pushes drained by concurrent scanner invocations', () => {
  const dynamodb = localDynamoDbClient();
  const moto = { endpoint: inject('motoEndpoint'), region: REGION, credentials: { accessKeyId: 'moto', secretAccessKey: 'moto' } };
  const s3 = new S3Client({ ...moto, forcePathStyle: true });
  const sqs = new SQSClient(moto);
  const burst: PushBurst = pushBurst({ digests: DIGESTS, eventsPerDigest: EVENTS_PER_DIGEST, repositories: REPOSITORIES, seed: 12 });
  const throttled = new Set(burst.images.filter((_, i) => i % (DIGESTS / THROTTLED_DIGESTS) === 7).map((entry) => entry.image.digest));
  const describeCalls = new Map<string, number>();
  /** Successful manifest GETs by digest: each one is a scan that got past its claim. */
  const manifestReads = new Map<string, number>();
  /** Digests by the use case's outcome for them, one entry per manifest of each scan call. */
  const outcomes = new Map<ManifestOutcome['outcome'], string[]>();
  let fixture: EcrLikeRegistry;
  let findingsTable: string;
  let advisoryTable: string;
  let bucket: string;
  let alerting: MotoAlerting;

  beforeAll(async () => {
    fixture = await startEcrLikeRegistry();
    const creds = `${fixture.username}:${fixture.password}`;
    bucket = `customs-burst-${randomUUID()}`;
    // The pushes, the alerting resources, the tables and the bucket are independent: made together.
    [, alerting, findingsTable, advisoryTable] = await Promise.all([
      pushTinyImages(
        { host: fixture.registryHost, username: fixture.username, password: fixture.password },
        // By digest: the tags ECR reports are DescribeImages' answer below, which the handler asks.
        burst.images.flatMap(({ image, tags }) => [...tags.keys()].map((repository) => ({ image, repository, tags: [] }))),
      ),
      motoAlerting(inject('motoEndpoint'), REGION),
      createLocalTable(dynamodb, FINDINGS_TABLE, 'customs-burst-findings'),
      createLocalTable(dynamodb, ADVISORY_TABLE, 'customs-burst-advisories'),
      s3.send(new CreateBucketCommand({ Bucket: bucket })),
    ]);

    const tagsOf = new Map(burst.images.flatMap(({ image, tags }) => [...tags].map(([repository, names]) => [`${repository}@${image.digest}`, names] as const)));
    ecr.on(GetAuthorizationTokenCommand).resolves({
      authorizationData: [{ authorizationToken: Buffer.from(creds).toString('base64'), expiresAt: new Date(Date.now() + 12 * 3600_000), proxyEndpoint: `http://${fixture.host}` }],
    });
    ecr.on(DescribeImagesCommand).callsFake(async (input: DescribeImagesCommandInput) => {
      const digest = input.imageIds?.[0]?.imageDigest ?? '';
      const calls = (describeCalls.get(digest) ?? 0) + 1;
      describeCalls.set(digest, calls);
      if (throttled.has(digest) && calls === 1) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
      const imageTags = tagsOf.get(`${input.repositoryName}@${digest}`);
      if (!imageTags) throw Object.assign(new Error('not found'), { name: 'ImageNotFoundException' });
      return { imageDetails: [{ imageDigest: digest, imageTags: [...imageTags], imagePushedAt: new Date('2026-11-16T01:54:30Z') }] };
    });
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
  });

  afterAll(async () => {
    vi.unstubAllEnvs();
    ecr.restore();
    await fixture?.stop();
  });

  const countingFetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    const manifest = /\/manifests\/(sha256:[0-9a-f]{64})$/.exec(new URL(input instanceof Request ? input.url : input).pathname);
    if (manifest && (init?.method ?? 'GET') === 'GET' && response.status === 200) manifestReads.set(manifest[1]!, (manifestReads.get(manifest[1]!) ?? 0) + 1);
    return response;
  };

  /** One Lambda execution environment: its own cold start, so no state is shared but the stores. */
  function scannerEnvironment() {
    const deps = createScannerDeps({
      env: { region: REGION, findingsTable, advisoryTable, sbomBucket: bucket, advisoryMaxAgeMs: 48 * 3_600_000, ...alerting.env },
      clients: { dynamodb, ecr: new ECRClient({ region: REGION }), s3, sqs, ...alerting.clients },
      logger: new Logger({ serviceName: 'customs-scanner', logLevel: 'SILENT' }),
      metrics: new Metrics({ namespace: 'Customs', serviceName: 'customs-scanner' }),
      sourceOptions: { retryDelayMs: 1, fetchImpl: countingFetch },
      authorizationOptions: { registryEndpointFor: () => `http://${fixture.host}` },
    });
    // Every manifest's outcome is tallied; the production retry schedule with a 1 s base instead of
    // 30 s, so a retried record is back within the test.
    const scan: typeof deps.scan = async (request) => {
      const result = await deps.scan(request);
      for (const manifest of result.manifests) outcomes.set(manifest.outcome, [...(outcomes.get(manifest.outcome) ?? []), manifest.digest]);
      return result;
    };
    return createScanHandler({ ...deps, scan, retries: new SqsRetrySchedule(sqs, { baseSeconds: 1 }) });
  }

  async function queueWithDlq(): Promise<{ queueUrl: string; queueArn: string; dlqUrl: string }> {
    const name = `customs-burst-${randomUUID()}`;
    const dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }))).QueueUrl!;
    const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    const queueUrl = (
      await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '300', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 5 }) } }))
    ).QueueUrl!;
    const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    return { queueUrl, queueArn, dlqUrl };
  }

  async function messagesIn(queueUrl: string): Promise<number> {
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] }),
    );
    return Number(Attributes.ApproximateNumberOfMessages) + Number(Attributes.ApproximateNumberOfMessagesNotVisible) + Number(Attributes.ApproximateNumberOfMessagesDelayed);
  }

  it('scans each digest once, records every tag and loses no message', { timeout: 180_000 }, async () => {
    const { queueUrl, queueArn, dlqUrl } = await queueWithDlq();
    const log: PollLog = await drainBurst(
      { sqs, queueUrl, queueArn, region: REGION },
      burst.events.map((event) => event.body),
      Array.from({ length: WORKERS }, () => scannerEnvironment()),
      { timeoutMs: 150_000, maxOutstanding: 100 },
    );
    const digestOf = (messageId: string): string | undefined => burst.events[log.sent.get(messageId)!]?.digest;

    // Nothing lost: every message acknowledged, none left on the queue or moved to the DLQ.
    expect(log.sent.size).toBe(DIGESTS * EVENTS_PER_DIGEST);
    expect([...log.acknowledged].sort()).toEqual([...log.sent.keys()].sort());
    expect(await messagesIn(queueUrl)).toBe(0);
    expect(await messagesIn(dlqUrl)).toBe(0);
    // The failures are the throttled DescribeImages (each throttled digest's first receive) and the
    // events that found their digest claimed by another scan (retried, to be judged once it is
    // stored); every one was retried to success.
    const busy = outcomes.get('busy')?.length ?? 0;
    expect(busy, 'some duplicates ran while their digest was being scanned').toBeGreaterThan(0);
    const failedDigests = new Set(log.failures.map((failure) => digestOf(failure.messageId)));
    expect([...throttled].every((digest) => failedDigests.has(digest))).toBe(true);
    // A busy event whose digest was stored by the time it was judged needed no retry.
    const busyFailures = log.failures.length - throttled.size;
    expect(busyFailures).toBeGreaterThanOrEqual(0);
    expect(busyFailures).toBeLessThanOrEqual(busy);
    expect(log.failures.every((failure) => log.acknowledged.has(failure.messageId))).toBe(true);

    // Exactly one scan per digest; every other delivery that reached the scan found it done or busy.
    expect(outcomes.get('scanned')?.sort()).toEqual(burst.images.map(({ image }) => image.digest).sort());
    expect((outcomes.get('duplicate')?.length ?? 0) + busy).toBe(DIGESTS * EVENTS_PER_DIGEST - DIGESTS + busyFailures);
    // The registry agrees: each manifest was read once, however many events and repositories named it.
    expect(manifestReads.size).toBe(DIGESTS);
    expect([...manifestReads].filter(([, count]) => count !== 1)).toEqual([]);

    const table = { client: findingsDocumentClient(dynamodb), tableName: findingsTable };
    const results = new DynamoDbScanResultStore(table);
    const images = new DynamoDbImageStateStore(table);
    await inParallel(burst.images, 16, async ({ image, tags }) => {
      const record = await results.get(parseDigest(image.digest));
      expect(record?.reason).toBeUndefined();
      expect(record).toMatchObject({ status: 'SCANNED', digest: image.digest, distro: image.distro, configDigest: image.config.digest });
      expect(record!.layers.map((layer) => layer.digest)).toEqual(image.layers.map((layer) => layer.digest));
      for (const [repository, names] of tags) {
        const state = await images.get({ account: ACCOUNT, region: REGION, repository, digest: parseDigest(image.digest) });
        expect(state?.tags, `${repository}@${image.digest}`).toEqual(names);
      }
    });
    // The catalogue counts each (repository, digest) once, however many events raced to create it.
    const perRepository = new Map(REPOSITORIES.map((repository) => [repository, burst.images.filter(({ tags }) => tags.has(repository)).length]));
    const catalogue = await new DynamoDbRepositoryCatalogue(table).list();
    expect(new Map(catalogue.map((entry) => [entry.repository, entry.images]))).toEqual(perRepository);
  });
});
