import { messageOf } from '../errors.ts';
import { osvRecordSchema, type OsvRecord } from './osv-schema.ts';

export type ParsedOsvRecord = { readonly ok: true; readonly record: OsvRecord } | { readonly ok: false; readonly reason: string };

/** Reads one record's bytes. Never throws: a bad record is a reason, so one file cannot stop a load. */
export function parseOsvRecord(bytes: Uint8Array, maxBytes: number): ParsedOsvRecord {
  if (bytes.byteLength > maxBytes) return { ok: false, reason: `record is ${bytes.byteLength} bytes, over the ${maxBytes}-byte cap` };
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    return { ok: false, reason: `not JSON: ${messageOf(error)}` };
  }
  const result = osvRecordSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'record';
    return { ok: false, reason: `not an OSV record: ${where}: ${issue?.message ?? 'invalid'}` };
  }
  return { ok: true, record: result.data };
}
