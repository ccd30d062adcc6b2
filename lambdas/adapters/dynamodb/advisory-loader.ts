import type { DynamoDBClient, WriteRequest } from '@aws-sdk/client-dynamodb';
import type { MalformedAdvisory } from '../../core/advisories/advisory-store.ts';
import type { OsvRecord } from '../../core/advisories/osv-schema.ts';
import { batchGet, itemKeyOf } from './advisory-batch-get.ts';
import { batchWrite } from './advisory-batch-write.ts';
import type { SourcedRecord } from './advisory-collecting-store.ts';
import { aliasItem, chunkItems, freshnessItem, headItem, readHead, type EcosystemFreshness, type RecordHead } from './advisory-items.ts';
import { parseEcosystem } from '../../core/advisories/ecosystem.ts';
import { aliasPk, aliasSk, ecosystemIdsPk, ecosystemKeySk, HEAD_SK, KEY_PRESENT_SK, keyMarkerPk, recordBases, recordChunkSk, recordEcosystems, recordHeadPk } from './advisory-keys.ts';
import { encodeRecord, type EncodedRecord } from './advisory-record-codec.ts';
import { refusalOf } from './advisory-refusal.ts';
import type { RetryOptions } from './batch-retry.ts';

export interface LoadTableOptions {
  /** Named in each ecosystem's freshness item (`--source` as given). */
  readonly source: string;
  readonly now?: () => Date;
  readonly retry?: RetryOptions;
  /** Records handled per round of head reads and writes; bounds memory and the work a crash repeats. */
  readonly groupSize?: number;
  /** False: leave the freshness items alone (a sync writing in groups marks them once its records are all durable). */
  readonly freshness?: boolean;
  /**
   * Called per group with the records about to be (re)written and what their heads said before,
   * ahead of any write: the last moment the previous versions can still be read.
   */
  readonly beforeWrite?: (group: readonly PlannedWrite[]) => Promise<void>;
}

export interface PlannedWrite {
  readonly record: OsvRecord;
  readonly previous?: RecordHead;
  /** Same content as stored (rewritten only to add items older heads lack): nothing a reader sees changes. */
  readonly sameContent: boolean;
}

/** Base ecosystems one record may be listed under: real records name one or two. */
export const MAX_BASES_PER_RECORD = 100;

export interface LoadTableReport {
  /** Records whose items were (re)written. */
  readonly written: number;
  /** Records already stored with the same content, or a newer `modified`: left alone. */
  readonly unchanged: number;
  /** Stale items removed (packages a record no longer names, chunks it no longer needs). */
  readonly deleted: number;
  /** Records not stored, with why. */
  readonly refused: readonly MalformedAdvisory[];
  readonly ecosystems: readonly EcosystemFreshness[];
  /** BatchWriteItem calls, retries included. */
  readonly writeCalls: number;
}

interface Planned {
  readonly entry: SourcedRecord;
  readonly encoded: EncodedRecord;
  readonly partitions: readonly string[];
  readonly aliases: readonly string[];
  readonly bases: readonly string[];
}

/**
 * Loads records into the advisory table so that a rerun after a crash at any step ends in the same
 * state: per group, record items are written first, then stale items deleted, then the record heads
 * (a record is done only once its head says so), and each ecosystem's freshness only after every
 * record of the load is durable. A record whose stored head has the same content hash, or a newer
 * `modified`, is not rewritten, so reloading a whole `all.zip` writes only what changed. Each alias
 * gets a keys-only `ALIAS#` item (so an ID lookup costs nothing per scan); the head lists them, so
 * a changed record's dropped aliases are deleted with its other stale items.
 */
