import { QueryCommand, UpdateItemCommand, type DynamoDBClient, type WriteRequest } from '@aws-sdk/client-dynamodb';
import type { OsvRecord } from '../../core/advisories/osv-schema.ts';
import { CustomsError } from '../../core/errors.ts';
import type { ChangedPackageKey } from '../../core/advisories/sync-model.ts';
import type { PlannedAdvisoryChanges, SyncAdvisoryWriter, SyncWriteResult } from '../../core/use-cases/sync-advisories.ts';
import { batchGet, itemKeyOf, type Item } from './advisory-batch-get.ts';
import { batchWrite } from './advisory-batch-write.ts';
import { readHead, type RecordHead } from './advisory-items.ts';
import { ALIAS_RECORD_PREFIX, ECOSYSTEM_KEY_PREFIX, ecosystemIdsPk, FRESHNESS_INDEX_PK, FRESHNESS_SK, freshnessPk, HEAD_SK, partitionPackage, recordChunkSk, recordHeadPk } from './advisory-keys.ts';
import { loadAdvisoryTable, staleKeys, type PlannedWrite } from './advisory-loader.ts';
import { decodeRecord } from './advisory-record-codec.ts';
import { retryThrottled, type RetryOptions } from './batch-retry.ts';

export interface DynamoDbAdvisoryWriterOptions {
  readonly retry?: RetryOptions;
  /** Largest inflated record read back (a replaced version, a retracted one). */
  readonly maxRecordBytes?: number;
}

/**
 * The sync's writer over the advisory table: writes through loadAdvisoryTable (unchanged records
 * are not rewritten; freshness left to markFresh, once an ecosystem's records are all durable),
 * answering the packages each replaced version named (from its head) so they count as changed.
 * `ids` lists an ecosystem's records from its `ECOIDS#<base>` partition (the loader writes an item
 * per base a record names, withdrawn records included), checked against the heads so an item left
 * by a crash never names a record that is not there. `retract` removes a record's items as the
 * loader would have left them had it never been loaded: chunks and aliases, then the head, then the
 * ecosystem lists, so a crash at any point leaves it retractable again.
 */
