import { CreateRepositoryCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { FINDINGS_TABLE } from '../../../lambdas/adapters/dynamodb/table-schema.ts';
import { parseEcrEvent } from '../../../lambdas/adapters/ecr/parse-ecr-event.ts';
import { createLocalTable, localDynamoDbClient } from '../../support/dynamodb-tables.ts';
import { runCli } from '../../support/cli.ts';
import { repoRoot } from '../../support/paths.ts';

/**
 * `customs backfill` through the real entry (node bin/customs.mjs) on moto's ECR and SQS and
 * DynamoDB Local. moto lists a repository's images in one DescribeImages page, so pagination is the
 * backfill test's (exact requests); here it is the command: options, wiring, JSON report, exit codes.
 */
const REGION = 'us-east-1';
const ACCOUNT = '123456789012'; // moto's default account
const OCI = 'application/vnd.oci.image.manifest.v1+json';

function manifest(seed: string): { body: string; digest: string } {
  const blob = (what: string) => `sha256:${createHash('sha256').update(`${what} ${seed}`).digest('hex')}`;
  const body = JSON.stringify({ schemaVersion: 2, mediaType: OCI, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: blob('config'), size: 2 }, layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: blob('layer'), size: 3 }] });
  return { body, digest: `sha256:${createHash('sha256').update(body, 'utf8').digest('hex')}` };
}

function customs(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('node', ['bin/customs.mjs', ...args], {
      cwd: repoRoot,
      env: { ...process.env, AWS_ACCESS_KEY_ID: 'moto', AWS_SECRET_ACCESS_KEY: 'moto', AWS_REGION: REGION },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('customs backfill', () => {
  const moto = inject('motoEndpoint');
  const credentials = { accessKeyId: 'moto', secretAccessKey: 'moto' };
  const ecr = new ECRClient({ endpoint: moto, region: REGION, credentials });
  const sqs = new SQSClient({ endpoint: moto, region: REGION, credentials });
  const prefix = `customs-backfill-${randomUUID().slice(0, 8)}/`;
  const images = { app: manifest(`${prefix}app`), tool: manifest(`${prefix}tool`) };
  let table: string;
  let queueUrl: string;
  let common: string[];

  beforeAll(async () => {
    table = await createLocalTable(localDynamoDbClient(), FINDINGS_TABLE, 'backfill-cli');
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `customs-backfill-cli-${randomUUID().slice(0, 8)}` }))).QueueUrl!;
    for (const [name, image] of Object.entries(images)) {
      await ecr.send(new CreateRepositoryCommand({ repositoryName: `${prefix}${name}` }));
      await ecr.send(new PutImageCommand({ repositoryName: `${prefix}${name}`, imageManifest: image.body, imageManifestMediaType: OCI, imageTag: 'v1', imageDigest: image.digest }));
    }
    common = ['backfill', '--table', table, '--region', REGION, '--repository-prefix', prefix, '--endpoint', inject('dynamodbEndpoint'), '--ecr-endpoint', moto, '--sqs-endpoint', moto];
  });

  it('a dry run lists the watched repositories and reports what it would queue, sending nothing', async () => {
    const run = await customs([...common, '--dry-run', '--reconcile', '--max-age-days', '30', '--run-id', 'cli-dry']);
    expect(run.stderr).not.toContain('customs:'); // the SDK may warn about the Node version there
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as Record<string, unknown> & { byRepository: { repository: string; queued: number }[] };
    expect(report).toMatchObject({ runId: 'cli-dry', dryRun: true, reconcile: true, repositories: 2, images: 2, alreadyScanned: 0, withoutState: 2, queued: 2, tagsAdded: 2, failed: 0 });
    expect(report.byRepository.map((entry) => entry.repository).sort()).toEqual([`${prefix}app`, `${prefix}tool`]);
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    expect(Messages).toEqual([]);
  });

  it('a run queues each image as a push event on the queue, once', async () => {
    const first = await customs([...common, '--queue-url', queueUrl, '--run-id', 'cli-run']);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ queued: 2, alreadyQueued: 0 });
    const again = await customs([...common, '--queue-url', queueUrl, '--run-id', 'cli-run']);
    expect(JSON.parse(again.stdout)).toMatchObject({ queued: 0, alreadyQueued: 2 });
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    const events = Messages.map((message) => parseEcrEvent(message.Body!)).map((parsed) => (parsed.ok ? parsed.event : parsed.rejection));
    expect(events.map((event) => ('kind' in event ? `${event.kind} ${event.account} ${event.repository}@${event.digest}:${event.tag}` : event.message)).sort()).toEqual(
      [`push ${ACCOUNT} ${prefix}app@${images.app.digest}:v1`, `push ${ACCOUNT} ${prefix}tool@${images.tool.digest}:v1`].sort(),
    );
  });

  it('refuses bad options with exit code 2 and one line', async () => {
    const cases: [string[], string][] = [
      [['backfill', '--region', REGION, '--dry-run'], 'customs: backfill needs --table TABLE\n'],
      [['backfill', '--table', 't', '--region', REGION], 'customs: backfill needs --queue-url URL (or --dry-run)\n'],
      [['backfill', '--table', 't', '--region', REGION, '--dry-run', '--pushed-after', '2025-01-01', '--max-age-days', '3'], 'customs: give --pushed-after or --max-age-days, not both\n'],
      [['backfill', '--table', 't', '--region', REGION, '--dry-run', '--max-age-days', '0'], 'customs: --max-age-days must be a whole number of days, at least 1 (got "0")\n'],
      [['backfill', '--table', 't', '--region', REGION, '--dry-run', '--pushed-after', 'yesterday'], 'customs: --pushed-after must be an ISO 8601 date (got "yesterday")\n'],
      [['backfill', '--table', 't', '--region', REGION, '--dry-run', '--run-id', 'a b'], 'customs: --run-id must be 1-128 letters, digits and . _ : + - (got "a b")\n'],
    ];
    for (const [args, stderr] of cases) {
      const run = await runCli(args, { env: {} });
      expect({ args, code: run.code, stderr: run.stderr }).toEqual({ args, code: 2, stderr });
    }
  });
});
