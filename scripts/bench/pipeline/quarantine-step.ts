import { ACCOUNT } from '../../../test/support/ecr-events.ts';
import { findingsDocumentClient } from '../../../lambdas/adapters/dynamodb/document-client.ts';
import { DynamoDbImageStateStore } from '../../../lambdas/adapters/dynamodb/dynamodb-image-state-store.ts';
import { DynamoDbQuarantineStore } from '../../../lambdas/adapters/dynamodb/dynamodb-quarantine-store.ts';
import { DynamoDbVerdictStore } from '../../../lambdas/adapters/dynamodb/dynamodb-verdict-store.ts';
import { RegionalEcrClients } from '../../../lambdas/adapters/ecr/ecr-clients.ts';
import { EcrQuarantineRegistry } from '../../../lambdas/adapters/ecr/ecr-quarantine-registry.ts';
import { ecrRepositoryArn } from '../../../lambdas/adapters/ecr/ecr-repository-arn.ts';
import { EventBridgeEventPublisher } from '../../../lambdas/adapters/eventbridge/eventbridge-event-publisher.ts';
import { SnsAlertPublisher } from '../../../lambdas/adapters/sns/sns-alert-publisher.ts';
import { parseDigest } from '../../../lambdas/core/digest.ts';
import type { ImageKey } from '../../../lambdas/core/pipeline/model.ts';
import { quarantineMarkerOf } from '../../../lambdas/core/pipeline/quarantine-model.ts';
import type { PolicyDocumentInput } from '../../../lambdas/core/policy/policy-document.ts';
import { releaseImage, type ReleaseOutcome } from '../../../lambdas/core/use-cases/release-image.ts';
import { BENCH_POLICY } from './bench-policy.ts';
import { requestLines, sum } from './cost-model.ts';
import { REGION, type LocalServices } from './local-services.ts';
import { meteredPipeline, QUARANTINE_PHASE, type MeteredPipeline, type StepTime } from './metered-run.ts';
import type { Published } from './verdict-step.ts';
import type { PushedBenchImage } from './push-image.ts';
import type { MeterLine } from './request-meter.ts';

/**
 * Enforce mode's cost: the reference image pushed under an enforcing policy (untag) is quarantined
 * in the handler after its verdict, pushed again while quarantined, then released through
 * releaseImage on the same adapters. One metered run counts each step's requests; unmetered runs
 * (fresh tables each, as many as the timed runs) time the steps in this process.
 */
export const RELEASE_PHASE = 'release';

/** The bench's policy in enforce mode: the reference image fails at HIGH, and fails enforced. */
export const ENFORCE_POLICY: PolicyDocumentInput = { default: { ...BENCH_POLICY.default, mode: 'enforce', quarantine: { method: 'untag' } } };

export interface QuarantineRun {
  /** Every line of the first push under the enforcing policy (scan, verdict and quarantine steps). */
  readonly firstPush: readonly MeterLine[];
  readonly repeatedPush: readonly MeterLine[];
  readonly release: readonly MeterLine[];
  readonly removedTags: readonly string[];
  readonly marker: string;
  readonly restoredTags: readonly string[];
  /** Unmetered runs' times of each step. */
  readonly times: { readonly quarantine: readonly StepTime[]; readonly repeatedPush: readonly StepTime[]; readonly release: readonly StepTime[] };
  /** Metric names the enforcing handler added that the audit bench does not (each a series paid monthly). */
  readonly metricNames: ReadonlySet<string>;
}

type Log = (line: string) => void;

