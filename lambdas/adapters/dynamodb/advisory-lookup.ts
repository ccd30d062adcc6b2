import { QueryCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AdvisoryMatch } from '../../core/advisories/advisory-store.ts';
import type { OsvRecord } from '../../core/advisories/osv-schema.ts';
import { CustomsError } from '../../core/errors.ts';
import type { AdvisoryLookup, AdvisoryQuery } from '../../core/ports.ts';
import { mapLimit } from '../../core/util/map-limit.ts';
import { batchGet, itemKeyOf, type Item } from './advisory-batch-get.ts';
import { affectedPartition, KEY_PRESENT_SK, keyMarkerPk, lookupPartitions } from './advisory-keys.ts';
import { decodeRecord } from './advisory-record-codec.ts';
import { retryThrottled, type RetryOptions } from './batch-retry.ts';

export interface DynamoDbAdvisoryLookupOptions {
  /** Queries in flight at once. */
  readonly concurrency?: number;
  /** Largest inflated record accepted from the table (as the file loaders' cap). */
  readonly maxRecordBytes?: number;
  /** Retries of a throttled Query beyond the SDK's own; then the scan fails and SQS retries it. */
  readonly retry?: RetryOptions;
  /** Counts requests and read units, for the bench and the cost report. */
  readonly onQuery?: (stats: { readonly partition: string; readonly items: number; readonly bytes: number }) => void;
}

interface StoredRecord {
  readonly record: OsvRecord;
  readonly source: string;
}

/**
 * The AdvisoryLookup port over the advisory table: one Query per package partition the queries
 * name (a release's and its base ecosystem's, as the in-memory store looks up), deduplicated across
 * queries, skipping ecosystem keys no record is stored under, a bounded number in flight; never a
 * whole ecosystem. Answers equal AdvisoryStore.lookup's
 * for the same records. Items are untrusted: each record is inflated under a cap, validated against
 * the OSV schema and must name the package it is stored under; anything else fails the lookup
 * rather than dropping an advisory silently.
 */
export class DynamoDbAdvisoryLookup implements AdvisoryLookup {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    private readonly options: DynamoDbAdvisoryLookupOptions = {},
  ) {}

  async lookup(queries: readonly AdvisoryQuery[]): Promise<readonly (readonly AdvisoryMatch[])[]> {
    const perQuery = queries.map((query) => lookupPartitions(query.ecosystem, query.name));
    const inUse = await this.keysInUse(perQuery.flat());
    const partitions = [...new Set(perQuery.flat())].filter((partition) => inUse.has(keyMarkerPk(partition)));
    const read = await mapLimit(partitions, this.options.concurrency ?? 32, (partition) => this.readPartition(partition));
    const byPartition = new Map(partitions.map((partition, index) => [partition, read[index]!]));
    return perQuery.map((keys) => answer(keys, byPartition));
  }

  /**
   * The ecosystem keys records are stored under, among those the partitions name: one strongly
   * consistent BatchGetItem, so a marker the loader wrote before its records is always seen.
   */
  private async keysInUse(partitions: readonly string[]): Promise<Set<string>> {
    const markers = [...new Set(partitions.map(keyMarkerPk))];
    const found = await batchGet(this.client, this.table, markers.map((pk) => ({ pk, sk: KEY_PRESENT_SK })), this.options.retry);
    return new Set(markers.filter((pk) => found.has(itemKeyOf(pk, KEY_PRESENT_SK))));
  }

  /** Every record stored under one partition, in sort-key (id) order. */
  private async readPartition(partition: string): Promise<StoredRecord[]> {
    const items: Item[] = [];
    let bytes = 0;
    let start: Item | undefined;
    do {
      const input = { TableName: this.table, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :rec)', ExpressionAttributeValues: { ':pk': { S: partition }, ':rec': { S: 'REC#' } }, ExclusiveStartKey: start };
      const output = await retryThrottled(() => this.client.send(new QueryCommand(input)), this.options.retry);
      for (const item of output.Items ?? []) {
        items.push(item);
        bytes += item.data?.B?.byteLength ?? 0;
      }
      start = output.LastEvaluatedKey;
    } while (start);
    this.options.onQuery?.({ partition, items: items.length, bytes });
    return assemble(partition, items, this.options.maxRecordBytes ?? 4 * 1024 * 1024);
  }
}

/** The answer for one query: its partitions' records, release first, each once, withdrawn left out. */
function answer(keys: readonly string[], byPartition: ReadonlyMap<string, readonly StoredRecord[]>): AdvisoryMatch[] {
  const wanted = new Set(keys);
  const seen = new Set<string>();
  const matches: AdvisoryMatch[] = [];
  for (const key of keys) {
    for (const { record, source } of byPartition.get(key) ?? []) {
      if (seen.has(record.id)) continue;
      seen.add(record.id);
      if (record.withdrawn !== undefined) continue;
      const affected = (record.affected ?? []).filter((entry) => entry.package && wanted.has(affectedPartition(entry.package.ecosystem, entry.package.name)));
      matches.push({ record, affected, withdrawn: false, source });
    }
  }
  return matches;
}

/** Groups a partition's items into records (chunks in order) and checks each against its key. */
function assemble(partition: string, items: readonly Item[], maxRecordBytes: number): StoredRecord[] {
  const groups = new Map<string, Item[]>();
  for (const item of items) {
    const id = item.id?.S;
    if (id === undefined) throw malformed(partition, item, 'has no id');
    groups.set(id, [...(groups.get(id) ?? []), item]);
  }
  const records: StoredRecord[] = [];
  for (const [id, chunks] of groups) {
    const first = chunks[0]!;
    const parts = Number(first.parts?.N);
    const hash = first.hash?.S;
    const complete = chunks.length === parts && chunks.every((chunk, index) => Number(chunk.part?.N) === index && chunk.hash?.S === hash && chunk.data?.B !== undefined);
    // A chunked record being rewritten by a load can be seen half old, half new: the scan is retried.
    if (!complete) throw malformed(partition, first, `has ${chunks.length} of ${first.parts?.N ?? '?'} chunks of one version (being reloaded?)`);
    const where = `${partition} ${first.sk?.S ?? ''}`;
    const record = decodeRecord(chunks.map((chunk) => chunk.data!.B!), maxRecordBytes, where);
    if (record.id !== id) throw malformed(partition, first, `holds record ${JSON.stringify(record.id)}`);
    if (!(record.affected ?? []).some((entry) => entry.package && affectedPartition(entry.package.ecosystem, entry.package.name) === partition)) {
      throw malformed(partition, first, 'holds a record that does not name this package');
    }
    records.push({ record, source: first.source?.S ?? record.id });
  }
  return records;
}

function malformed(partition: string, item: Item, what: string): CustomsError {
  return new CustomsError('malformed', `advisory table: ${partition} ${item.sk?.S ?? ''} ${what}`);
}
