import { CreateRepositoryCommand, DescribeImagesCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { findingsDocumentClient } from '../../../lambdas/adapters/dynamodb/document-client.ts';
import { DynamoDbImageStateStore } from '../../../lambdas/adapters/dynamodb/dynamodb-image-state-store.ts';
import { DynamoDbQuarantineStore } from '../../../lambdas/adapters/dynamodb/dynamodb-quarantine-store.ts';
import { DynamoDbVerdictStore } from '../../../lambdas/adapters/dynamodb/dynamodb-verdict-store.ts';
import { FINDINGS_TABLE } from '../../../lambdas/adapters/dynamodb/table-schema.ts';
import type { ImageAlert } from '../../../lambdas/core/alerts/alert-model.ts';
import { parseDigest } from '../../../lambdas/core/digest.ts';
import type { ImageKey } from '../../../lambdas/core/pipeline/model.ts';
import { quarantineMarkerOf, type QuarantineMethod } from '../../../lambdas/core/pipeline/quarantine-model.ts';
import { mapLimit } from '../../../lambdas/core/util/map-limit.ts';
import { createLocalTable, localDynamoDbClient } from '../../support/dynamodb-tables.ts';
import { bridgedMotoEcrClient } from '../../support/moto-ecr-bridge.ts';
import { repoRoot } from '../../support/paths.ts';
import { RELEASE_REQUEST, runQuarantineStep, type QuarantineCrashConfig, type StepResult } from '../../support/quarantine-crash-child.ts';
import { finding, verdictOf } from '../../unit/core/alerts/alert-fixtures.ts';

/**
 * A crash between every two calls of quarantine and of release, for both methods. A child process
 * runs the real use case (moto's ECR through the bridge for moto's gaps, DynamoDB Local, moto's SNS
 * into an SQS queue read here) and kills itself with SIGKILL right after its Nth AWS call, for every
 * N short of the last; the rerun (in this process, fresh clients and stores, the same wiring) must
 * end where a run without a crash ends: the same tags on the same digests, the same storage status,
 * the same record, every alert type of the uninterrupted run received at least once, and each type
 * under one alertId only (a retry republishes the same alert; subscribers de-duplicate on it).
 *
 * The reference run is a child without a kill: it reports how many calls C it made. Each case has
 * its own repository, image, topic, queue and bridge state file; cases run two at a time. The child
 * runs bundled by esbuild (as a Lambda ships), which starts in a fraction of the time tsx takes to
 * compile it, and the file starts about sixty of them.
 */
const REGION = 'us-east-1';
const ACCOUNT = '123456789012'; // moto's default account: DescribeRegistry answers for it
const OCI = 'application/vnd.oci.image.manifest.v1+json';
const TAGS = ['1', 'latest'];
const POOL = 2;
const CHILD_SOURCE = join(repoRoot, 'test', 'support', 'quarantine-crash-child.ts');

interface Scenario {
  readonly method: QuarantineMethod;
  readonly step: 'quarantine' | 'release';
}

interface Case {
  readonly key: ImageKey;
  readonly queueUrl: string;
  readonly config: QuarantineCrashConfig;
}

interface LeftBehind {
  readonly record: string;
  readonly registry: string;
}

/** What kills at every call must have left behind, between them (sorted). */
const MIDWAY = {
  quarantine: {
    records: ['QUARANTINED (alert pending)', 'QUARANTINING', 'none'],
    // Tags go in name order: `1`, then `latest`.
    untag: ['1 latest ACTIVE', '1 <marker> latest ACTIVE', '<marker> latest ACTIVE', '<marker> ACTIVE'].sort(),
    archive: ['1 latest ACTIVE', '1 latest ARCHIVED'],
  },
  release: {
    records: ['QUARANTINED', 'RELEASED (alert pending)', 'RELEASING'],
    untag: ['<marker> ACTIVE', '1 <marker> ACTIVE', '1 <marker> latest ACTIVE', '1 latest ACTIVE'].sort(),
    archive: ['1 latest ACTIVATING', '1 latest ARCHIVED'],
  },
} as const;

interface EndState {
  readonly images: readonly { readonly digest: string; readonly tags: readonly string[]; readonly status: string | undefined }[];
  readonly record: unknown;
  /** Per event type, the alert as received (without its id and times); one alertId per type. */
  readonly alerts: Readonly<Record<string, unknown>>;
}

function manifestJson(seed: string): string {
  const blob = (what: string) => `sha256:${createHash('sha256').update(`${what} ${seed}`).digest('hex')}`;
  // Spacing as a client wrote it: only the exact bytes keep the digest.
  return JSON.stringify(
    { schemaVersion: 2, mediaType: OCI, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: blob('config'), size: 321 }, layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: blob('layer'), size: 654 }] },
    null,
    2,
  );
}

