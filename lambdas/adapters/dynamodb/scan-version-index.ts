import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { ScanRecord } from '../../core/pipeline/model.ts';
import { digestSchema } from '../../core/pipeline/sbom-schema.ts';
import type { OutdatedScan, ScanVersionIndex } from '../../core/review-ports.ts';
import type { DynamoDbTableOptions } from './dynamodb-claim-store.ts';

/**
 * The scan result item's entry in `gsi1`, so the scans of older scanner versions are found by
 * Query, oldest first: `gsi1pk = SCANVER#<shard>` (the digest's first hex digit: sixteen partitions
 * share the writes of every scan), `gsi1sk = <scanner version>#<finishedAt ISO>#<digest>`. The
 * entry is part of the result item, so it moves with every commit of a digest's scan (a scan by
 * the new version leaves the old version's range in the same write) and needs no cleanup.
 *
 * Cost: the index replicates the result item, one more write unit per KB of it on every commit
 * (1 for the ~470-byte result the key design measures), and its storage.
 */
export const SCAN_VERSION_PREFIX = 'SCANVER#';
const SHARDS = [...'0123456789abcdef'];
const PAGE = 100;

/** A version names a range of sort keys: `#` and anything else is escaped so no version is the prefix of another's range. */
const versionPart = (version: string): string => encodeURIComponent(version);

/** The attributes the result item carries for the index (spread into its put). */
export function scanVersionIndexAttributes(record: Pick<ScanRecord, 'digest' | 'scannerVersion' | 'finishedAt'>): { gsi1pk: string; gsi1sk: string } {
  return { gsi1pk: `${SCAN_VERSION_PREFIX}${shardOf(record.digest)}`, gsi1sk: `${versionPart(record.scannerVersion)}#${record.finishedAt.toISOString()}#${record.digest}` };
}

function shardOf(digest: string): string {
  const first = digest.slice(digest.indexOf(':') + 1, digest.indexOf(':') + 2).toLowerCase();
  return SHARDS.includes(first) ? first : '0';
}

const entrySchema = z.object({ digest: digestSchema, scannerVersion: z.string(), finishedAt: z.iso.datetime({ offset: true }).transform((value) => new Date(value)) });
const keySchema = z.object({ gsi1sk: z.string() });

export class DynamoDbScanVersionIndex implements ScanVersionIndex {
  constructor(private readonly options: DynamoDbTableOptions) {}

  /**
   * Each shard's versions are found by skipping from one version's range to the next (one
   * single-item Query per version, never reading a version's scans to get past them), then every
   * version but `current` is read oldest first, a page at a time, and the ranges merged by
   * `finishedAt`. The index is eventually consistent: a digest scanned again a moment ago may still
   * show up once (its scanner claim makes the second scan a no-op).
   */
  async *outdated(current: string): AsyncIterable<OutdatedScan> {
    const skip = versionPart(current);
    const perShard = await Promise.all(SHARDS.map(async (shard) => ({ shard, versions: await this.versionsIn(shard) })));
    const streams = perShard.flatMap(({ shard, versions }) => versions.filter((version) => version !== skip).map((version) => this.scansOf(shard, version)[Symbol.asyncIterator]()));
    yield* mergeOldestFirst(streams);
  }

  private async versionsIn(shard: string): Promise<string[]> {
    const versions: string[] = [];
    for (;;) {
      const after = versions.length > 0 ? `${versions.at(-1)!}#\uffff` : undefined;
      const page = await this.query({
        KeyConditionExpression: after === undefined ? 'gsi1pk = :pk' : 'gsi1pk = :pk AND gsi1sk > :after',
        ExpressionAttributeValues: { ':pk': `${SCAN_VERSION_PREFIX}${shard}`, ...(after === undefined ? {} : { ':after': after }) },
        ProjectionExpression: 'gsi1sk',
        Limit: 1,
      });
      const first = page.Items?.[0];
      if (!first) return versions;
      versions.push(keySchema.parse(first).gsi1sk.split('#')[0]!);
    }
  }

  private async *scansOf(shard: string, version: string): AsyncIterable<OutdatedScan> {
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.query({
        KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :version)',
        ExpressionAttributeValues: { ':pk': `${SCAN_VERSION_PREFIX}${shard}`, ':version': `${version}#` },
        ProjectionExpression: '#digest, #version, #finished',
        ExpressionAttributeNames: { '#digest': 'digest', '#version': 'scannerVersion', '#finished': 'finishedAt' },
        Limit: PAGE,
        ...(start ? { ExclusiveStartKey: start } : {}),
      });
      for (const item of page.Items ?? []) yield entrySchema.parse(item);
      start = page.LastEvaluatedKey as Record<string, unknown> | undefined;
    } while (start);
  }

  private query(input: Omit<QueryCommandInput, 'TableName' | 'IndexName'>) {
    return this.options.client.send(new QueryCommand({ TableName: this.options.tableName, IndexName: 'gsi1', ...input }));
  }
}

/** Merges streams each sorted oldest first into one, oldest first (ties by digest). */
async function* mergeOldestFirst(streams: readonly AsyncIterator<OutdatedScan>[]): AsyncIterable<OutdatedScan> {
  const heads = await Promise.all(streams.map((stream) => stream.next()));
  for (;;) {
    let best = -1;
    heads.forEach((head, index) => {
      if (head.done) return;
      const chosen = best < 0 ? undefined : heads[best];
      if (!chosen || chosen.done || compare(head.value, chosen.value) < 0) best = index;
    });
    if (best < 0) return;
    const head = heads[best]!;
    if (head.done) return;
    yield head.value;
    heads[best] = await streams[best]!.next();
  }
}

function compare(a: OutdatedScan, b: OutdatedScan): number {
  return a.finishedAt.getTime() - b.finishedAt.getTime() || a.digest.localeCompare(b.digest);
}
