import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import type { Digest } from '../../core/digest.ts';
import { CustomsError, messageOf } from '../../core/errors.ts';
import type { ImageKey } from '../../core/pipeline/model.ts';
import type { EnforcedVerdict, QuarantineRecord, ReleaseRecord, RemovedTag } from '../../core/pipeline/quarantine-model.ts';
import { digestSchema } from '../../core/pipeline/sbom-schema.ts';
import type { PendingQuarantineAlert, StoredQuarantine } from '../../core/ports.ts';
import {
  customsEventSchema,
  imageAlertSchema,
  isoDate,
  issueOf,
  keptTagSchema,
  quarantineMethodSchema,
  quarantineStateSchema,
  quarantineTriggerSchema,
  quarantineWarningSchema,
  releaseTriggerSchema,
  severitySchema,
  storageStatusSchema,
} from './alert-item-schemas.ts';
import { imagePk } from './findings-keys.ts';

/**
 * Quarantine items of the findings table, in the image's partition next to its verdict:
 * - the current record, `sk = QUARANTINE#<digest>`: plain attributes for conditions and a future
 *   projection (revision, id, state, method, updatedAt, pendingAlertId), the record as one gzipped
 *   JSON `document`, and the pending alert (the outbox) as a second gzipped `pendingDocument`, so
 *   a confirm is one conditional UpdateItem that removes it without rewriting the record;
 * - history, `sk = QLOG#<digest>#<startedAt ISO>#<id>`: a record a later quarantine (new id)
 *   replaced, written in the same transaction as its replacement; oldest first in sort order.
 * Neither prefix starts another in the partition (DIGEST#, TAG#, TAGLOG#, VERDICT#).
 */
export const QUARANTINE_PREFIX = 'QUARANTINE#';
export const QUARANTINE_LOG_PREFIX = 'QLOG#';
export const quarantineSk = (digest: Digest): string => `${QUARANTINE_PREFIX}${digest}`;
export const quarantineLogPrefix = (digest: Digest): string => `${QUARANTINE_LOG_PREFIX}${digest}#`;
export const quarantineLogSk = (digest: Digest, startedAt: Date, id: string): string => `${quarantineLogPrefix(digest)}${startedAt.toISOString()}#${id}`;

/** Largest record and pending documents written together (gzipped): the item stays well under DynamoDB's 400 KB. */
export const MAX_QUARANTINE_DOCUMENT_BYTES = 350 * 1024;
/** Largest inflated document read back. */
export const MAX_QUARANTINE_JSON_BYTES = 16 * 1024 * 1024;

const DOCUMENT_VERSION = 1;

const imageKeySchema = z.object({ account: z.string(), region: z.string(), repository: z.string(), digest: digestSchema }) satisfies z.ZodType<ImageKey, unknown>;

const enforcedVerdictSchema = z.object({
  policyVersion: z.string(),
  policySource: z.string(),
  failOn: severitySchema,
  failingCount: z.number().int().nonnegative(),
  failingIds: z.array(z.string()),
  reason: z.string().optional(),
  evaluatedAt: isoDate,
}) satisfies z.ZodType<EnforcedVerdict, unknown>;

const removedTagSchema = z.object({ tag: z.string(), removedAt: isoDate }) satisfies z.ZodType<RemovedTag, unknown>;

const releaseSchema = z.object({
  by: z.string(),
  reason: z.string(),
  trigger: releaseTriggerSchema,
  requestedAt: isoDate,
  failingIds: z.array(z.string()),
  restoredTags: z.array(z.string()),
  keptTags: z.array(keptTagSchema),
  markerRemoved: z.boolean(),
  storage: storageStatusSchema.optional(),
  releasedAt: isoDate.optional(),
}) satisfies z.ZodType<ReleaseRecord, unknown>;

const recordSchema = z.object({
  key: imageKeySchema,
  id: z.string().min(1),
  state: quarantineStateSchema,
  method: quarantineMethodSchema,
  trigger: quarantineTriggerSchema,
  verdict: enforcedVerdictSchema,
  startedAt: isoDate,
  marker: z.string().optional(),
  removing: z.array(z.string()),
  removedTags: z.array(removedTagSchema),
  keptTags: z.array(keptTagSchema),
  storage: storageStatusSchema.optional(),
  quarantinedAt: isoDate.optional(),
  warnings: z.array(quarantineWarningSchema),
  skippedReason: z.string().optional(),
  release: releaseSchema.optional(),
  updatedAt: isoDate,
}) satisfies z.ZodType<QuarantineRecord, unknown>;

const pendingSchema = z.object({ alert: imageAlertSchema, events: z.array(customsEventSchema), createdAt: isoDate }) satisfies z.ZodType<PendingQuarantineAlert, unknown>;