export async function runQuarantine(services: LocalServices, advisoryTable: string, pushed: PushedBenchImage, passes: number, log: Log): Promise<QuarantineRun> {
  const key: ImageKey = { account: ACCOUNT, region: REGION, repository: pushed.repository, digest: parseDigest(pushed.digest) };
  const marker = quarantineMarkerOf(key.digest);
  const quarantine = { registryHost: services.registry.registryHost, registryId: ACCOUNT };
  const started = performance.now();
  const pipeline = await meteredPipeline(services, advisoryTable, pushed, { policy: ENFORCE_POLICY, metered: true, quarantine });
  let run: Omit<QuarantineRun, 'times' | 'metricNames'>;
  const metricNames = new Set<string>();
  try {
    const firstPush = await pipeline.push();
    const removed = await checkQuarantined(pipeline, key, pushed, marker);
    const repeatedPush = await pipeline.push();
    checkNothingDone(repeatedPush);
    const released = await pipeline.meter.during(RELEASE_PHASE, () => release(pipeline, key));
    const releaseLines = pipeline.meter.take();
    checkReleased(pipeline, key, pushed, released);
    run = { firstPush, repeatedPush, release: releaseLines, removedTags: removed, marker, restoredTags: released.action === 'released' ? released.restoredTags : [] };
    for (const name of pipeline.metricNames) metricNames.add(name);
  } finally {
    pipeline.close();
  }
  log(`  quarantine: metered run ${((performance.now() - started) / 1000).toFixed(0)} s (untagged ${run.removedTags.join(', ')}, marker ${marker}; released, restored ${run.restoredTags.join(', ')})`);

  const times = { quarantine: [] as StepTime[], repeatedPush: [] as StepTime[], release: [] as StepTime[] };
  for (let pass = 0; pass < passes; pass++) {
    const unmetered = await meteredPipeline(services, advisoryTable, pushed, { policy: ENFORCE_POLICY, metered: false, quarantine });
    try {
      await unmetered.push();
      await checkQuarantined(unmetered, key, pushed, marker);
      await unmetered.push();
      const cpu = process.cpuUsage();
      const wall = performance.now();
      const released = await release(unmetered, key);
      const used = process.cpuUsage(cpu);
      checkReleased(unmetered, key, pushed, released);
      const [first, repeat] = unmetered.enforceTimes;
      if (!first || !repeat) throw new Error(`the enforcing handler ran enforce ${unmetered.enforceTimes.length} time(s) in two pushes`);
      times.quarantine.push(first);
      times.repeatedPush.push(repeat);
      times.release.push({ wallMs: performance.now() - wall, cpuMs: (used.user + used.system) / 1000 });
    } finally {
      unmetered.close();
    }
    const last = times.quarantine.length - 1;
    log(`  quarantine: unmetered run ${pass + 1} of ${passes}: quarantine ${times.quarantine[last]!.cpuMs.toFixed(0)} ms CPU / ${times.quarantine[last]!.wallMs.toFixed(0)} ms wall, repeated push ${times.repeatedPush[last]!.cpuMs.toFixed(0)} / ${times.repeatedPush[last]!.wallMs.toFixed(0)} ms, release ${times.release[last]!.cpuMs.toFixed(0)} / ${times.release[last]!.wallMs.toFixed(0)} ms`);
  }
  return { ...run, times, metricNames };
}

/** releaseImage as the API would call it, on adapters over the pipeline's own (metered) clients. */
function release(pipeline: MeteredPipeline, key: ImageKey): Promise<ReleaseOutcome> {
  const table = { client: findingsDocumentClient(pipeline.clients.dynamodb), tableName: pipeline.findingsTable };
  const { alerting } = pipeline.clients;
  return releaseImage(
    { key, by: `arn:aws:iam::${ACCOUNT}:role/bench`, reason: 'bench: release after quarantine', trigger: 'request' },
    {
      quarantines: new DynamoDbQuarantineStore(table),
      registry: new EcrQuarantineRegistry({ clients: new RegionalEcrClients({ create: () => pipeline.clients.ecr }) }),
      tags: new DynamoDbImageStateStore(table),
      verdicts: new DynamoDbVerdictStore(table),
      alerts: new SnsAlertPublisher({ client: alerting.clients.sns, topicArn: alerting.env.alertsTopicArn }),
      events: new EventBridgeEventPublisher({ client: alerting.clients.eventBridge, eventBusName: alerting.env.eventBusName }),
      clock: { now: () => new Date() },
      options: { repositoryId: ecrRepositoryArn },
    },
  );
}

