import { motoAlerting, type MotoAlerting } from '../../../test/support/moto-alerting.ts';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { ECRClient } from '@aws-sdk/client-ecr';
import type { Context } from 'aws-lambda';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { findingsDocumentClient } from '../../../lambdas/adapters/dynamodb/document-client.ts';
import { FINDINGS_PREFIX, scanPk } from '../../../lambdas/adapters/dynamodb/findings-keys.ts';
import { VERDICT_PREFIX } from '../../../lambdas/adapters/dynamodb/verdict-items.ts';
import { QUARANTINE_LOG_PREFIX, QUARANTINE_PREFIX } from '../../../lambdas/adapters/dynamodb/quarantine-items.ts';
import { queryAll } from '../../../lambdas/adapters/dynamodb/query-all.ts';
import { DynamoDbScanResultStore } from '../../../lambdas/adapters/dynamodb/dynamodb-scan-result-store.ts';
import { ADVISORY_TABLE, FINDINGS_TABLE, type TableSchema } from '../../../lambdas/adapters/dynamodb/table-schema.ts';
import { parseDigest } from '../../../lambdas/core/digest.ts';
import type { ScanRecord } from '../../../lambdas/core/pipeline/model.ts';
import { createScanHandler } from '../../../lambdas/handlers/scan-image/scan-handler.ts';
import { createScannerDeps } from '../../../lambdas/handlers/scan-image/scanner-deps.ts';
import { meterDynamoDb, type MeteredTable } from './dynamodb-meter.ts';
import { asAttributeValues, itemSize } from './item-size.ts';
import { stubEcr, type EcrStubConfig, type EcrStubState } from './ecr-stub.ts';
import { createBucket, createQueue, createTable, REGION, type LocalServices } from './local-services.ts';
import type { PushedBenchImage } from './push-image.ts';
import { BENCH_POLICY } from './bench-policy.ts';
import type { PolicyDocumentInput } from '../../../lambdas/core/policy/policy-document.ts';
import { meterEventBridge, meterS3, meterSns, meterSqs, meterSsm, RequestMeter, VERDICT_PHASE, type MeterLine } from './request-meter.ts';
import { deliverPush } from './sqs-delivery.ts';

export interface MeteredScan {
  readonly firstScan: MeterLine[];
  readonly repeatedPush: MeterLine[];
  readonly result: ScanRecord;
  /** The result item's packed findings (packed-findings.ts): chunk items and gzipped bytes. */
  readonly packedFindings: { readonly chunks: number; readonly bytes: number; readonly writeUnits: number };
  /** The image's verdict item after the first scan and after the repeated push (read unmetered). */
  readonly verdicts: { readonly firstScan: VerdictItem | undefined; readonly repeatedPush: VerdictItem | undefined };
  readonly wallSeconds: number;
}

/** A verdict item's plain attributes and its size as DynamoDB bills it. */
export interface VerdictItem {
  readonly verdict: string;
  readonly failingCount: number;
  readonly counts: Readonly<Record<string, number>>;
  readonly revision: number;
  readonly announcedVerdict?: string;
  readonly pendingAlertId?: string;
  readonly bytes: number;
  readonly writeUnits: number;
}

const CONTEXT = { functionName: 'customs-scanner', awsRequestId: 'bench' } as Context;

/**
 * A first scan and a repeated push of one image through the scanner handler as Lambda wires it
 * (createScannerDeps + createScanHandler), every client metered: DynamoDB Local, moto's S3 and SQS,
 * ECR's API stubbed in-process, the image from the registry behind the ECR stand-in. Fresh findings
 * table, bucket and queue; the advisory table is shared.
 */
export async function meteredScan(services: LocalServices, advisoryTable: string, pushed: PushedBenchImage): Promise<MeteredScan> {
  const pipeline = await meteredPipeline(services, advisoryTable, pushed, { policy: BENCH_POLICY, metered: true });
  const { raw, findingsTable } = pipeline;
  try {
    const firstScan = await pipeline.push();
    const afterFirst = await verdictItemOf(raw, findingsTable);
    const repeatedPush = await pipeline.push();
    const afterRepeat = await verdictItemOf(raw, findingsTable);
    const result = await new DynamoDbScanResultStore({ client: findingsDocumentClient(raw), tableName: findingsTable }).get(parseDigest(pushed.digest));
    if (!result) throw new Error(`no scan result stored for ${pushed.image.spec.name}`);
    return {
      firstScan,
      repeatedPush,
      result,
      packedFindings: await packedFindingsOf(raw, findingsTable, pushed.digest),
      verdicts: { firstScan: afterFirst, repeatedPush: afterRepeat },
      wallSeconds: pipeline.seconds(),
    };
  } finally {
    pipeline.close();
  }
}

