import type { OsvRecord } from '../../core/advisories/osv-schema.ts';
import { aliasPk, MAX_PARTITION_KEY_BYTES, recordAliases, MAX_SORT_KEY_BYTES, recordChunkSk, recordHeadPk, recordPartitions, utf8Bytes } from './advisory-keys.ts';
import type { EncodedRecord } from './advisory-record-codec.ts';

/**
 * Packages one record may name. Ubuntu's kernel notices name a few hundred; more is a record built
 * to multiply writes (each package gets its own copy) or to overflow the head item.
 */
export const MAX_PACKAGES_PER_RECORD = 2_000;
/** Aliases one record may have an `ALIAS#` item for: real records have a handful; more is built to multiply writes. */
export const MAX_ALIASES_PER_RECORD = 1_000;
/** Bytes of package keys and aliases a record's head item lists; it must stay under 400 KB. */
export const MAX_HEAD_PARTITION_BYTES = 300_000;
/** Chunks per record: 4 MiB of compressed JSON, the largest record file the loaders accept. */
export const MAX_CHUNKS_PER_RECORD = 11;

export type Refusal = { readonly ok: true; readonly partitions: readonly string[]; readonly aliases: readonly string[] } | { readonly ok: false; readonly reason: string };

/** Whether a record fits the table's keys and limits, with the partitions it will be stored under. */
export function refusalOf(record: OsvRecord, encoded: EncodedRecord): Refusal {
  if (utf8Bytes(recordChunkSk(record.id, 0)) > MAX_SORT_KEY_BYTES || utf8Bytes(recordHeadPk(record.id)) > MAX_PARTITION_KEY_BYTES) {
    return { ok: false, reason: `refused: an id of ${utf8Bytes(record.id)} bytes is too long for a table key` };
  }
  // A withdrawn record is matched by nothing, so it is stored under no package (its head still
  // records it, and deletes the items of the version it replaces).
  const partitions = record.withdrawn !== undefined ? [] : recordPartitions(record);
  if (partitions.length > MAX_PACKAGES_PER_RECORD) return { ok: false, reason: `refused: names ${partitions.length} packages, over the ${MAX_PACKAGES_PER_RECORD}-package cap` };
  const long = partitions.find((partition) => utf8Bytes(partition) > MAX_PARTITION_KEY_BYTES);
  if (long !== undefined) return { ok: false, reason: `refused: a package key of ${utf8Bytes(long)} bytes is over DynamoDB's ${MAX_PARTITION_KEY_BYTES}-byte partition key limit` };
  // Likewise a withdrawn record resolves from no alias: it affects nothing.
  const aliases = record.withdrawn !== undefined ? [] : recordAliases(record);
  if (aliases.length > MAX_ALIASES_PER_RECORD) return { ok: false, reason: `refused: has ${aliases.length} aliases, over the ${MAX_ALIASES_PER_RECORD}-alias cap` };
  const longAlias = aliases.find((alias) => utf8Bytes(aliasPk(alias)) > MAX_PARTITION_KEY_BYTES);
  if (longAlias !== undefined) return { ok: false, reason: `refused: an alias of ${utf8Bytes(longAlias)} bytes is too long for a table key` };
  const headBytes = [...partitions, ...aliases].reduce((sum, key) => sum + utf8Bytes(key), 0);
  if (headBytes > MAX_HEAD_PARTITION_BYTES) return { ok: false, reason: `refused: its package keys and aliases add up to ${headBytes} bytes, more than one item can list` };
  if (encoded.chunks.length > MAX_CHUNKS_PER_RECORD) return { ok: false, reason: `refused: ${encoded.chunks.length} chunks compressed, over the ${MAX_CHUNKS_PER_RECORD}-chunk cap` };
  return { ok: true, partitions, aliases };
}