/** The bench's invariants: the pushed tag is gone from the digest, the marker on it, the record QUARANTINED. */
async function checkQuarantined(pipeline: MeteredPipeline, key: ImageKey, pushed: PushedBenchImage, marker: string): Promise<string[]> {
  const tags = pipeline.ecr.tagsOf(pushed.digest);
  if (JSON.stringify(tags) !== JSON.stringify([marker])) throw new Error(`after the enforced first push ECR shows ${JSON.stringify(tags)} on the digest, expected only ${marker}: the image was not quarantined`);
  const stored = await new DynamoDbQuarantineStore({ client: findingsDocumentClient(pipeline.raw), tableName: pipeline.findingsTable }).get(key);
  if (stored?.record.state !== 'QUARANTINED' || stored.pending) throw new Error(`the quarantine record is ${stored?.record.state ?? 'missing'}${stored?.pending ? ' with its alert pending' : ''}, expected QUARANTINED and announced`);
  return stored.record.removedTags.map((removed) => removed.tag);
}

/** A push of a digest quarantined already must write, remove and announce nothing. */
function checkNothingDone(lines: readonly MeterLine[]): void {
  const step = lines.filter((line) => line.phase === QUARANTINE_PHASE);
  const writes = step.filter((line) => line.service === 'DynamoDB' && line.writeUnits > 0).map((line) => line.operation);
  const changes = step.filter((line) => line.service === 'ECR' && ['PutImage', 'BatchDeleteImage', 'UpdateImageStorageClass'].includes(line.operation)).map((line) => line.operation);
  const published = step.filter((line) => line.service === 'SNS' || line.service === 'EventBridge').map((line) => line.operation);
  if (writes.length + changes.length + published.length > 0) throw new Error(`the repeated push of a quarantined image did ${[...writes, ...changes, ...published].join(', ')}; it must do nothing`);
}

function checkReleased(pipeline: MeteredPipeline, key: ImageKey, pushed: PushedBenchImage, outcome: ReleaseOutcome): void {
  const tags = pipeline.ecr.tagsOf(pushed.digest);
  if (outcome.action !== 'released' || !outcome.markerRemoved || JSON.stringify(tags) !== JSON.stringify([pushed.tag])) {
    throw new Error(`release of ${key.digest} answered ${JSON.stringify(outcome)} and ECR shows ${JSON.stringify(tags)}, expected ${pushed.tag} back and the marker gone`);
  }
}

/** One step's lines (a phase of one invocation, or a release) summed the way the report shows them. */
export interface StepSummary {
  readonly usd: number;
  /** ECR calls by operation (ECR API requests are not billed). */
  readonly ecr: Readonly<Record<string, number>>;
  /** DynamoDB lines by operation and item role: calls, units, bytes, and their price. */
  readonly dynamodb: readonly { readonly operation: string; readonly calls: number; readonly items: number; readonly bytes: number; readonly readUnits: number; readonly writeUnits: number; readonly usd: number }[];
  readonly alerts: Published;
  readonly events: Published;
  readonly policyReads: number;
}


export function summarizeStep(lines: readonly MeterLine[], phase: string): StepSummary {
  const step = lines.filter((line) => line.phase === phase);
  const ecr: Record<string, number> = {};
  for (const line of step.filter((candidate) => candidate.service === 'ECR')) ecr[line.operation] = (ecr[line.operation] ?? 0) + line.calls;
  return {
    usd: sum(requestLines(step)),
    ecr,
    dynamodb: step
      .filter((line) => line.service === 'DynamoDB')
      .map((line) => ({ operation: line.operation, calls: line.calls, items: line.items, bytes: line.bytes, readUnits: line.readUnits, writeUnits: line.writeUnits, usd: sum(requestLines([line])) })),
    alerts: published(step.filter((line) => line.service === 'SNS')),
    events: published(step.filter((line) => line.service === 'EventBridge')),
    policyReads: step.filter((line) => line.service === 'SSM').reduce((total, line) => total + line.calls, 0),
  };
}

function published(lines: readonly MeterLine[]): Published {
  const kinds: Record<string, number> = {};
  for (const line of lines) for (const [kind, count] of Object.entries(line.kinds)) kinds[kind] = (kinds[kind] ?? 0) + count;
  const total = (pick: (line: MeterLine) => number): number => lines.reduce((all, line) => all + pick(line), 0);
  return { calls: total((line) => line.calls), entries: total((line) => line.items), bytes: total((line) => line.bytes), billed: total((line) => line.billedRequests), kinds, usd: sum(requestLines(lines)) };
}
