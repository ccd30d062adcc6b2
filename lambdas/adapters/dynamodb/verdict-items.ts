import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import type { Digest } from '../../core/digest.ts';
import { CustomsError, messageOf } from '../../core/errors.ts';
import type { ImageKey } from '../../core/pipeline/model.ts';
import { digestSchema } from '../../core/pipeline/sbom-schema.ts';
import type { AnnouncedVerdict, Verdict } from '../../core/pipeline/verdict-model.ts';
import type { PendingAnnouncement, StoredVerdict, VerdictWrite } from '../../core/ports.ts';
import {
  countsSchema,
  customsEventSchema,
  imageAlertSchema,
  isoDate,
  issueOf,
  modeSchema,
  platformVerdictSchema,
  severitySchema,
  verdictFindingSchema,
  verdictValueSchema,
} from './alert-item-schemas.ts';
import { imagePk } from './findings-keys.ts';

/**
 * Verdict items of the findings table, in the image's partition (`sk = VERDICT#<digest>`): the few
 * attributes queries and conditions need in plain sight, and everything bulky (the whole verdict,
 * the announced state, the pending announcement with its alert and events) as one gzipped JSON
 * document, checked against the schemas below (the alert and event ones in alert-item-schemas.ts)
 * when read back.
 */
export const VERDICT_PREFIX = 'VERDICT#';
export const verdictSk = (digest: Digest): string => `${VERDICT_PREFIX}${digest}`;

/** Largest packed document written: with the plain attributes an item stays well under DynamoDB's 400 KB. */
export const MAX_VERDICT_DOCUMENT_BYTES = 350 * 1024;
/** Largest inflated document read back (a capped verdict with its alert is a few hundred KB of JSON). */
export const MAX_VERDICT_JSON_BYTES = 16 * 1024 * 1024;

const DOCUMENT_VERSION = 1;

const verdictSuppressionSchema = z.object({
  key: z.string(),
  id: z.string(),
  packageName: z.string(),
  manifestDigest: digestSchema,
  severity: severitySchema,
  by: z.enum(['ignore', 'vex', 'unfixed', 'severity']),
  reason: z.string(),
  expires: z.string().optional(),
  vex: z.object({ status: z.string(), justification: z.string().optional(), document: z.string() }).optional(),
});

const verdictSchema = z.object({
  verdict: verdictValueSchema,
  reason: z.string().optional(),
  policyVersion: z.string(),
  policySource: z.string(),
  mode: modeSchema,
  failOn: severitySchema,
  counts: countsSchema,
  failingCount: z.number().int().nonnegative(),
  failingIds: z.array(z.string()),
  failing: z.array(verdictFindingSchema),
  worst: z.array(verdictFindingSchema),
  suppressedCount: z.number().int().nonnegative(),
  suppressions: z.array(verdictSuppressionSchema),
  platforms: z.array(platformVerdictSchema),
  reviewAt: isoDate.optional(),
  evaluatedAt: isoDate,
}) satisfies z.ZodType<Verdict, unknown>;

const announcedSchema = z.object({
  verdict: verdictValueSchema,
  failingIds: z.array(z.string()),
  policyVersion: z.string(),
  alertId: z.string().optional(),
  at: isoDate,
}) satisfies z.ZodType<AnnouncedVerdict, unknown>;

const pendingSchema = z.object({ alert: imageAlertSchema, events: z.array(customsEventSchema), announced: announcedSchema, createdAt: isoDate }) satisfies z.ZodType<PendingAnnouncement, unknown>;

/** The document names its own key, so one copied onto another item is refused, not read as that image's. */
const documentSchema = z.object({
  version: z.literal(DOCUMENT_VERSION),
  key: z.object({ account: z.string(), region: z.string(), repository: z.string(), digest: digestSchema }),
  verdict: verdictSchema,
  announced: announcedSchema.optional(),
  pending: pendingSchema.optional(),
});

/** The plain attributes as read back: those the document is checked against, and the document. */
const itemSchema = z.object({
  pk: z.string(),
  sk: z.string(),
  revision: z.number().int().positive(),
  verdict: verdictValueSchema,
  policyVersion: z.string(),
  pendingAlertId: z.string().optional(),
  announcedAlertId: z.string().optional(),
  announcedVerdict: verdictValueSchema.optional(),
  document: z.instanceof(Uint8Array),
});

/** A stored verdict that cannot be read as written: never taken as no verdict (that would re-announce). */
export class UnreadableVerdictError extends Error {
  override readonly name = 'UnreadableVerdictError';
}

