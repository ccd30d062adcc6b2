import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { access, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ADVISORY_TABLE, FINDINGS_TABLE } from '../../adapters/dynamodb/table-schema.ts';
import { writeDefaultPolicy } from '../../adapters/filesystem/default-local-policy.ts';
import { newPageToken } from '../../adapters/page-server/page-gate.ts';
import { messageOf } from '../../core/errors.ts';
import { startDynamoDbLocal, type RunningDynamoDbLocal } from '../dynamodb-local.ts';
import { consume, FileQueue } from '../queue/file-queue.ts';
import { localWorkSchema, type LocalWork } from '../queue/local-queues.ts';
import { startLocalRegistry, type RunningLocalRegistry } from '../registry-service.ts';
import { workLines } from './console-report.ts';
import { DEMO_IMAGES, nextSteps, pushDemoImages } from './demo-push.ts';
import { LOCAL_TABLES } from './local-defaults.ts';
import { startLocalHttpServer } from './local-http-server.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './local-identity.ts';
import { createLocalPipeline } from './local-pipeline.ts';
import { ensureSecret } from './local-secrets.ts';
import { ensureTable } from './local-tables.ts';
import { handleLocalWork } from './local-work.ts';
import { receiveRegistryEvents } from './registry-events.ts';
import { repeatEvery, type Repeating } from './repeat-every.ts';
import type { StackConfig } from './stack-config.ts';
import { defaultDataDir, removeStackFile, writeStackFile } from './stack-file.ts';

/** The findings page as `npm ci` (prepare) or `npm run build:ui` builds it. */
const PAGE_DIR = fileURLToPath(new URL('../../../dist/ui', import.meta.url));

export interface StackConsole {
  /** One line to the console (no trailing newline). */
  readonly write: (line: string) => void;
  /** ANSI colours (a terminal). */
  readonly colour: boolean;
}

export interface RunningLocalStack {
  readonly registryHost: string;
  readonly apiUrl: string;
  /** Stops the timers and the queue consumer (letting work in flight finish), the servers, then the child processes. */
  stop(): Promise<void>;
}

/** Work items handled at once: two scans fill the machine's cores without starving the API. */
const CONCURRENCY = 2;
/** Longer than any scan of the demo-sized images the stack is for; a crashed handler's message comes back after it. */
const VISIBILITY_MS = 15 * 60_000;

/**
 * `npm start`: DynamoDB Local (tables kept under DATA_DIR/dynamodb), docker-registry (storage under
 * DATA_DIR/registry, notifications to the stack's receiver), the file queue (DATA_DIR/queue), the
 * findings API on the stack's HTTP server and the sync and reconciliation timers, all on loopback,
 * all running the deployed pipeline's use cases (local-pipeline.ts). Whatever started is stopped
 * again when a later step fails.
 */
