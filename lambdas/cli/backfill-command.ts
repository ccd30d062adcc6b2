import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECRClient } from '@aws-sdk/client-ecr';
import { SQSClient } from '@aws-sdk/client-sqs';
import { parseArgs } from 'node:util';
import { findingsDocumentClient } from '../adapters/dynamodb/document-client.ts';
import { DynamoDbBackfillMarks } from '../adapters/dynamodb/dynamodb-backfill-marks.ts';
import { DynamoDbImageStateStore } from '../adapters/dynamodb/dynamodb-image-state-store.ts';
import { DynamoDbScanCompletions } from '../adapters/dynamodb/dynamodb-scan-completions.ts';
import { DynamoDbScanResultStore } from '../adapters/dynamodb/dynamodb-scan-result-store.ts';
import { EcrImageReader } from '../adapters/ecr/ecr-image-reader.ts';
import { checkedRegion } from '../adapters/ecr/ecr-registry.ts';
import { EcrRegistryCatalog, type WatchedSelection } from '../adapters/ecr/ecr-registry-catalog.ts';
import { SqsScanRequestQueue } from '../adapters/sqs/sqs-scan-request-queue.ts';
import { CustomsError } from '../core/errors.ts';
import { scannerVersion } from '../core/pipeline/scanner-version.ts';
import type { ScanRequestQueue } from '../core/ports.ts';
import { backfillImages } from '../core/use-cases/backfill-images.ts';
import type { CliIo } from './cli-io.ts';

export const BACKFILL_USAGE = `Usage: customs backfill --table TABLE --queue-url URL [options]

Lists the images in the watched ECR repositories (DescribeRepositories, DescribeImages, every page)
and queues for the scanner each one this scanner version has not scanned in that repository, as a
push event would. Each image is queued at most once per run ID: rerunning a run (after a crash, or
side by side) queues nothing twice. Prints the report as JSON.

  --table TABLE                 the findings table's name
  --queue-url URL               the scanner's queue (not needed with --dry-run)
  --region REGION               the registry's AWS Region (default: AWS_REGION)
  --registry-id ID              the registry (account) to list (default: the caller's)
  --repository NAME             watch this repository (repeatable)
  --repository-prefix PREFIX    watch repositories whose names start so (repeatable);
                                without --repository or --repository-prefix, every repository
  --pushed-after DATE           queue only images pushed at or after DATE (ISO 8601)
  --max-age-days N              queue only images pushed in the last N days
  --reconcile                   also record tags ECR shows that Customs lacks, remove tags ECR no
                                longer shows, and mark deleted the images ECR no longer has
                                (each checked with DescribeImages by digest first)
  --dry-run                     read everything, write and send nothing: report what would be done
  --run-id ID                   names the run (default: backfill-<today>-<scanner version>)
  --scanner-version V           the deployed scanner's version (default: this CLI's)
  --endpoint URL                DynamoDB endpoint (DynamoDB Local: http://127.0.0.1:8000)
  --ecr-endpoint URL            ECR endpoint
  --sqs-endpoint URL            SQS endpoint

Exit codes: 0 done, 1 done but some repositories failed (named in the report), 2 usage or input error.
`;

const RUN_ID = /^[A-Za-z0-9._:+-]{1,128}$/;