export class DynamoDbAdvisoryWriter implements SyncAdvisoryWriter {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    private readonly options: DynamoDbAdvisoryWriterOptions = {},
  ) {}

  async write(records: readonly { readonly record: OsvRecord; readonly source: string }[], beforeWrite?: (planned: PlannedAdvisoryChanges) => Promise<void>): Promise<SyncWriteResult> {
    const written: OsvRecord[] = [];
    const previousKeys: ChangedPackageKey[] = [];
    let migrated = 0;
    const report = await loadAdvisoryTable(this.client, this.table, records, {
      source: 'sync',
      freshness: false,
      ...(this.options.retry ? { retry: this.options.retry } : {}),
      beforeWrite: async (group: readonly PlannedWrite[]) => {
        const planned: PlannedAdvisoryChanges = { written: [], previousKeys: [] };
        for (const plan of group) {
          if (plan.sameContent) {
            migrated++;
            continue;
          }
          (planned.written as OsvRecord[]).push(plan.record);
          // The head lists the packages the replaced version is stored under (none when withdrawn).
          for (const partition of plan.previous?.partitions ?? []) {
            const key = partitionPackage(partition);
            if (key) (planned.previousKeys as ChangedPackageKey[]).push(key);
          }
        }
        written.push(...planned.written);
        previousKeys.push(...planned.previousKeys);
        if (beforeWrite && planned.written.length > 0) await beforeWrite(planned);
      },
    });
    return { written, previousKeys, unchanged: report.unchanged + migrated, refused: report.refused };
  }

  async ids(ecosystem: string): Promise<readonly string[]> {
    const listed: string[] = [];
    let start: Item | undefined;
    do {
      const input = {
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :rec)',
        ExpressionAttributeValues: { ':pk': { S: ecosystemIdsPk(ecosystem) }, ':rec': { S: ALIAS_RECORD_PREFIX } },
        ProjectionExpression: 'sk',
        ConsistentRead: true,
        ExclusiveStartKey: start,
      };
      const output = await retryThrottled(() => this.client.send(new QueryCommand(input)), this.options.retry);
      for (const item of output.Items ?? []) listed.push(item.sk!.S!.slice(ALIAS_RECORD_PREFIX.length));
      start = output.LastEvaluatedKey;
    } while (start);
    const heads = await this.heads(listed);
    return listed.filter((id) => {
      const head = heads.get(id);
      return head !== undefined && (head.ecosystems === undefined || head.ecosystems.includes(ecosystem));
    });
  }

  async retract(ids: readonly string[]): Promise<readonly OsvRecord[]> {
    const heads = [...(await this.heads([...new Set(ids)])).values()];
    const records = await this.readRecords(heads);
    const items: WriteRequest[] = [];
    const lists: WriteRequest[] = [];
    for (const head of heads) {
      for (const key of staleKeys(head)) (key.pk.startsWith(ecosystemIdsPk('')) ? lists : items).push({ DeleteRequest: { Key: { pk: { S: key.pk }, sk: { S: key.sk } } } });
    }
    for (const phase of [items, heads.map((head) => ({ DeleteRequest: { Key: { pk: { S: recordHeadPk(head.id) }, sk: { S: HEAD_SK } } } })), lists]) await batchWrite(this.client, this.table, phase, this.options.retry);
    return records;
  }

  async markFresh(ecosystem: string, at: Date, source: string): Promise<void> {
    const keys = new Set<string>([ecosystem]);
    let records = 0;
    let start: Item | undefined;
    do {
      const input = { TableName: this.table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: ecosystemIdsPk(ecosystem) } }, ProjectionExpression: 'sk', ConsistentRead: true, ExclusiveStartKey: start };
      const output = await retryThrottled(() => this.client.send(new QueryCommand(input)), this.options.retry);
      for (const item of output.Items ?? []) {
        const sk = item.sk?.S ?? '';
        if (sk.startsWith(ECOSYSTEM_KEY_PREFIX)) keys.add(sk.slice(ECOSYSTEM_KEY_PREFIX.length));
        else if (sk.startsWith(ALIAS_RECORD_PREFIX)) records++;
      }
      start = output.LastEvaluatedKey;
    } while (start);
    // Every key stored under the base (`Debian:12`, `Debian:11`) is as fresh as the base's sync.
    for (const key of keys) {
      await retryThrottled(
        () =>
          this.client.send(
            new UpdateItemCommand({
              TableName: this.table,
              Key: { pk: { S: freshnessPk(key) }, sk: { S: FRESHNESS_SK } },
              UpdateExpression: 'SET gsi1pk = :index, gsi1sk = :ecosystem, ecosystem = :ecosystem, loadedAt = :at, #source = :source, #records = ' + (key === ecosystem ? ':records' : 'if_not_exists(#records, :zero)'),
              ExpressionAttributeNames: { '#source': 'source', '#records': 'records' },
              ExpressionAttributeValues: { ':index': { S: FRESHNESS_INDEX_PK }, ':ecosystem': { S: key }, ':at': { S: at.toISOString() }, ':source': { S: source }, ...(key === ecosystem ? { ':records': { N: String(records) } } : { ':zero': { N: '0' } }) },
            }),
          ),
        this.options.retry,
      );
    }
  }

  private async heads(ids: readonly string[]): Promise<Map<string, RecordHead>> {
    const items = await batchGet(this.client, this.table, ids.map((id) => ({ pk: recordHeadPk(id), sk: HEAD_SK })), this.options.retry);
    const heads = new Map<string, RecordHead>();
    for (const id of ids) {
      const head = readHead(items.get(itemKeyOf(recordHeadPk(id), HEAD_SK)));
      if (head?.id === id) heads.set(id, head);
    }
    return heads;
  }

  /**
   * The versions retracted heads describe, from their first package's chunks; withdrawn ones are
   * stored under none and affect nothing. Chunks a crashed load left of another version stand in
   * for it (their packages are the nearest known); unreadable ones are named in the error.
   */
  private async readRecords(heads: readonly RecordHead[]): Promise<OsvRecord[]> {
    const stored = heads.filter((head) => head.partitions.length > 0);
    const chunks = await batchGet(this.client, this.table, stored.flatMap((head) => Array.from({ length: head.parts }, (_, part) => ({ pk: head.partitions[0]!, sk: recordChunkSk(head.id, part) }))), this.options.retry);
    return stored.map((head) => {
      const partition = head.partitions[0]!;
      const items = Array.from({ length: head.parts }, (_, part) => chunks.get(itemKeyOf(partition, recordChunkSk(head.id, part))));
      const where = `${partition} ${recordChunkSk(head.id, 0)}`;
      if (items.some((item) => item?.data?.B === undefined)) throw new CustomsError('malformed', `advisory table: ${where} has not the ${head.parts} chunk(s) its head names`);
      const record = decodeRecord(items.map((item) => item!.data!.B!), this.options.maxRecordBytes ?? 4 * 1024 * 1024, where);
      if (record.id !== head.id) throw new CustomsError('malformed', `advisory table: ${where} holds record ${JSON.stringify(record.id)}`);
      return record;
    });
  }
}