/** Enforce mode's calls (enforceVerdicts after the verdicts, in the handler) are counted as this step. */
export const QUARANTINE_PHASE = 'quarantine';

/** Handler time and CPU time of one enforce call (process.cpuUsage: every thread of this process). */
export interface StepTime {
  readonly wallMs: number;
  readonly cpuMs: number;
}

export interface MeteredPipeline {
  readonly meter: RequestMeter;
  /** A client the meter does not watch. */
  readonly raw: DynamoDBClient;
  readonly findingsTable: string;
  /** The clients the handler was given (metered when asked), for ports built beside it. */
  readonly clients: { readonly dynamodb: DynamoDBClient; readonly ecr: ECRClient; readonly alerting: MotoAlerting };
  readonly ecr: EcrStubState;
  /** Each enforce call's times, in order. */
  readonly enforceTimes: StepTime[];
  /** Metric names the handler added (its Metrics object; publishing is disabled here). */
  readonly metricNames: Set<string>;
  /** One delivery of the push event to the handler; what was counted since the last take. */
  push(): Promise<MeterLine[]>;
  seconds(): number;
  close(): void;
}

/**
 * The handler of meteredScan, on a fresh findings table, bucket and queue with `policy` in the
 * parameter; its clients metered or not (an unmetered one times what it does without the meter's
 * read-backs). With `quarantine`, the ECR stub answers enforce mode's commands too.
 */
export async function meteredPipeline(
  services: LocalServices,
  advisoryTable: string,
  pushed: PushedBenchImage,
  options: { policy: PolicyDocumentInput; metered: boolean; quarantine?: EcrStubConfig['quarantine'] },
): Promise<MeteredPipeline> {
  const raw = services.dynamodbClient();
  const findingsTable = await createTable(raw, FINDINGS_TABLE, 'customs-bench-findings');
  const bucket = await createBucket(services.s3Client());
  const queue = await createQueue(services.sqsClient());
  const meter = new RequestMeter();
  const on = options.metered ? meter : undefined;
  const dynamodb = services.dynamodbClient();
  const tables = new Map<string, MeteredTable>([
    // Verdict and quarantine items live in the findings table; named apart, so what judging and enforcing cost shows.
    [findingsTable, { ...metered('findings', FINDINGS_TABLE), itemRoles: { [VERDICT_PREFIX]: 'verdicts', [QUARANTINE_PREFIX]: 'quarantines', [QUARANTINE_LOG_PREFIX]: 'quarantine log' } }],
    [advisoryTable, metered('advisories', ADVISORY_TABLE)],
  ]);
  if (on) meterDynamoDb(dynamodb, raw, tables, on);
  const s3 = services.s3Client();
  if (on) meterS3(s3, on);
  const sqs = services.sqsClient();
  if (on) meterSqs(sqs, on);
  const events = services.sqsClient();
  if (on) meterSqs(events, on, 'EventBridge and the Lambda poller');
  const ecr = new ECRClient({ region: REGION });
  const ecrState = stubEcr(
    ecr,
    { credentials: `${services.registry.username}:${services.registry.password}`, proxyEndpoint: `http://${services.registry.host}`, tags: { [pushed.digest]: [pushed.tag] }, pushedAt: '2026-12-01T00:00:00Z', ...(options.quarantine ? { quarantine: options.quarantine } : {}) },
    on,
  );

  const alerting = await motoAlerting(services.moto.endpoint, REGION, options.policy);
  if (on) {
    meterSns(alerting.clients.sns, on);
    meterSsm(alerting.clients.ssm, on);
    meterEventBridge(alerting.clients.eventBridge, on);
  }

  const previous = process.env.POWERTOOLS_METRICS_DISABLED;
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  const started = performance.now();
  const metrics = new Metrics({ namespace: 'Customs', serviceName: 'customs-scanner' });
  const metricNames = new Set<string>();
  const addMetric = metrics.addMetric.bind(metrics);
  metrics.addMetric = (name, unit, value, resolution) => {
    metricNames.add(name);
    return addMetric(name, unit, value, resolution);
  };
  const deps = createScannerDeps({
    env: { region: REGION, findingsTable, advisoryTable, sbomBucket: bucket, advisoryMaxAgeMs: 48 * 3_600_000, ...alerting.env },
    clients: { dynamodb, ecr, s3, sqs, ...alerting.clients },
    logger: new Logger({ serviceName: 'customs-scanner', logLevel: 'SILENT' }),
    metrics,
    authorizationOptions: { registryEndpointFor: () => `http://${services.registry.host}` },
  });
  // Judging (policy, verdict, alerts, events) and enforcing counted apart from the scan they follow.
  const { judge, enforce } = deps;
  const enforceTimes: StepTime[] = [];
  const timedEnforce: typeof enforce = enforce
    ? async (requests) => {
        const cpu = process.cpuUsage();
        const wall = performance.now();
        try {
          return await meter.during(QUARANTINE_PHASE, () => enforce(requests));
        } finally {
          const used = process.cpuUsage(cpu);
          enforceTimes.push({ wallMs: performance.now() - wall, cpuMs: (used.user + used.system) / 1000 });
        }
      }
    : undefined;
  const handler = createScanHandler({
    ...deps,
    ...(judge ? { judge: (keys: Parameters<typeof judge>[0]) => meter.during(VERDICT_PHASE, () => judge(keys)) } : {}),
    ...(timedEnforce ? { enforce: timedEnforce } : {}),
  });
  meter.take();
  return {
    meter,
    raw,
    findingsTable,
    clients: { dynamodb, ecr, alerting },
    ecr: ecrState,
    enforceTimes,
    metricNames,
    async push() {
      const delivery = await deliverPush(events, queue, pushed);
      const response = await handler(delivery.event, CONTEXT);
      if (response.batchItemFailures.length > 0) throw new Error(`the scanner reported ${pushed.image.spec.name} as failed (transient); see its log`);
      await delivery.acknowledge();
      return meter.take();
    },
    seconds: () => (performance.now() - started) / 1000,
    close() {
      if (previous === undefined) delete process.env.POWERTOOLS_METRICS_DISABLED;
      else process.env.POWERTOOLS_METRICS_DISABLED = previous;
    },
  };
}