export async function backfillCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      table: { type: 'string' },
      'queue-url': { type: 'string' },
      region: { type: 'string' },
      'registry-id': { type: 'string' },
      repository: { type: 'string', multiple: true },
      'repository-prefix': { type: 'string', multiple: true },
      'pushed-after': { type: 'string' },
      'max-age-days': { type: 'string' },
      reconcile: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      'run-id': { type: 'string' },
      'scanner-version': { type: 'string' },
      endpoint: { type: 'string' },
      'ecr-endpoint': { type: 'string' },
      'sqs-endpoint': { type: 'string' },
      debug: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout.write(BACKFILL_USAGE);
    return 0;
  }
  if (positionals.length > 0) throw new CustomsError('usage', `backfill takes no positional arguments, got ${JSON.stringify(positionals[0])}`);
  const table = values.table;
  if (!table) throw new CustomsError('usage', 'backfill needs --table TABLE');
  const dryRun = values['dry-run'] === true;
  const queueUrl = values['queue-url'];
  if (!queueUrl && !dryRun) throw new CustomsError('usage', 'backfill needs --queue-url URL (or --dry-run)');
  const regionName = values.region ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION;
  if (!regionName) throw new CustomsError('usage', 'backfill needs --region (or AWS_REGION)');
  const region = checkedRegion(regionName);
  const now = new Date();
  const pushedAfter = pushBound(values['pushed-after'], values['max-age-days'], now);
  const version = values['scanner-version'] ?? scannerVersion();
  const runId = values['run-id'] ?? `backfill-${now.toISOString().slice(0, 10)}-${version}`;
  if (!RUN_ID.test(runId)) throw new CustomsError('usage', `--run-id must be 1-128 letters, digits and . _ : + - (got ${JSON.stringify(runId.slice(0, 140))})`);
  const names = values.repository ?? [];
  const prefixes = values['repository-prefix'] ?? [];
  const selection: WatchedSelection = names.length + prefixes.length > 0 ? { names, prefixes } : 'all';
  const registryId = values['registry-id'];
  if (registryId !== undefined && !/^\d{12}$/.test(registryId)) throw new CustomsError('usage', `--registry-id must be a 12-digit account ID (got ${JSON.stringify(registryId)})`);

  const endpoint = (url: string | undefined) => (url !== undefined ? { endpoint: url } : {});
  const dynamo = new DynamoDBClient({ region, ...endpoint(values.endpoint) });
  const ecr = new ECRClient({ region, ...endpoint(values['ecr-endpoint']) });
  const sqs = new SQSClient({ region, ...endpoint(values['sqs-endpoint']) });
  try {
    const client = findingsDocumentClient(dynamo);
    const images = new DynamoDbImageStateStore({ client, tableName: table });
    const reader = new EcrImageReader(ecr);
    const queue: ScanRequestQueue = queueUrl
      ? new SqsScanRequestQueue({ sqs, queueUrl })
      : {
          send: () => Promise.reject(new Error('a dry run sends nothing')),
        };
    const report = await backfillImages(
      { runId, reconcile: values.reconcile === true, dryRun, ...(pushedAfter ? { pushedAfter } : {}) },
      {
        catalog: new EcrRegistryCatalog({ ecr, region, selection, ...(registryId ? { registryId } : {}) }),
        states: { imagesOf: (repository) => images.imagesOfRepository(repository, Infinity) },
        images,
        results: new DynamoDbScanResultStore({ client, tableName: table }),
        completions: new DynamoDbScanCompletions({ client, tableName: table }),
        registry: { describe: (repository, digest) => reader.describe(repository, digest) },
        marks: new DynamoDbBackfillMarks({ client, tableName: table }),
        queue,
        clock: { now: () => new Date() },
        scannerVersion: version,
      },
    );
    io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    for (const failed of report.byRepository.filter((entry) => entry.error !== undefined)) io.stderr.write(`customs: backfill: ${failed.repository}: ${failed.error}\n`);
    return report.failed > 0 ? 1 : 0;
  } finally {
    dynamo.destroy();
    ecr.destroy();
    sqs.destroy();
  }
}

/** The push-age bound: a date, or a number of days back from now; not both. */
function pushBound(after: string | undefined, maxAgeDays: string | undefined, now: Date): Date | undefined {
  if (after !== undefined && maxAgeDays !== undefined) throw new CustomsError('usage', 'give --pushed-after or --max-age-days, not both');
  if (after !== undefined) {
    const date = new Date(after);
    if (!/^\d{4}-\d{2}-\d{2}/.test(after) || Number.isNaN(date.getTime())) throw new CustomsError('usage', `--pushed-after must be an ISO 8601 date (got ${JSON.stringify(after)})`);
    return date;
  }
  if (maxAgeDays !== undefined) {
    const days = Number(maxAgeDays);
    if (!/^\d+$/.test(maxAgeDays) || !Number.isSafeInteger(days) || days < 1) throw new CustomsError('usage', `--max-age-days must be a whole number of days, at least 1 (got ${JSON.stringify(maxAgeDays)})`);
    return new Date(now.getTime() - days * 86_400_000);
  }
  return undefined;
}