/** `item` tells a current record from a history entry, so neither is read as the other. */
const recordDocumentSchema = z.object({ version: z.literal(DOCUMENT_VERSION), item: z.enum(['current', 'log']), record: recordSchema });
/** Names the image and the record it belongs to, so a pending alert copied from elsewhere is refused. */
const pendingDocumentSchema = z.object({ version: z.literal(DOCUMENT_VERSION), key: imageKeySchema, recordId: z.string(), pending: pendingSchema });

const currentItemSchema = z.object({
  pk: z.string(),
  sk: z.string(),
  revision: z.number().int().positive(),
  id: z.string(),
  state: quarantineStateSchema,
  method: quarantineMethodSchema,
  updatedAt: z.string(),
  pendingAlertId: z.string().optional(),
  document: z.instanceof(Uint8Array),
  pendingDocument: z.instanceof(Uint8Array).optional(),
});

const logItemSchema = z.object({ pk: z.string(), sk: z.string(), id: z.string(), document: z.instanceof(Uint8Array) });

/** A stored quarantine that cannot be read as written: never taken as no quarantine (that would quarantine again). */
export class UnreadableQuarantineError extends Error {
  override readonly name = 'UnreadableQuarantineError';
}

/** Names an image's quarantine item the way its key does, for errors. */
export function describeQuarantineKey(key: ImageKey, sk = quarantineSk(key.digest)): string {
  return `quarantine of ${key.account}/${key.region}/${key.repository}@${key.digest} (pk ${imagePk(key)}, sk ${sk})`;
}

export interface QuarantineWrite {
  readonly record: QuarantineRecord;
  readonly pending?: PendingQuarantineAlert;
}

/**
 * The current item for one write at `revision`. Both documents are checked against the read
 * schemas before anything is written, so nothing is stored that every later read would refuse.
 */
export function packQuarantine(key: ImageKey, write: QuarantineWrite, revision: number): Record<string, unknown> {
  const { record, pending } = write;
  refuseOtherKey(key, record);
  const document = packDocument(key, recordDocumentSchema, { version: DOCUMENT_VERSION, item: 'current', record });
  const pendingDocument = pending ? packDocument(key, pendingDocumentSchema, { version: DOCUMENT_VERSION, key: plainKey(key), recordId: record.id, pending }) : undefined;
  const bytes = document.byteLength + (pendingDocument?.byteLength ?? 0);
  if (bytes > MAX_QUARANTINE_DOCUMENT_BYTES) {
    throw new CustomsError('limit', `${describeQuarantineKey(key)} packs into ${bytes} bytes, past the ${MAX_QUARANTINE_DOCUMENT_BYTES} a quarantine item may hold (DynamoDB's cap is 400 KB)`);
  }
  return {
    pk: imagePk(key),
    sk: quarantineSk(key.digest),
    type: 'quarantine',
    ...plainKey(key),
    id: record.id,
    revision,
    state: record.state,
    method: record.method,
    trigger: record.trigger,
    startedAt: record.startedAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
    ...(pending ? { pendingAlertId: pending.alert.alertId } : {}),
    document,
    ...(pendingDocument ? { pendingDocument } : {}),
  };
}

/** The history item keeping a record a later quarantine replaced. */
export function packQuarantineLog(key: ImageKey, record: QuarantineRecord): Record<string, unknown> {
  refuseOtherKey(key, record);
  const sk = quarantineLogSk(key.digest, record.startedAt, record.id);
  return {
    pk: imagePk(key),
    sk,
    type: 'quarantine-log',
    ...plainKey(key),
    id: record.id,
    state: record.state,
    startedAt: record.startedAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
    document: packDocument(key, recordDocumentSchema, { version: DOCUMENT_VERSION, item: 'log', record }, sk),
  };
}

/**
 * A current item as read back. Anything but documents that inflate, match their schemas, name this
 * key (and the pending one this record) and agree with the plain attributes is an
 * UnreadableQuarantineError naming the key.
 */
