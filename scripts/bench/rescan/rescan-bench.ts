import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { loadAdvisoryTable } from '../../../lambdas/adapters/dynamodb/advisory-loader.ts';
import { packageIndexPk } from '../../../lambdas/adapters/dynamodb/findings-keys.ts';
import { QUARANTINE_PREFIX } from '../../../lambdas/adapters/dynamodb/quarantine-items.ts';
import { ADVISORY_TABLE, FINDINGS_TABLE, type TableSchema } from '../../../lambdas/adapters/dynamodb/table-schema.ts';
import { VERDICT_PREFIX } from '../../../lambdas/adapters/dynamodb/verdict-items.ts';
import type { OsvRecord } from '../../../lambdas/core/advisories/osv-schema.ts';
import type { AdvisoryChanges } from '../../../lambdas/core/advisories/sync-model.ts';
import type { Digest } from '../../../lambdas/core/digest.ts';
import type { RescanMessage } from '../../../lambdas/core/ports.ts';
import { evaluateImages } from '../../../lambdas/core/use-cases/evaluate-images.ts';
import { queueRescans, type QueueRescansResult } from '../../../lambdas/core/use-cases/queue-rescans.ts';
import { rescanImages, type RescanRun } from '../../../lambdas/core/use-cases/rescan-images.ts';
import { mapLimit } from '../../../lambdas/core/util/map-limit.ts';
import { parseConfig } from '../../../lib/config/customs-config.ts';
import { motoAlerting } from '../../../test/support/moto-alerting.ts';
import { meterDynamoDb, type MeteredTable } from '../pipeline/dynamodb-meter.ts';
import { createBucket, createQueue, createTable, REGION, startLocalServices, type LocalServices } from '../pipeline/local-services.ts';
import { meterEventBridge, meterS3, meterSns, meterSqs, meterSsm, RequestMeter } from '../pipeline/request-meter.ts';
import { benchAdvisories, CHANGED_PACKAGES } from './changed-advisories.ts';
import { PROFILE_ENV, startCpuProfiler } from './cpu-profile.ts';
import { dropIndexEntries } from './index-entry-filter.ts';
import { printRescanReport, type TimedMessage } from './rescan-report.ts';
import { fleetImage, PACKAGES_PER_IMAGE, type FleetImage } from './rescan-fleet.ts';
import { motoClients, rescanWorld, type RescanClients, type RescanResources, type RescanWorld } from './rescan-world.ts';
import { ACCOUNT, storeFleet } from './store-fleet.ts';

type Log = (line: string) => void;

/** The issue's scale: 10,000 stored images, a tenth of them affected by the changed advisories. */
export const ISSUE_IMAGES = 10_000;
export const AFFECTED_IMAGES = 1_000;
/** Unaffected images stored whole (every index entry): enough to show the fan-out never reads them. */
export const UNAFFECTED_STORED = 100;
/** The stack's defaults (config `rescan`, and `advisorySync` whose Lambda runs the fan-out): digests per message, the event source's maximum concurrency, memory. */
const CONFIG = parseConfig({});
export const RESCAN_DEFAULTS = { digestsPerMessage: CONFIG.rescan.digestsPerMessage, maxConcurrency: CONFIG.rescan.maxConcurrency, memoryMb: CONFIG.rescan.memoryMiB, syncMemoryMb: CONFIG.advisorySync.memoryMiB } as const;
const STORE_CONCURRENCY = 16;

export const FAN_OUT_PHASE = 'fan-out';
export const RESCAN_PHASE = 'rescan';
export const POLLER_PHASE = 'poller';

/**
 * The rescan part of `npm run bench`: a stored fleet on DynamoDB Local and moto, a sync's changed
 * advisories (real OSV fixture records), the committed fan-out (queueRescans) and re-evaluation
 * (rescanImages with evaluateImages) on the real adapters. Every request is counted and its units
 * computed on a metered set of clients; alternate messages run on plain clients and are timed (CPU
 * and wall) so the meter's read-backs do not count. Prints images re-evaluated per second of CPU,
 * requests and dollars per rescanned image, and the wall time projected for AWS.
 */