export async function loadAdvisoryTable(client: DynamoDBClient, table: string, entries: readonly SourcedRecord[], options: LoadTableOptions): Promise<LoadTableReport> {
  const groupSize = options.groupSize ?? 500;
  const refused: MalformedAdvisory[] = [];
  const accepted: Planned[] = [];
  for (const entry of entries) {
    const encoded = encodeRecord(entry.record, entry.source);
    const refusal = refusalOf(entry.record, encoded);
    const bases = recordBases(entry.record);
    if (!refusal.ok) refused.push({ source: entry.source, reason: refusal.reason });
    else if (bases.length > MAX_BASES_PER_RECORD) refused.push({ source: entry.source, reason: `refused: names ${bases.length} ecosystems, over the ${MAX_BASES_PER_RECORD}-ecosystem cap` });
    else accepted.push({ entry, encoded, partitions: refusal.partitions, aliases: refusal.aliases, bases });
  }
  let written = 0;
  let unchanged = 0;
  let deleted = 0;
  // Every ecosystem key the records live under is marked before any record is written (and again on
  // a rerun, so a table loaded before the markers gets them), so a lookup never skips a key in use.
  const markers = [...new Set(accepted.flatMap((plan) => plan.partitions.map(keyMarkerPk)))].map((pk) => ({ PutRequest: { Item: { pk: { S: pk }, sk: { S: KEY_PRESENT_SK } } } }));
  // Likewise each base ecosystem lists the keys under it (`Debian` → `Debian:12`), for marking them fresh.
  const listed = [...new Set(accepted.flatMap((plan) => recordEcosystems(plan.entry.record)))].map((key) => ({ PutRequest: { Item: { pk: { S: ecosystemIdsPk(parseEcosystem(key).base) }, sk: { S: ecosystemKeySk(key) } } } }));
  let writeCalls = (await batchWrite(client, table, [...markers, ...listed], options.retry)).calls;
  for (let start = 0; start < accepted.length; start += groupSize) {
    const group = accepted.slice(start, start + groupSize);
    const stored = await batchGet(client, table, group.map(({ entry }) => ({ pk: recordHeadPk(entry.record.id), sk: HEAD_SK })), options.retry);
    const changed = group.filter((plan) => needsWrite(plan, readHead(stored.get(itemKeyOf(recordHeadPk(plan.entry.record.id), HEAD_SK)))));
    unchanged += group.length - changed.length;
    if (options.beforeWrite && changed.length > 0) {
      await options.beforeWrite(
        changed.map((plan) => {
          const previous = readHead(stored.get(itemKeyOf(recordHeadPk(plan.entry.record.id), HEAD_SK)));
          return { record: plan.entry.record, ...(previous ? { previous } : {}), sameContent: previous?.hash === plan.encoded.hash };
        }),
      );
    }
    const puts: WriteRequest[] = [];
    const deletes: WriteRequest[] = [];
    for (const plan of changed) {
      const { record, source } = plan.entry;
      const keep = new Set<string>();
      for (const partition of plan.partitions) {
        for (const item of chunkItems(partition, record, source, plan.encoded)) {
          puts.push({ PutRequest: { Item: item } });
          keep.add(itemKeyOf(partition, item.sk!.S!));
        }
      }
      for (const alias of plan.aliases) {
        const item = aliasItem(alias, record.id);
        puts.push({ PutRequest: { Item: item } });
        keep.add(itemKeyOf(item.pk!.S!, item.sk!.S!));
      }
      for (const base of plan.bases) {
        const item = { pk: { S: ecosystemIdsPk(base) }, sk: { S: aliasSk(record.id) } };
        puts.push({ PutRequest: { Item: item } });
        keep.add(itemKeyOf(item.pk.S, item.sk.S));
      }
      const old = readHead(stored.get(itemKeyOf(recordHeadPk(record.id), HEAD_SK)));
      for (const key of old ? staleKeys(old) : []) {
        if (!keep.has(itemKeyOf(key.pk, key.sk))) deletes.push({ DeleteRequest: { Key: { pk: { S: key.pk }, sk: { S: key.sk } } } });
      }
    }
    const heads: WriteRequest[] = changed.map((plan) => ({ PutRequest: { Item: headItem(headOf(plan)) } }));
    for (const phase of [puts, deletes, heads]) writeCalls += (await batchWrite(client, table, phase, options.retry)).calls;
    written += changed.length;
    deleted += deletes.length;
  }
  const ecosystems = options.freshness === false ? [] : freshnessOf(accepted, options.source, (options.now ?? (() => new Date()))().toISOString());
  writeCalls += (await batchWrite(client, table, ecosystems.map((freshness) => ({ PutRequest: { Item: freshnessItem(freshness) } })), options.retry)).calls;
  return { written, unchanged, deleted, refused, ecosystems, writeCalls };
}

function needsWrite(plan: Planned, head: RecordHead | undefined): boolean {
  if (!head) return true;
  // A head from before aliases or ecosystem lists were indexed: the same record gets those items.
  if (head.hash === plan.encoded.hash) return head.aliases === undefined || head.ecosystems === undefined;
  // An older copy of a record (a stale mirror) never overwrites a newer one.
  const storedTime = Date.parse(head.modified);
  const offeredTime = Date.parse(plan.entry.record.modified);
  return !(storedTime > offeredTime);
}

function headOf(plan: Planned): RecordHead {
  const { record } = plan.entry;
  return { id: record.id, modified: record.modified, hash: plan.encoded.hash, parts: plan.encoded.chunks.length, partitions: plan.partitions, aliases: plan.aliases, ecosystems: plan.bases };
}

/** Every item a head says its record has: chunks under each package, an item per alias and per base ecosystem. */
export function staleKeys(head: RecordHead): { pk: string; sk: string }[] {
  const chunks = head.partitions.flatMap((pk) => Array.from({ length: head.parts }, (_, part) => ({ pk, sk: recordChunkSk(head.id, part) })));
  return [...chunks, ...(head.aliases ?? []).map((alias) => ({ pk: aliasPk(alias), sk: aliasSk(head.id) })), ...(head.ecosystems ?? []).map((base) => ({ pk: ecosystemIdsPk(base), sk: aliasSk(head.id) }))];
}

function freshnessOf(accepted: readonly Planned[], source: string, loadedAt: string): EcosystemFreshness[] {
  const byEcosystem = new Map<string, { records: number; cursor?: string }>();
  for (const { entry } of accepted) {
    for (const ecosystem of recordEcosystems(entry.record)) {
      const seen = byEcosystem.get(ecosystem) ?? { records: 0 };
      seen.records++;
      if (seen.cursor === undefined || Date.parse(entry.record.modified) > Date.parse(seen.cursor)) seen.cursor = entry.record.modified;
      byEcosystem.set(ecosystem, seen);
    }
  }
  return [...byEcosystem].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([ecosystem, seen]) => ({ ecosystem, loadedAt, records: seen.records, ...(seen.cursor !== undefined ? { cursor: seen.cursor } : {}), source }));
}