export function unpackQuarantine(key: ImageKey, raw: Record<string, unknown>): StoredQuarantine {
  const unreadable = unreadableFor(key, quarantineSk(key.digest));
  const item = currentItemSchema.safeParse(raw);
  if (!item.success) throw unreadable(`is malformed: ${issueOf(item.error)}`);
  const { record, item: kind } = readDocument(item.data.document, recordDocumentSchema, unreadable, 'a quarantine record');
  const pending = item.data.pendingDocument ? readDocument(item.data.pendingDocument, pendingDocumentSchema, unreadable, 'a pending quarantine alert') : undefined;
  const mismatch = [
    item.data.pk !== imagePk(key) || item.data.sk !== quarantineSk(key.digest) || !sameKey(record.key, key) ? 'key' : undefined,
    kind !== 'current' ? 'item' : undefined,
    record.id !== item.data.id ? 'id' : undefined,
    record.state !== item.data.state ? 'state' : undefined,
    record.method !== item.data.method ? 'method' : undefined,
    record.updatedAt.toISOString() !== item.data.updatedAt ? 'updatedAt' : undefined,
    pending !== undefined && (!sameKey(pending.key, key) || pending.recordId !== record.id) ? 'pending key' : undefined,
    pending?.pending.alert.alertId !== item.data.pendingAlertId ? 'pendingAlertId' : undefined,
  ].filter((name) => name !== undefined);
  if (mismatch.length > 0) throw unreadable(`has a document that disagrees with the item on ${mismatch.join(', ')} (altered or copied?)`);
  return { record, ...(pending ? { pending: pending.pending } : {}), revision: item.data.revision };
}

/** A history item as read back, checked as the current one is (its sort key names its record). */
export function unpackQuarantineLog(key: ImageKey, raw: Record<string, unknown>): QuarantineRecord {
  const sk = typeof raw.sk === 'string' ? raw.sk : quarantineLogPrefix(key.digest);
  const unreadable = unreadableFor(key, sk);
  const item = logItemSchema.safeParse(raw);
  if (!item.success) throw unreadable(`is malformed: ${issueOf(item.error)}`);
  const { record, item: kind } = readDocument(item.data.document, recordDocumentSchema, unreadable, 'a quarantine record');
  const mismatch = [
    item.data.pk !== imagePk(key) || !sameKey(record.key, key) ? 'key' : undefined,
    kind !== 'log' ? 'item' : undefined,
    record.id !== item.data.id ? 'id' : undefined,
    item.data.sk !== quarantineLogSk(key.digest, record.startedAt, record.id) ? 'sk' : undefined,
  ].filter((name) => name !== undefined);
  if (mismatch.length > 0) throw unreadable(`has a document that disagrees with the item on ${mismatch.join(', ')} (altered or copied?)`);
  return record;
}

/** The digest a current item's sort key names (list reads a partition, not one key). */
export function digestOfQuarantineSk(repository: Omit<ImageKey, 'digest'>, sk: unknown): Digest {
  const digest = digestSchema.safeParse(typeof sk === 'string' && sk.startsWith(QUARANTINE_PREFIX) ? sk.slice(QUARANTINE_PREFIX.length) : undefined);
  if (!digest.success) throw new UnreadableQuarantineError(`quarantine item of ${repository.account}/${repository.region}/${repository.repository} (pk ${imagePk(repository)}, sk ${String(sk)}) has a sort key that names no digest`);
  return digest.data;
}

function packDocument<T extends z.ZodType>(key: ImageKey, schema: T, value: unknown, sk?: string): Uint8Array {
  const json = JSON.stringify(value);
  const checked = schema.safeParse(JSON.parse(json));
  if (!checked.success) throw new CustomsError('malformed', `${describeQuarantineKey(key, sk)} is not writable: ${issueOf(checked.error)}`);
  return gzipSync(json, { level: 9 });
}

function readDocument<T extends z.ZodType>(bytes: Uint8Array, schema: T, unreadable: (what: string, cause?: unknown) => Error, what: string): z.output<T> {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(gunzipSync(bytes, { maxOutputLength: MAX_QUARANTINE_JSON_BYTES })));
  } catch (error) {
    throw unreadable(`has a document that is not gzipped JSON within ${MAX_QUARANTINE_JSON_BYTES} bytes: ${messageOf(error)}`, error);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw unreadable(`has a document that is not ${what}: ${issueOf(parsed.error)}`);
  return parsed.data;
}

function unreadableFor(key: ImageKey, sk: string): (what: string, cause?: unknown) => UnreadableQuarantineError {
  return (what, cause) => new UnreadableQuarantineError(`${describeQuarantineKey(key, sk)} ${what}`, cause === undefined ? undefined : { cause });
}

function refuseOtherKey(key: ImageKey, record: QuarantineRecord): void {
  if (!sameKey(record.key, key)) throw new CustomsError('usage', `${describeQuarantineKey(key)}: the record names ${record.key.account}/${record.key.region}/${record.key.repository}@${record.key.digest}`);
}

function plainKey(key: ImageKey): ImageKey {
  return { account: key.account, region: key.region, repository: key.repository, digest: key.digest };
}

function sameKey(a: ImageKey, b: ImageKey): boolean {
  return a.account === b.account && a.region === b.region && a.repository === b.repository && a.digest === b.digest;
}