/** Names an image state the way its key does, for errors. */
export function describeKey(key: ImageKey): string {
  return `verdict of ${key.account}/${key.region}/${key.repository}@${key.digest} (pk ${imagePk(key)}, sk ${verdictSk(key.digest)})`;
}

export interface PackedVerdict {
  readonly item: Record<string, unknown>;
  /** Gzipped document bytes, and the JSON they inflate to, for sizes and reports. */
  readonly documentBytes: number;
  readonly jsonBytes: number;
}

/**
 * The item for one write at `revision`. The JSON is checked against the read schema before it is
 * written, so nothing is stored that every later read would refuse; a document past
 * MAX_VERDICT_DOCUMENT_BYTES is refused (the verdict's caps keep it far below).
 */
export function packVerdict(key: ImageKey, write: VerdictWrite, revision: number): PackedVerdict {
  const { verdict, announced, pending } = write;
  const json = JSON.stringify({ version: DOCUMENT_VERSION, key: { account: key.account, region: key.region, repository: key.repository, digest: key.digest }, verdict, announced, pending });
  const checked = documentSchema.safeParse(JSON.parse(json));
  if (!checked.success) throw new CustomsError('malformed', `${describeKey(key)} is not writable: ${issueOf(checked.error)}`);
  const document = gzipSync(json, { level: 9 });
  if (document.byteLength > MAX_VERDICT_DOCUMENT_BYTES) {
    throw new CustomsError('limit', `${describeKey(key)} packs into ${document.byteLength} bytes, past the ${MAX_VERDICT_DOCUMENT_BYTES} a verdict item may hold (DynamoDB's cap is 400 KB); the verdict's finding caps should prevent this`);
  }
  const item: Record<string, unknown> = {
    pk: imagePk(key),
    sk: verdictSk(key.digest),
    type: 'verdict',
    account: key.account,
    region: key.region,
    repository: key.repository,
    digest: key.digest,
    verdict: verdict.verdict,
    policyVersion: verdict.policyVersion,
    failingCount: verdict.failingCount,
    counts: { ...verdict.counts },
    evaluatedAt: verdict.evaluatedAt.toISOString(),
    ...(verdict.reviewAt ? { reviewAt: verdict.reviewAt.toISOString() } : {}),
    revision,
    ...(pending ? { pendingAlertId: pending.alert.alertId } : {}),
    ...(announced ? { announcedVerdict: announced.verdict } : {}),
    ...(announced?.alertId !== undefined ? { announcedAlertId: announced.alertId } : {}),
    document,
  };
  return { item, documentBytes: document.byteLength, jsonBytes: Buffer.byteLength(json) };
}

/**
 * A verdict item as read back. Anything but a document that inflates, matches its schema, names
 * this key and agrees with the item's plain attributes is an UnreadableVerdictError naming the key.
 */
export function unpackVerdict(key: ImageKey, raw: Record<string, unknown>): StoredVerdict {
  const unreadable = (what: string, cause?: unknown) => new UnreadableVerdictError(`${describeKey(key)} ${what}`, cause === undefined ? undefined : { cause });
  const item = itemSchema.safeParse(raw);
  if (!item.success) throw unreadable(`is malformed: ${issueOf(item.error)}`);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(gunzipSync(item.data.document, { maxOutputLength: MAX_VERDICT_JSON_BYTES })));
  } catch (error) {
    throw unreadable(`has a document that is not gzipped JSON within ${MAX_VERDICT_JSON_BYTES} bytes: ${messageOf(error)}`, error);
  }
  const parsed = documentSchema.safeParse(json);
  if (!parsed.success) throw unreadable(`has a document that is not a verdict: ${issueOf(parsed.error)}`);
  const document = parsed.data;
  const mismatch = [
    document.key.account !== key.account || document.key.region !== key.region || document.key.repository !== key.repository || document.key.digest !== key.digest ? 'key' : undefined,
    document.verdict.verdict !== item.data.verdict ? 'verdict' : undefined,
    document.verdict.policyVersion !== item.data.policyVersion ? 'policyVersion' : undefined,
    document.pending?.alert.alertId !== item.data.pendingAlertId ? 'pendingAlertId' : undefined,
    document.announced?.verdict !== item.data.announcedVerdict ? 'announcedVerdict' : undefined,
    document.announced?.alertId !== item.data.announcedAlertId ? 'announcedAlertId' : undefined,
  ].filter((name) => name !== undefined);
  if (mismatch.length > 0) throw unreadable(`has a document that disagrees with the item on ${mismatch.join(', ')} (altered or copied?)`);
  return {
    key,
    verdict: document.verdict,
    ...(document.announced ? { announced: document.announced } : {}),
    ...(document.pending ? { pending: document.pending } : {}),
    revision: item.data.revision,
  };
}
