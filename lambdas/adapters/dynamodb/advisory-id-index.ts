import { QueryCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { OsvRecord } from '../../core/advisories/osv-schema.ts';
import { CustomsError } from '../../core/errors.ts';
import type { AdvisoryIdIndex } from '../../core/ports.ts';
import { batchGet, itemKeyOf, type Item } from './advisory-batch-get.ts';
import { readHead, type RecordHead } from './advisory-items.ts';
import { affectedPartition, ALIAS_RECORD_PREFIX, aliasPk, HEAD_SK, recordAliases, recordChunkSk, recordHeadPk } from './advisory-keys.ts';
import { decodeRecord } from './advisory-record-codec.ts';
import { retryThrottled, type RetryOptions } from './batch-retry.ts';

export interface DynamoDbAdvisoryIdIndexOptions {
  /** Largest inflated record accepted from the table (as the lookup's cap). */
  readonly maxRecordBytes?: number;
  readonly retry?: RetryOptions;
}

/**
 * The AdvisoryIdIndex port over the advisory table: a Query of the `ALIAS#<x>` items (one per
 * record naming `x` as an alias), the heads of those records and of `REC#<x>` in one BatchGetItem,
 * then each record's chunks from the first partition its head names, in one more. Items are
 * untrusted, as in the lookup: each record is inflated under a cap, validated as OSV and must be
 * the record, and name the package, it is stored under. An alias item the record no longer backs
 * (left by a load that crashed between its writes) is ignored; a record half rewritten by a
 * concurrent load fails the call, to be retried.
 */
export class DynamoDbAdvisoryIdIndex implements AdvisoryIdIndex {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    private readonly options: DynamoDbAdvisoryIdIndexOptions = {},
  ) {}

  async recordsFor(idOrAlias: string): Promise<readonly OsvRecord[]> {
    const ids = [...new Set([idOrAlias, ...(await this.aliasedIds(idOrAlias))])];
    const storedHeads = await batchGet(this.client, this.table, ids.map((id) => ({ pk: recordHeadPk(id), sk: HEAD_SK })), this.options.retry);
    // A withdrawn record is stored under no package: it affects nothing.
    const heads = ids.map((id) => readHead(storedHeads.get(itemKeyOf(recordHeadPk(id), HEAD_SK)))).filter((head): head is RecordHead => head !== undefined && head.partitions.length > 0);
    const chunkKeys = heads.flatMap((head) => Array.from({ length: head.parts }, (_, part) => ({ pk: head.partitions[0]!, sk: recordChunkSk(head.id, part) })));
    const chunks = await batchGet(this.client, this.table, chunkKeys, this.options.retry);
    const records = heads.map((head) => this.assemble(head, chunks));
    return records.filter((record) => record.id === idOrAlias || recordAliases(record).includes(idOrAlias)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Record ids the `ALIAS#` items name (keys only: the id is the sort key). */
  private async aliasedIds(alias: string): Promise<string[]> {
    const ids: string[] = [];
    let start: Item | undefined;
    do {
      const input = { TableName: this.table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: aliasPk(alias) } }, ConsistentRead: true, ExclusiveStartKey: start };
      const output = await retryThrottled(() => this.client.send(new QueryCommand(input)), this.options.retry);
      for (const item of output.Items ?? []) {
        const sk = item.sk?.S;
        if (sk?.startsWith(ALIAS_RECORD_PREFIX)) ids.push(sk.slice(ALIAS_RECORD_PREFIX.length));
      }
      start = output.LastEvaluatedKey;
    } while (start);
    return ids;
  }

  private assemble(head: RecordHead, chunks: ReadonlyMap<string, Item>): OsvRecord {
    const partition = head.partitions[0]!;
    const items = Array.from({ length: head.parts }, (_, part) => chunks.get(itemKeyOf(partition, recordChunkSk(head.id, part))));
    const hash = items[0]?.hash?.S;
    const complete = items.every((item, part) => item !== undefined && item.id?.S === head.id && Number(item.part?.N) === part && Number(item.parts?.N) === head.parts && item.hash?.S === hash && item.data?.B !== undefined);
    if (!complete) throw malformed(partition, head.id, `has not the ${head.parts} chunk(s) of one version its head names (being reloaded?)`);
    const record = decodeRecord(
      items.map((item) => item!.data!.B!),
      this.options.maxRecordBytes ?? 4 * 1024 * 1024,
      `${partition} ${recordChunkSk(head.id, 0)}`,
    );
    if (record.id !== head.id) throw malformed(partition, head.id, `holds record ${JSON.stringify(record.id)}`);
    if (!(record.affected ?? []).some((entry) => entry.package && affectedPartition(entry.package.ecosystem, entry.package.name) === partition)) throw malformed(partition, head.id, 'holds a record that does not name this package');
    return record;
  }
}

function malformed(partition: string, id: string, what: string): CustomsError {
  return new CustomsError('malformed', `advisory table: ${partition} ${recordChunkSk(id, 0)} ${what}`);
}
