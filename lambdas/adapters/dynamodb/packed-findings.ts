import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import type { Digest } from '../../core/digest.ts';
import type { StoredFinding } from '../../core/pipeline/model.ts';
import { messageOf } from '../../core/errors.ts';
import { findingsChunkSk } from './findings-keys.ts';
import { storedFindingSchema, toStoredFindingEntry, type StoredFindingEntry } from './scan-items.ts';

/**
 * A save's raw findings as one gzipped JSON document, split into chunk items in the digest's
 * partition (`FINDINGS#<token>#<nnn>`), so a scan's writes grow with its bytes (about 60 bytes of
 * gzip a finding), not with its finding count (a write unit at least each). The result item names
 * the token, the chunk count and the document's sha256; a reader takes exactly those chunks and
 * checks the hash before inflating.
 */

/** Payload per chunk: with keys and attribute names an item stays under ~350 KB (DynamoDB's cap is 400 KB). */
export const FINDINGS_CHUNK_BYTES = 340 * 1024;
/** Largest inflated document read back: ~40 times the bench's 1,400-finding npm image. */
export const MAX_FINDINGS_DOCUMENT_BYTES = 64 * 1024 * 1024;

/** What the result item records of its packed findings. */
export interface PackedFindingsRef {
  readonly chunks: number;
  readonly sha256: string;
  /** Gzipped bytes, for sizes and reports. */
  readonly bytes: number;
}

export interface PackedFindings {
  readonly ref: PackedFindingsRef;
  readonly items: readonly Record<string, unknown>[];
}

const documentSchema = z.object({ findings: z.array(storedFindingSchema) });
const chunkSchema = z.object({ sk: z.string(), token: z.string(), part: z.number().int().nonnegative(), parts: z.number().int().nonnegative(), sha256: z.string(), data: z.instanceof(Uint8Array) });

/** The committed findings of a digest cannot be read: not the image's fault, so never a FAILED scan. */
export class UnreadableFindingsError extends Error {
  override readonly name = 'UnreadableFindingsError';
}

/** No findings, no chunks: a scan with none writes only its result. */
export function packFindings(pk: string, token: string, findings: readonly StoredFinding[], chunkBytes = FINDINGS_CHUNK_BYTES): PackedFindings {
  if (findings.length === 0) return { ref: { chunks: 0, sha256: sha256Of(new Uint8Array()), bytes: 0 }, items: [] };
  const document: { findings: StoredFindingEntry[] } = { findings: findings.map(toStoredFindingEntry) };
  const gzipped = gzipSync(JSON.stringify(document), { level: 9 });
  const chunks = Math.ceil(gzipped.byteLength / chunkBytes);
  const sha256 = sha256Of(gzipped);
  const items = Array.from({ length: chunks }, (_, part) => ({ pk, sk: findingsChunkSk(token, part), token, part, parts: chunks, sha256, data: gzipped.subarray(part * chunkBytes, (part + 1) * chunkBytes) }));
  return { ref: { chunks, sha256, bytes: gzipped.byteLength }, items };
}

/**
 * The findings of a committed save from its chunk items (any order, others ignored). Anything but
 * exactly the named chunks hashing to the named sha256 and inflating to a valid document is an
 * error naming the digest, never an empty or partial list.
 */
export function unpackFindings(digest: Digest, token: string, ref: Pick<PackedFindingsRef, 'chunks' | 'sha256'>, items: readonly Record<string, unknown>[], maxBytes = MAX_FINDINGS_DOCUMENT_BYTES): StoredFinding[] {
  if (ref.chunks === 0) return [];
  const unreadable = (what: string, cause?: unknown) => new UnreadableFindingsError(`findings of ${digest} (save ${token}) ${what}`, cause === undefined ? undefined : { cause });
  const parts: Uint8Array[] = [];
  for (let part = 0; part < ref.chunks; part++) {
    const sk = findingsChunkSk(token, part);
    const item = items.find((candidate) => candidate.sk === sk);
    if (!item) throw unreadable(`miss chunk ${part} of ${ref.chunks}`);
    const chunk = chunkSchema.safeParse(item);
    if (!chunk.success || chunk.data.token !== token || chunk.data.part !== part || chunk.data.parts !== ref.chunks || chunk.data.sha256 !== ref.sha256) throw unreadable(`have a malformed chunk ${part}`);
    parts.push(chunk.data.data);
  }
  const gzipped = Buffer.concat(parts);
  if (sha256Of(gzipped) !== ref.sha256) throw unreadable('do not match the sha256 their result names (altered?)');
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(gunzipSync(gzipped, { maxOutputLength: maxBytes })));
  } catch (error) {
    throw unreadable(`are not readable JSON within ${maxBytes} bytes: ${messageOf(error)}`, error);
  }
  const parsed = documentSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw unreadable(`are not findings: ${issue?.path.join('.') || 'document'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data.findings;
}

function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