export async function runRescanBench(options: { log: Log }): Promise<void> {
  const { log } = options;
  const started = performance.now();
  log('rescan:');
  const services = await startLocalServices();
  try {
    const setup = await prepare(services, log);
    const { resources, plain, metered, meter, fleet, affected } = setup;

    // The sync: the changed records written to the advisory table (as its writer does with the loader), the change set stored.
    const advisories = benchAdvisories();
    await loadAdvisoryTable(setup.raw, resources.advisoryTable, advisories.changed, { source: 'customs-bench-sync' });
    const syncId = `sync-${randomUUID()}`;
    const changes: AdvisoryChanges = { syncId, keys: advisories.keys, records: advisories.changed.map((entry) => entry.record as OsvRecord), retracted: [] };
    await plain.stores.changeSets.put(changes);
    log(`  sync ${syncId}: ${advisories.changed.length} changed records (${advisories.changed.map((entry) => entry.record.id).join(', ')}), ${new Set(advisories.keys.map((key) => `${key.ecosystem}/${key.name}`)).size} changed package keys`);

    // The fan-out: once timed on plain clients (its own sync id and queue, then dropped), once metered; its messages are rescanned.
    const timedQueue = await createQueue(plain.clients.sqs);
    const fanOutCpu = process.cpuUsage();
    const fanOutWall = performance.now();
    const timedFanOut = await queueRescans({ ...changes, syncId: `${syncId}-timed` }, plain.fanOutDeps(timedQueue.url, RESCAN_DEFAULTS.digestsPerMessage));
    const fanOut = { wallMs: performance.now() - fanOutWall, cpuMs: cpuMsSince(fanOutCpu) };
    const queue = await createQueue(plain.clients.sqs);
    const fanOutResult = await meter.during(FAN_OUT_PHASE, () => queueRescans(changes, metered.fanOutDeps(queue.url, RESCAN_DEFAULTS.digestsPerMessage)));
    checkFanOut(fanOutResult, affected.length);
    checkFanOut(timedFanOut, affected.length);
    log(`  fan-out: ${fanOutResult.digests} digests from the package index, ${fanOutResult.queued} marked and queued in ${fanOutResult.messages} messages; ${fmt(fanOut.wallMs)} ms wall, ${fmt(fanOut.cpuMs)} ms CPU (timed run)`);

    // The re-evaluation: one message per invocation, as the event source mapping delivers them (batch size 1).
    const profiler = process.env[PROFILE_ENV] ? await startCpuProfiler() : undefined;
    if (profiler) log(`  ${PROFILE_ENV} set: the timed rescans run under V8's sampling profiler (their CPU times include its overhead)`);
    const runs: { message: RescanMessage; run: RescanRun; timed?: TimedMessage }[] = [];
    for (let ordinal = 0; ; ordinal++) {
      const message = await meter.during(POLLER_PHASE, () => metered.poll(queue.url));
      if (!message) break;
      if (ordinal % 2 === 0) {
        runs.push({ message, run: await meter.during(RESCAN_PHASE, () => rescanImages(message, metered.rescanDeps)) });
      } else {
        const cpu = process.cpuUsage();
        const wall = performance.now();
        const run = profiler ? await profiler.during(() => rescanImages(message, plain.rescanDeps)) : await rescanImages(message, plain.rescanDeps);
        const wallMs = performance.now() - wall;
        runs.push({ message, run, timed: { digests: message.digests.length, wallMs, cpuMs: cpuMsSince(cpu) } });
      }
    }
    const lines = meter.take();
    const checked = checkRescans(runs, fleet, affected, [...metered.sbomReads, ...plain.sbomReads], setup.sbomLocations);
    log(`  rescans: ${runs.length} messages, ${checked.touched} images re-evaluated (${checked.added} findings added; images by findings gained: ${Object.entries(checked.perImage).map(([count, images]) => `${count}: ${images}`).join(', ')}), ${checked.alerts} alert messages; ${checked.sbomReads} SBOM reads, all of affected images; ${UNAFFECTED_STORED} unaffected images never queued or read`);

    if (profiler) log(`  timed rescans' main-thread CPU by self time: ${(await profiler.summary(12)).join(', ')}`);
    printRescanReport(
      {
        fleet: { stored: fleet.length, affected: affected.length, unaffectedStored: UNAFFECTED_STORED, issueImages: ISSUE_IMAGES, packagesPerImage: PACKAGES_PER_IMAGE, ...setup.storeStats },
        changedRecords: advisories.changed.map((entry) => entry.record.id),
        fanOut: { ...fanOut, messages: fanOutResult.messages },
        lines,
        meteredImages: runs.filter((entry) => !entry.timed).reduce((sum, entry) => sum + entry.message.digests.length, 0),
        meteredMessages: runs.filter((entry) => !entry.timed).length,
        timed: runs.flatMap((entry) => (entry.timed ? [entry.timed] : [])),
        defaults: RESCAN_DEFAULTS,
        phases: { fanOut: FAN_OUT_PHASE, rescan: RESCAN_PHASE, poller: POLLER_PHASE },
      },
      log,
    );
    log('');
    log(`rescan part: ${((performance.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    await services.stop();
  }
}

interface Setup {
  readonly raw: DynamoDBClient;
  readonly resources: RescanResources;
  readonly plain: RescanWorld;
  readonly metered: RescanWorld;
  readonly meter: RequestMeter;
  readonly fleet: readonly FleetImage[];
  readonly affected: readonly FleetImage[];
  readonly sbomLocations: ReadonlyMap<Digest, string>;
  readonly storeStats: { readonly storeSeconds: number; readonly fullImagesPerSecond: number; readonly indexEntriesDropped: number; readonly findingsBefore: number };
}

/** Tables, buckets, the alerting stand-ins, the advisory table before the sync, and the stored fleet. */
async function prepare(services: LocalServices, log: Log): Promise<Setup> {
  const raw = services.dynamodbClient();
  const [findingsTable, advisoryTable] = await Promise.all([createTable(raw, FINDINGS_TABLE, 'customs-bench-rescan-findings'), createTable(raw, ADVISORY_TABLE, 'customs-bench-rescan-advisories')]);
  const s3 = services.s3Client();
  const [sbomBucket, changeBucket] = await Promise.all([createBucket(s3), createBucket(s3)]);
  // The stack's default policy (fail on CRITICAL), audit mode.
  const alerting = await motoAlerting(services.moto.endpoint, REGION, {});
  const resources: RescanResources = { findingsTable, advisoryTable, sbomBucket, changeBucket, motoEndpoint: services.moto.endpoint, alertsTopicArn: alerting.env.alertsTopicArn, policyParameterName: alerting.env.policyParameterName };
  const advisories = benchAdvisories();
  await loadAdvisoryTable(raw, advisoryTable, advisories.before, { source: 'customs-bench' });

  const clients = (dynamodb: DynamoDBClient): RescanClients => ({ dynamodb, s3: services.s3Client(), sqs: services.sqsClient(), ...motoClients(services.moto.endpoint) });
  const plain = rescanWorld(resources, clients(services.dynamodbClient()));
  const meter = new RequestMeter();
  const meteredClients = clients(services.dynamodbClient());
  const tables = new Map<string, MeteredTable>([
    [findingsTable, { ...meteredTable('findings', FINDINGS_TABLE), itemRoles: { [VERDICT_PREFIX]: 'verdicts', [QUARANTINE_PREFIX]: 'quarantines', RESULT: 'scan results', 'FINDINGS#': 'findings chunks', 'PKGSET#': 'package sets', 'SCAN#': 'rescan marks', 'DIGEST#': 'image states' } }],
    [advisoryTable, meteredTable('advisories', ADVISORY_TABLE)],
  ]);
  meterDynamoDb(meteredClients.dynamodb, raw, tables, meter);
  meterS3(meteredClients.s3, meter);
  meterSqs(meteredClients.sqs, meter);
  meterSns(meteredClients.sns, meter);
  meterSsm(meteredClients.ssm, meter);
  meterEventBridge(meteredClients.eventBridge, meter);
  const metered = rescanWorld(resources, meteredClients);

  // The fleet: affected images first in index order (their digests are hashes, so the queue order is mixed).
  const counts: (1 | 2)[] = [1, 1, 1, 1, 1, 1, 2, 2, 2, 2];
  const affected = Array.from({ length: AFFECTED_IMAGES }, (_, index) => fleetImage(index, counts[index % counts.length]!));
  const unaffected = Array.from({ length: UNAFFECTED_STORED }, (_, index) => fleetImage(AFFECTED_IMAGES + index, 0));
  log(`  storing ${fmt(UNAFFECTED_STORED)} unaffected images whole (${PACKAGES_PER_IMAGE} packages, every package index entry), ${STORE_CONCURRENCY} at a time…`);
  const whole = await storeFleet(unaffected, { dynamodb: raw, advisoryTable, images: plain.stores.images, results: plain.stores.results, sboms: plain.stores.sboms }, STORE_CONCURRENCY);
  const fullImagesPerSecond = whole.images / whole.seconds;
  log(`  ${fmt(whole.images)} images in ${whole.seconds.toFixed(0)} s: ${fullImagesPerSecond.toFixed(1)} images/s, ${fmt(fullImagesPerSecond * PACKAGES_PER_IMAGE)} index entries/s; all ${fmt(ISSUE_IMAGES)} would take ${fmt(ISSUE_IMAGES / fullImagesPerSecond / 60, 0)} min`);

  // Affected images through the same save path, their unchanged packages' index entries dropped on the way (index-entry-filter.ts).
  const kept = new Set(Object.entries(CHANGED_PACKAGES).map(([name, spec]) => packageIndexPk(spec.ecosystem, 'source' in spec ? spec.source : name)));
  const dropped = { count: 0 };
  const filtered = services.dynamodbClient();
  dropIndexEntries(filtered, kept, dropped);
  const storing = rescanWorld(resources, clients(filtered));
  log(`  storing ${fmt(AFFECTED_IMAGES)} affected images (1–3 of ${Object.keys(CHANGED_PACKAGES).join(', ')} each), judged as pushes; index entries kept only for the changed packages…`);
  const storedAffected = await storeFleet(affected, { dynamodb: raw, advisoryTable, images: storing.stores.images, results: storing.stores.results, sboms: storing.stores.sboms }, STORE_CONCURRENCY);
  // Verdicts as the push left them, so the rescan's judging compares with a real previous verdict.
  const judgeStarted = performance.now();
  await mapLimit(chunks(affected, 25), 4, (group) => evaluateImages(group.map((image) => ({ account: ACCOUNT, region: REGION, repository: image.repository, digest: image.digest })), storing.judgeAsPush));
  log(`  ${fmt(storedAffected.images)} affected images stored in ${storedAffected.seconds.toFixed(0)} s (${fmt(dropped.count)} index entries dropped), judged in ${((performance.now() - judgeStarted) / 1000).toFixed(0)} s; ${fmt(whole.findings + storedAffected.findings)} findings before the sync`);

  const fleet = [...affected, ...unaffected];
  const sbomLocations = new Map<Digest, string>();
  await mapLimit(fleet, 16, async (image) => {
    const record = await plain.stores.results.get(image.digest);
    if (!record?.sbom) throw new Error(`image ${image.index} has no stored scan`);
    sbomLocations.set(image.digest, record.sbom.location);
  });
  meter.take();
  return {
    raw,
    resources,
    plain,
    metered,
    meter,
    fleet,
    affected,
    sbomLocations,
    storeStats: { storeSeconds: whole.seconds + storedAffected.seconds, fullImagesPerSecond, indexEntriesDropped: dropped.count, findingsBefore: whole.findings + storedAffected.findings },
  };
}

function checkFanOut(result: QueueRescansResult, affected: number): void {
  if (result.digests !== affected || result.queued !== affected) throw new Error(`the fan-out found ${result.digests} digests and queued ${result.queued}; the fleet has ${affected} affected images`);
}

/** The invariants the numbers rest on: exactly the affected images queued, re-read and re-evaluated, each gaining one finding per changed package. */
function checkRescans(runs: readonly { message: RescanMessage; run: RescanRun }[], fleet: readonly FleetImage[], affected: readonly FleetImage[], sbomReads: readonly string[], locations: ReadonlyMap<Digest, string>) {
  const queued = runs.flatMap((entry) => entry.message.digests);
  const expected = new Set(affected.map((image) => image.digest));
  if (queued.length !== expected.size || !queued.every((digest) => expected.has(digest))) throw new Error(`the queue held ${queued.length} digests, not exactly the ${expected.size} affected images`);
  const byDigest = new Map(fleet.map((image) => [image.digest, image]));
  let touched = 0;
  let added = 0;
  let alerts = 0;
  const perImage: Record<number, number> = {};
  for (const { run } of runs) {
    for (const digest of run.digests) {
      const image = byDigest.get(digest.digest)!;
      // Each changed package it holds adds a finding per installed package (libxml2's two binaries: two), and nothing else changes.
      const held = image.changed.map((name) => (name === 'libxml2' ? CHANGED_PACKAGES.libxml2.binaries : [name]).map((binary) => `/${binary}@`));
      const gained = (purls: readonly string[]): boolean => digest.outcome === 'touched' && digest.changes.added.some((key) => purls.some((purl) => key.includes(purl)));
      const fits = digest.outcome === 'touched' && digest.changes.resolved.length + digest.changes.updated.length === 0 && held.every(gained) && digest.changes.added.every((key) => held.flat().some((purl) => key.includes(purl)));
      if (!fits) throw new Error(`image ${image.index} (${image.changed.join(', ')}): ${JSON.stringify(digest.outcome === 'touched' ? digest.changes : digest)}; expected findings added for exactly its changed packages`);
      touched++;
      added += digest.changes.added.length;
      perImage[digest.changes.added.length] = (perImage[digest.changes.added.length] ?? 0) + 1;
    }
    alerts += run.counts.alerts;
  }
  const affectedLocations = new Set(affected.map((image) => locations.get(image.digest)));
  const stray = sbomReads.filter((location) => !affectedLocations.has(location));
  if (stray.length > 0) throw new Error(`the rescan read ${stray.length} SBOMs of unaffected images`);
  if (new Set(sbomReads).size !== affected.length) throw new Error(`the rescan read ${new Set(sbomReads).size} distinct SBOMs, not the ${affected.length} affected images'`);
  return { touched, added, alerts, sbomReads: sbomReads.length, perImage };
}

function meteredTable(role: string, schema: TableSchema): MeteredTable {
  return { role, partitionKey: schema.partitionKey, sortKey: schema.sortKey, indexes: schema.indexes };
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size));
  return out;
}

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

const fmt = (value: number, digits = 0): string => value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