export async function startLocalStack(config: StackConfig, out: StackConsole): Promise<RunningLocalStack> {
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.splice(0).reverse()) {
      try {
        await stop();
      } catch (error) {
        out.write(`stop: ${messageOf(error)}`);
      }
    }
  };
  try {
    return await start(config, out, stops, stopAll);
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function start(config: StackConfig, out: StackConsole, stops: Array<() => Promise<void>>, stopAll: () => Promise<void>): Promise<RunningLocalStack> {
  const { dataDir } = config;
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await mkdir(join(dataDir, 'dynamodb'), { recursive: true });
  const firstRun = !(await exists(join(dataDir, 'policy.yaml')));
  await writeDefaultPolicy(join(dataDir, 'policy.yaml'));
  const apiToken = await ensureSecret(join(dataDir, 'api-token'));
  const webhookToken = await ensureSecret(join(dataDir, 'registry-webhook-token'));
  const apiUrl = `http://127.0.0.1:${config.apiPort}`;

  // Powertools writes EMF metrics to stdout in Lambda; here nothing reads them.
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  const logger = new Logger({ serviceName: 'customs-local', logLevel: 'WARN' });
  const metrics = new Metrics({ namespace: 'Customs', serviceName: 'customs-local' });

  const dynamo: RunningDynamoDbLocal = await startDynamoDbLocal({ dataDir: join(dataDir, 'dynamodb') });
  stops.push(dynamo.stop);
  const dynamodb = new DynamoDBClient({ endpoint: dynamo.endpoint, region: LOCAL_REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  stops.push(async () => dynamodb.destroy());
  await ensureTable(dynamodb, FINDINGS_TABLE, LOCAL_TABLES.findings);
  await ensureTable(dynamodb, ADVISORY_TABLE, LOCAL_TABLES.advisories);

  const registry: RunningLocalRegistry = await startLocalRegistry({ dataDir, port: config.registryPort, notifyUrl: `${apiUrl}/_registry/events`, notifyToken: webhookToken });
  stops.push(registry.stop);

  const queue = new FileQueue<LocalWork>({ dir: join(dataDir, 'queue'), schema: localWorkSchema });
  const pipeline = createLocalPipeline({
    dynamodb,
    tables: LOCAL_TABLES,
    dataDir,
    registry,
    queue,
    advisories: config.advisories,
    alertWebhooks: config.alertWebhooks,
    console: out,
    apiUrl,
    logger,
    metrics,
    onPolicyProblem: (error) => out.write(`policy: ${messageOf(error)} (the earlier policy is kept)`),
  });

  const pageToken = newPageToken();
  const server = await startLocalHttpServer({
    page: { dir: PAGE_DIR, token: pageToken },
    port: config.apiPort,
    apiToken,
    webhookToken,
    caller: { principal: 'local', account: LOCAL_ACCOUNT },
    api: (event) => pipeline.api(event),
    onRegistryEvents: (headers, body) => receiveRegistryEvents(headers, body, { queue, account: LOCAL_ACCOUNT, region: LOCAL_REGION, write: out.write }),
    largeAnswers: pipeline.largeAnswers,
    onError: (error, what) => out.write(`api: ${what} failed: ${messageOf(error)}`),
  });
  stops.push(() => server.close());

  // The queue: what the scanner and rescan Lambdas receive from SQS.
  const consumer = new AbortController();
  const consuming = consume(queue, async (work) => {
    for (const line of workLines(await handleLocalWork(work, pipeline))) out.write(line);
  }, {
    concurrency: CONCURRENCY,
    visibilityMs: VISIBILITY_MS,
    pollMs: 500,
    retryDelayMs: (receives) => Math.min(60_000, 1000 * 2 ** receives),
    signal: consumer.signal,
    onError: (error, message) => out.write(`work ${describeWork(message.body)} failed (attempt ${message.receiveCount}, retried): ${messageOf(error)}`),
    onReceiveError: (error) => out.write(`queue: ${messageOf(error)}`),
  });
  stops.push(async () => {
    consumer.abort();
    await consuming;
  });

  // The sync Lambda's schedule and the daily pass's reconciliation, on timers.
  const timers: Repeating[] = [];
  stops.push(async () => {
    await Promise.all(timers.map((timer) => timer.stop()));
  });
  const sync = async (): Promise<void> => {
    const outcome = await pipeline.sync();
    if (outcome.outcome !== 'complete') return;
    const written = outcome.reports.reduce((sum, report) => sum + report.written, 0);
    if (written > 0 || (outcome.rescans?.digests ?? 0) > 0) out.write(`advisories: ${written} record(s) written from ${config.advisories}${outcome.rescans ? `, ${outcome.rescans.digests} image(s) to rescan` : ''}`);
  };
  const reconcile = async (): Promise<void> => {
    const report = await pipeline.reconcile();
    if (report.queued > 0) out.write(`reconcile: ${report.queued} image(s) in the registry not scanned yet, queued`);
  };
  // The first sync runs before the stack says it is ready, so the first scans have advisories.
  await sync().catch((error: unknown) => out.write(`advisory sync failed: ${messageOf(error)} (retried in ${config.syncEveryMs / 1000} s)`));
  timers.push(repeatEvery(config.syncEveryMs, sync, (error) => out.write(`advisory sync failed: ${messageOf(error)}`)));
  timers.push(repeatEvery(config.reconcileEveryMs, reconcile, (error) => out.write(`reconcile failed: ${messageOf(error)}`), { now: true }));

  await writeStackFile(dataDir, { api: apiUrl, registry: registry.host, pid: process.pid });
  stops.push(() => removeStackFile(dataDir));
  out.write(`registry: ${registry.host}`);
  out.write(`api: ${apiUrl}`);
  out.write(`ui: ${apiUrl}/ui/#token=${pageToken}`);

  if (config.demo && firstRun) {
    out.write(`demo: pushing ${registry.host}/${DEMO_IMAGES.clean} (fixed versions) and ${registry.host}/${DEMO_IMAGES.vulnerable} (a vulnerable glibc, lodash and minimist)`);
    await pushDemoImages(registry.host, join(dataDir, 'scratch')).catch((error: unknown) => out.write(`demo: ${messageOf(error)}`));
  }
  for (const line of nextSteps(registry.host, dataDir, dataDir === defaultDataDir(process.env, process.cwd()))) out.write(line);
  await writeFile(join(dataDir, 'README.txt'), DATA_DIR_README);

  let stopping: Promise<void> | undefined;
  return { registryHost: registry.host, apiUrl, stop: () => (stopping ??= stopAll()) };
}

function describeWork(work: LocalWork): string {
  switch (work.kind) {
    case 'image-event':
      return `${work.event.kind} ${work.event.repository}@${work.event.digest.slice(0, 19)}`;
    case 'scan-request':
      return `backfill ${work.request.repository}@${work.request.digest.slice(0, 19)}`;
    case 'rescan':
      return `rescan of ${work.message.digests.length} image(s)`;
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

const DATA_DIR_README = `Data of a Customs local stack (npm start). Stop the stack before changing anything but policy.yaml.
  policy.yaml        the policy, re-read when it changes (the schema of customs.policies in the deployed stack)
  api-token          the findings API's bearer token (npx customs api finds it)
  dynamodb/          DynamoDB Local's tables
  registry/          the registry's config and storage
  queue/             work waiting for the scanner and rescans (dead/ holds what failed five times)
  files/             SBOMs, layer analyses, advisory change sets, large API answers
`;
