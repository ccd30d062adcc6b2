import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { OsvRecord } from '../../core/advisories/osv-schema.ts';
import { aliasPk, aliasSk, FRESHNESS_INDEX_PK, FRESHNESS_SK, freshnessPk, HEAD_SK, recordChunkSk, recordHeadPk } from './advisory-keys.ts';
import type { EncodedRecord } from './advisory-record-codec.ts';

type Item = Record<string, AttributeValue>;

/** What the loader last wrote for a record: enough to skip it unchanged or delete what it no longer names. */
export interface RecordHead {
  readonly id: string;
  readonly modified: string;
  readonly hash: string;
  readonly parts: number;
  readonly partitions: readonly string[];
  /** The aliases with an `ALIAS#` item pointing here; absent in a head written before aliases were indexed. */
  readonly aliases?: readonly string[];
  /** The base ecosystems with an `ECOIDS#` item listing it; absent in a head written before they were. */
  readonly ecosystems?: readonly string[];
}

export interface EcosystemFreshness {
  readonly ecosystem: string;
  /** When a load last finished writing this ecosystem's records (ISO 8601). */
  readonly loadedAt: string;
  /** Records of the ecosystem in that load's source. */
  readonly records: number;
  /** The newest `modified` among them: where an incremental sync resumes. */
  readonly cursor?: string;
  readonly source: string;
}

export function chunkItems(partition: string, record: OsvRecord, source: string, encoded: EncodedRecord): Item[] {
  return encoded.chunks.map((chunk, part) => ({
    pk: { S: partition },
    sk: { S: recordChunkSk(record.id, part) },
    id: { S: record.id },
    modified: { S: record.modified },
    source: { S: source },
    hash: { S: encoded.hash },
    part: { N: String(part) },
    parts: { N: String(encoded.chunks.length) },
    data: { B: chunk },
  }));
}

export function headItem(head: RecordHead): Item {
  return {
    pk: { S: recordHeadPk(head.id) },
    sk: { S: HEAD_SK },
    id: { S: head.id },
    modified: { S: head.modified },
    hash: { S: head.hash },
    parts: { N: String(head.parts) },
    partitions: { L: head.partitions.map((partition) => ({ S: partition })) },
    aliases: { L: (head.aliases ?? []).map((alias) => ({ S: alias })) },
    ...(head.ecosystems !== undefined ? { ecosystems: { L: head.ecosystems.map((base) => ({ S: base })) } } : {}),
  };
}

/** Keys only: the record id is in the sort key. */
export function aliasItem(alias: string, id: string): Item {
  return { pk: { S: aliasPk(alias) }, sk: { S: aliasSk(id) } };
}

/** A head as stored, or undefined when it is not one this loader wrote (then the record is rewritten). */
export function readHead(item: Item | undefined): RecordHead | undefined {
  const id = item?.id?.S;
  const modified = item?.modified?.S;
  const hash = item?.hash?.S;
  const parts = Number(item?.parts?.N);
  const partitions = item?.partitions?.L?.map((value) => value.S);
  const aliases = item?.aliases?.L?.map((value) => value.S);
  if (id === undefined || modified === undefined || hash === undefined || !Number.isInteger(parts) || !partitions || partitions.some((value) => value === undefined)) return undefined;
  const ecosystems = item?.ecosystems?.L?.map((value) => value.S);
  if (aliases?.some((value) => value === undefined) || ecosystems?.some((value) => value === undefined)) return undefined;
  return { id, modified, hash, parts, partitions: partitions as string[], ...(aliases ? { aliases: aliases as string[] } : {}), ...(ecosystems ? { ecosystems: ecosystems as string[] } : {}) };
}

export function freshnessItem(freshness: EcosystemFreshness): Item {
  return {
    pk: { S: freshnessPk(freshness.ecosystem) },
    sk: { S: FRESHNESS_SK },
    gsi1pk: { S: FRESHNESS_INDEX_PK },
    gsi1sk: { S: freshness.ecosystem },
    ecosystem: { S: freshness.ecosystem },
    loadedAt: { S: freshness.loadedAt },
    records: { N: String(freshness.records) },
    ...(freshness.cursor !== undefined ? { cursor: { S: freshness.cursor } } : {}),
    source: { S: freshness.source },
  };
}