describe('quarantine and release killed between every two calls', () => {
  const motoEndpoint = inject('motoEndpoint');
  const dynamodbEndpoint = inject('dynamodbEndpoint');
  const moto = { endpoint: motoEndpoint, region: REGION, credentials: { accessKeyId: 'moto', secretAccessKey: 'moto' } };
  const ecr = new ECRClient(moto);
  const sns = new SNSClient(moto);
  const sqs = new SQSClient(moto);
  const scratch = mkdtempSync(join(tmpdir(), 'customs-quarantine-crash-'));
  const childBundle = join(scratch, 'quarantine-crash-child.mjs');
  let tableName: string;
  let table: { client: ReturnType<typeof findingsDocumentClient>; tableName: string };

  beforeAll(async () => {
    await build({
      entryPoints: [CHILD_SOURCE],
      outfile: childBundle,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'warning',
      banner: { js: "import { createRequire as customsCreateRequire } from 'node:module'; const require = customsCreateRequire(import.meta.url);" },
    });
    tableName = await createLocalTable(localDynamoDbClient(), FINDINGS_TABLE, 'customs-quarantine-crash');
    table = { client: findingsDocumentClient(localDynamoDbClient()), tableName };
  });

  /** A fresh repository with the image under two tags, its FAIL verdict in enforce mode and tag history, and a topic into a queue. */
  async function prepare(scenario: Scenario, label: string): Promise<Case> {
    const id = randomUUID().slice(0, 8);
    const repositoryName = `customs-crash/${scenario.method}-${scenario.step}-${label}-${id}`;
    await ecr.send(new CreateRepositoryCommand({ registryId: ACCOUNT, repositoryName }));
    const manifest = manifestJson(`${repositoryName}`);
    const digest = parseDigest(`sha256:${createHash('sha256').update(manifest, 'utf8').digest('hex')}`);
    for (const tag of TAGS) {
      await ecr.send(new PutImageCommand({ registryId: ACCOUNT, repositoryName, imageManifest: manifest, imageManifestMediaType: OCI, imageTag: tag, imageDigest: digest }));
    }
    const key: ImageKey = { account: ACCOUNT, region: REGION, repository: repositoryName, digest };
    const verdict = { ...verdictOf({ findings: [finding('CVE-2026-1401', 'CRITICAL')] }), mode: 'enforce' as const };
    expect(await new DynamoDbVerdictStore(table).put(key, { verdict }, undefined)).toBe(true);
    const pushedAt = new Date(Date.now() - 60_000);
    const images = new DynamoDbImageStateStore(table);
    for (const tag of TAGS) await images.recordPush({ ...key, tag, pushedAt, kind: 'push' }, pushedAt);

    const name = `customs-crash-${id}`;
    const topic = await sns.send(new CreateTopicCommand({ Name: name }));
    const queue = await sqs.send(new CreateQueueCommand({ QueueName: name }));
    const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.QueueUrl, AttributeNames: ['QueueArn'] }));
    await sns.send(new SubscribeCommand({ TopicArn: topic.TopicArn, Protocol: 'sqs', Endpoint: attributes.Attributes!.QueueArn }));

    const config: QuarantineCrashConfig = {
      motoEndpoint,
      dynamodbEndpoint,
      tableName,
      topicArn: topic.TopicArn!,
      stateFile: join(scratch, `${name}.json`),
      key: { ...key },
      policy: { default: { mode: 'enforce', quarantine: { method: scenario.method } } },
      step: scenario.step,
    };
    const prepared = { key, queueUrl: queue.QueueUrl!, config };
    if (scenario.step === 'release') {
      // The quarantine to release, run whole; its alert is drained so only the release's count.
      await runQuarantineStep({ ...config, step: 'quarantine' });
      expect((await drain(prepared)).map((alert) => alert.eventType)).toEqual(['QUARANTINED']);
    }
    return prepared;
  }

  /** Runs the child; answers how it ended and, when it completed, what it reported. */
  function child(config: QuarantineCrashConfig): Promise<{ readonly how: string; readonly result?: StepResult; readonly output: string }> {
    return new Promise((resolveRun, rejectRun) => {
      const process_ = spawn(process.execPath, ['--no-warnings', childBundle], {
        cwd: repoRoot,
        env: { ...process.env, CUSTOMS_QUARANTINE_CRASH: JSON.stringify(config) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      process_.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      process_.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      process_.once('error', rejectRun);
      process_.once('close', (code, signal) => {
        const how = signal ?? String(code);
        const line = stdout.trim().split('\n').at(-1);
        resolveRun({ how, output: `${stdout}${stderr}`, ...(how === '0' && line ? { result: JSON.parse(line) as StepResult } : {}) });
      });
    });
  }

  /** Every alert the case's queue received (the SNS envelope's `default` body), removed from the queue. */
  async function drain(c: Case): Promise<ImageAlert[]> {
    const alerts: ImageAlert[] = [];
    for (;;) {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: c.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      if (Messages.length === 0) return alerts;
      for (const message of Messages) alerts.push(JSON.parse((JSON.parse(message.Body!) as { Message: string }).Message) as ImageAlert);
      await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: c.queueUrl, Entries: Messages.map((m, index) => ({ Id: String(index), ReceiptHandle: m.ReceiptHandle! })) }));
    }
  }

  /**
   * What the case ended with, its own names (repository, digest, marker) replaced by placeholders
   * so cases compare; and the alertId of each event type received.
   */
  async function endState(c: Case): Promise<{ readonly state: EndState; readonly alertIds: Readonly<Record<string, string>> }> {
    // Through the bridge, so imageStatus is the bridged storage status.
    const bridged = bridgedMotoEcrClient({ endpoint: motoEndpoint, region: REGION, stateFile: c.config.stateFile });
    const described = await bridged.send(new DescribeImagesCommand({ registryId: ACCOUNT, repositoryName: c.key.repository }));
    const images = (described.imageDetails ?? [])
      .map((image) => ({ digest: image.imageDigest!, tags: [...(image.imageTags ?? [])].sort(), status: image.imageStatus }))
      .sort((a, b) => a.digest.localeCompare(b.digest));
    const stored = await new DynamoDbQuarantineStore(table).get(c.key);
    const r = stored?.record;
    const record = r && {
      state: r.state,
      method: r.method,
      marker: r.marker,
      removing: r.removing,
      removedTags: r.removedTags.map((removed) => removed.tag).sort(),
      keptTags: r.keptTags,
      storage: r.storage,
      warnings: r.warnings,
      release: r.release && { by: r.release.by, reason: r.release.reason, trigger: r.release.trigger, restoredTags: r.release.restoredTags, keptTags: r.release.keptTags, markerRemoved: r.release.markerRemoved, storage: r.release.storage },
      pendingAlert: stored.pending !== undefined,
    };
    const ids = new Map<string, Set<string>>();
    const alerts: Record<string, unknown> = {};
    for (const alert of await drain(c)) {
      ids.set(alert.eventType, (ids.get(alert.eventType) ?? new Set()).add(alert.alertId));
      // Every alert belongs to the record now stored, whichever run sent it.
      expect(alert.quarantine?.id, `${alert.eventType} ${alert.alertId}`).toBe(r?.id);
      const { id: _id, ...detail } = alert.quarantine!;
      alerts[alert.eventType] = { repository: alert.repository.name, digest: alert.image.digest, imageTags: alert.image.tags, severity: alert.severity, detail };
    }
    for (const [eventType, distinct] of ids) expect([...distinct], `${c.key.repository}: ${eventType} sent under more than one alertId`).toHaveLength(1);
    const text = JSON.stringify({ images, record, alerts })
      .replaceAll(quarantineMarkerOf(c.key.digest), '<marker>')
      .replaceAll(c.key.digest, '<digest>')
      .replaceAll(c.key.repository, '<repository>');
    return { state: JSON.parse(text) as EndState, alertIds: Object.fromEntries([...ids].map(([eventType, distinct]) => [eventType, [...distinct][0]!])) };
  }

  /** What a killed run left behind: the record's state (and a pending alert), the image's tags and storage. */
  async function leftBehind(c: Case): Promise<LeftBehind> {
    const bridged = bridgedMotoEcrClient({ endpoint: motoEndpoint, region: REGION, stateFile: c.config.stateFile });
    const described = await bridged.send(new DescribeImagesCommand({ registryId: ACCOUNT, repositoryName: c.key.repository, imageIds: [{ imageDigest: c.key.digest }] }));
    const image = described.imageDetails![0]!;
    const stored = await new DynamoDbQuarantineStore(table).get(c.key);
    const marker = quarantineMarkerOf(c.key.digest);
    const tags = [...(image.imageTags ?? [])].map((tag) => (tag === marker ? '<marker>' : tag)).sort();
    return { record: stored ? `${stored.record.state}${stored.pending ? ' (alert pending)' : ''}` : 'none', registry: `${tags.join(' ')} ${image.imageStatus}` };
  }

  /** What each scenario must end with; the crash cases are then compared with the reference run itself. */
  function expectReference(scenario: Scenario, state: EndState): void {
    const quarantined = scenario.step === 'quarantine';
    const untag = scenario.method === 'untag';
    const tags = untag && quarantined ? ['<marker>'] : TAGS;
    const status = untag ? 'ACTIVE' : quarantined ? 'ARCHIVED' : 'ACTIVATING';
    expect(state.images).toEqual([{ digest: '<digest>', tags, status }]);
    expect(state.record).toMatchObject({ state: quarantined ? 'QUARANTINED' : 'RELEASED', method: scenario.method, removing: [], keptTags: [], pendingAlert: false });
    expect(state.record).toMatchObject(untag ? { marker: '<marker>', removedTags: TAGS } : { removedTags: [], storage: quarantined ? 'ARCHIVED' : 'ACTIVATING' });
    if (!quarantined) expect(state.record).toMatchObject({ release: { ...RELEASE_REQUEST, restoredTags: untag ? TAGS : [], keptTags: [], markerRemoved: untag } });
    expect(Object.keys(state.alerts)).toEqual([quarantined ? 'QUARANTINED' : 'RELEASED']);
    expect(state.alerts).toMatchObject({ [quarantined ? 'QUARANTINED' : 'RELEASED']: { repository: '<repository>', digest: '<digest>', detail: { tags: untag ? TAGS : [] } } });
  }

  const scenarios: readonly Scenario[] = [
    { method: 'untag', step: 'quarantine' },
    { method: 'untag', step: 'release' },
    { method: 'archive', step: 'quarantine' },
    { method: 'archive', step: 'release' },
  ];

  for (const scenario of scenarios) {
    it(`${scenario.method} ${scenario.step}: killed after each call and rerun, it ends as an uninterrupted run does`, { timeout: 120_000 }, async () => {
      const reference = await prepare(scenario, 'reference');
      const run = await child(reference.config);
      expect(run.how, run.output).toBe('0');
      const calls = run.result!.calls;
      expect(calls).toBeGreaterThan(3);
      const { state: expected } = await endState(reference);
      expectReference(scenario, expected);

      const kills = Array.from({ length: calls - 1 }, (_, index) => index + 1);
      const cases = await mapLimit(kills, POOL, async (killAt) => {
        const c = await prepare(scenario, `kill-${killAt}`);
        const killed = await child({ ...c.config, killAt });
        expect(killed.how, `kill at ${killAt}: ${killed.output}`).toBe('SIGKILL');
        const left = await leftBehind(c);
        const rerun = await runQuarantineStep({ ...c.config, pendingGraceMs: 0 });
        const { state, alertIds } = await endState(c);
        // A release rerun answers the alert that went out, whichever run sent it.
        if (scenario.step === 'release') expect(rerun.outcome).toMatchObject({ action: 'released', alertId: alertIds.RELEASED });
        return { killAt, left, state };
      });
      for (const { killAt, state } of cases) expect({ killAt, ...state }).toEqual({ killAt, ...expected });
      // The kills land all through the run: before anything was written, half way, and with the alert left pending.
      const seen = (pick: (left: LeftBehind) => string) => [...new Set(cases.map(({ left }) => pick(left)))].sort();
      expect(seen((left) => left.record)).toEqual(MIDWAY[scenario.step].records);
      expect(seen((left) => left.registry)).toEqual(MIDWAY[scenario.step][scenario.method]);
    });
  }
});