/** The committed chunks' sizes, read with the unmetered client: what the first scan wrote for its findings. */
async function packedFindingsOf(raw: DynamoDBClient, table: string, digest: string): Promise<MeteredScan['packedFindings']> {
  const items = await queryAll(findingsDocumentClient(raw), { TableName: table, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :chunks)', ExpressionAttributeValues: { ':pk': scanPk(parseDigest(digest)), ':chunks': FINDINGS_PREFIX }, ConsistentRead: true });
  const sizes = items.map((item) => itemSize(asAttributeValues(item)));
  return { chunks: items.length, bytes: sizes.reduce((sum, size) => sum + size, 0), writeUnits: sizes.reduce((sum, size) => sum + Math.max(1, Math.ceil(size / 1024)), 0) };
}

/** The one verdict item of the run's fresh findings table (one image was pushed). */
async function verdictItemOf(raw: DynamoDBClient, table: string): Promise<VerdictItem | undefined> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await findingsDocumentClient(raw).send(new ScanCommand({ TableName: table, FilterExpression: 'begins_with(sk, :verdict)', ExpressionAttributeValues: { ':verdict': VERDICT_PREFIX }, ConsistentRead: true, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  if (items.length > 1) throw new Error(`expected one verdict item, found ${items.length}`);
  const item = items[0];
  if (!item) return undefined;
  const bytes = itemSize(asAttributeValues(item));
  return {
    verdict: String(item.verdict),
    failingCount: Number(item.failingCount),
    counts: item.counts as Record<string, number>,
    revision: Number(item.revision),
    ...(typeof item.announcedVerdict === 'string' ? { announcedVerdict: item.announcedVerdict } : {}),
    ...(typeof item.pendingAlertId === 'string' ? { pendingAlertId: item.pendingAlertId } : {}),
    bytes,
    writeUnits: Math.max(1, Math.ceil(bytes / 1024)),
  };
}

function metered(role: string, schema: TableSchema): MeteredTable {
  return { role, partitionKey: schema.partitionKey, sortKey: schema.sortKey, indexes: schema.indexes };
}
