import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { osvRecordSchema, type OsvRecord } from '../../core/advisories/osv-schema.ts';
import { CustomsError, messageOf } from '../../core/errors.ts';

/**
 * A record as the advisory table holds it: its JSON, gzipped (OSV JSON shrinks 4-8x, and items are
 * billed by size), split into chunks when even that is over what one item may carry.
 */
export interface EncodedRecord {
  /** sha256 of the record JSON and its source: equal hashes mean nothing to rewrite. */
  readonly hash: string;
  readonly chunks: readonly Uint8Array[];
  /** Bytes of the JSON before compression, for reports. */
  readonly jsonBytes: number;
}

/** Payload per item: 400 KB less room for keys (≤ 3 KB), the source path and attribute names. */
export const MAX_CHUNK_BYTES = 380_000;

export function encodeRecord(record: OsvRecord, source: string, chunkBytes: number = MAX_CHUNK_BYTES): EncodedRecord {
  const json = Buffer.from(JSON.stringify(record), 'utf8');
  const hash = createHash('sha256').update(json).update('\0').update(source).digest('hex');
  const gzipped = gzipSync(json, { level: 9 });
  const chunks: Uint8Array[] = [];
  for (let offset = 0; offset < gzipped.byteLength || chunks.length === 0; offset += chunkBytes) chunks.push(gzipped.subarray(offset, offset + chunkBytes));
  return { hash, chunks, jsonBytes: json.byteLength };
}

// Without `stream`, decode keeps no state between calls, so one decoder serves every record.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads a record back from its chunks. The table is not trusted: the inflated size is capped (a
 * gzip bomb cannot exhaust the Lambda) and the JSON must pass the same OSV schema a file must.
 */
export function decodeRecord(chunks: readonly Uint8Array[], maxRecordBytes: number, where: string): OsvRecord {
  let json: unknown;
  try {
    // Most records are one chunk: inflated in place rather than copied first.
    const bytes = gunzipSync(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks), { maxOutputLength: maxRecordBytes });
    json = JSON.parse(strictUtf8.decode(bytes));
  } catch (error) {
    throw new CustomsError('malformed', `advisory table: ${where} is not a readable record: ${messageOf(error)}`);
  }
  const result = osvRecordSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new CustomsError('malformed', `advisory table: ${where} is not an OSV record: ${issue?.path.join('.') || 'record'}: ${issue?.message ?? 'invalid'}`);
  }
  return result.data;
}
