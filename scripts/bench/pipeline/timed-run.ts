import { motoAlerting } from '../../../test/support/moto-alerting.ts';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { FINDINGS_TABLE } from '../../../lambdas/adapters/dynamodb/table-schema.ts';
import { timeCommand } from '../measure.ts';
import { BENCH_POLICY } from './bench-policy.ts';
import { LAMBDA_CONFIG_ENV, runnerResultSchema, type LambdaConfig, type RunnerResult } from './lambda-config.ts';
import { createBucket, createQueue, createTable, REGION, type LocalServices } from './local-services.ts';
import type { PushedBenchImage } from './push-image.ts';
import { deliverPush } from './sqs-delivery.ts';

// Peak RSS from VmHWM: getrusage's maxRSS in a spawned child includes the parent's RSS at the fork.
const PRELOAD = fileURLToPath(new URL('../report-peak-rss.mjs', import.meta.url));
const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));

export interface Bundles {
  readonly handler: string;
  readonly runner: string;
  readonly handlerBytes: number;
}

/**
 * The handler bundled as the CDK construct bundles it (ESM, minified, names kept, no source map), and
 * the runner. `readable` leaves it unminified, so a CPU profile's lines can be traced to source files.
 */
export async function bundleLambda(scratch: string, options: { readable?: boolean } = {}): Promise<Bundles> {
  const handler = join(scratch, 'scanner-handler.mjs');
  const runner = join(scratch, 'lambda-runner.mjs');
  const common = { bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning' } as const;
  await build({
    ...common,
    entryPoints: [here('./lambda-entry.ts')],
    outfile: handler,
    minify: options.readable !== true,
    keepNames: true,
    sourcemap: false,
    banner: { js: "import { createRequire as customsCreateRequire } from 'node:module'; const require = customsCreateRequire(import.meta.url);" },
  });
  await build({ ...common, entryPoints: [here('./lambda-runner.ts')], outfile: runner });
  return { handler, runner, handlerBytes: readFileSync(handler).byteLength };
}

/** `taskset -c 0` when the machine has it: Lambda at the default memory gets about one vCPU. */
export function pinnedCommand(): { command: string; prefix: string[]; pinned: boolean } {
  try {
    execFileSync('taskset', ['-c', '0', 'true']);
    return { command: 'taskset', prefix: ['-c', '0', process.execPath], pinned: true };
  } catch {
    return { command: process.execPath, prefix: [], pinned: false };
  }
}

export interface TimedScan {
  /** A cold start: init, then the first scan, then a repeated push of the same digest (warm). */
  readonly cold: RunnerResult;
  /** A fresh process whose only invocation is another repeated push (a cold repeated push). */
  readonly coldRepeat: RunnerResult;
  readonly maxRssMiB: number;
}

/**
 * One timed first scan and repeated pushes in fresh processes on one CPU, against a fresh findings
 * table, bucket and queue. The events go through moto's queue beforehand, unmetered.
 */
export async function timedScan(services: LocalServices, advisoryTable: string, pushed: PushedBenchImage, bundles: Bundles, options: { scratch: string; memoryMiB: number; nodeArgs?: readonly string[] }): Promise<TimedScan> {
  const findingsTable = await createTable(services.dynamodbClient(), FINDINGS_TABLE, 'customs-bench-timed');
  const bucket = await createBucket(services.s3Client());
  const sqs = services.sqsClient();
  const queue = await createQueue(sqs);
  const config: LambdaConfig = {
    dynamodbEndpoint: services.dynamodb.endpoint,
    motoEndpoint: services.moto.endpoint,
    ecr: { credentials: `${services.registry.username}:${services.registry.password}`, proxyEndpoint: `http://${services.registry.host}`, tags: { [pushed.digest]: [pushed.tag] }, pushedAt: '2026-12-01T00:00:00Z' },
  };
  // The metered run's policy, so the timed handler also builds and publishes the alert it priced.
  const alerting = await motoAlerting(services.moto.endpoint, REGION, BENCH_POLICY);
  const { POWERTOOLS_METRICS_DISABLED: _disabled, POWERTOOLS_DEV: _dev, ...inherited } = process.env;
  const rssFile = join(options.scratch, 'lambda-max-rss');
  const env: NodeJS.ProcessEnv = {
    ...inherited,
    AWS_REGION: REGION,
    AWS_LAMBDA_FUNCTION_NAME: 'customs-scanner',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(options.memoryMiB),
    AWS_LAMBDA_LOG_LEVEL: 'INFO',
    FINDINGS_TABLE_NAME: findingsTable,
    ADVISORY_TABLE_NAME: advisoryTable,
    SBOM_BUCKET_NAME: bucket,
    ADVISORY_MAX_AGE_HOURS: '48',
    ALERTS_TOPIC_ARN: alerting.env.alertsTopicArn,
    POLICY_PARAMETER_NAME: alerting.env.policyParameterName,
    EVENT_BUS_NAME: alerting.env.eventBusName,
    EMAIL_IMAGE_CAP: String(alerting.env.emailImageCap),
    POWERTOOLS_SERVICE_NAME: 'customs-scanner',
    POWERTOOLS_METRICS_NAMESPACE: 'Customs',
    [LAMBDA_CONFIG_ENV]: JSON.stringify(config),
    CUSTOMS_BENCH_RSS_FILE: rssFile,
  };
  const pinned = pinnedCommand();
  const run = async (name: string, count: number): Promise<RunnerResult> => {
    const events = [];
    for (let i = 0; i < count; i++) events.push((await deliverPush(sqs, queue, pushed)).event);
    const eventsFile = join(options.scratch, `${name}-events.json`);
    const resultFile = join(options.scratch, `${name}-result.json`);
    writeFileSync(eventsFile, JSON.stringify(events));
    await timeCommand(pinned.command, [...pinned.prefix, ...(options.nodeArgs ?? []), '--import', PRELOAD, bundles.runner, bundles.handler, eventsFile, resultFile], env);
    const result = runnerResultSchema.parse(JSON.parse(readFileSync(resultFile, 'utf8')));
    const failed = result.invocations.find((invocation) => invocation.failures > 0);
    if (failed) throw new Error(`the bundled scanner reported ${pushed.image.spec.name} as failed: ${failed.logLines.slice(-3).join('\n')}`);
    return result;
  };
  const cold = await run('cold', 2);
  const maxRssMiB = Number(readFileSync(rssFile, 'utf8')) / 1024;
  const coldRepeat = await run('cold-repeat', 1);
  return { cold, coldRepeat, maxRssMiB };
}
