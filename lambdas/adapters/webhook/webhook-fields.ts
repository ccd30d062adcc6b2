import { createHash } from 'node:crypto';
import { isDigest, type Digest } from '../../core/digest.ts';
import type { ImageEvent, ImageEventKind } from '../../core/pipeline/image-event.ts';

/**
 * What every registry webhook family is checked against before an ImageEvent is made: names as the
 * OCI distribution spec allows them, digests as core/digest.ts does, times as RFC 3339. A field that
 * fails is a rejection naming it (truncated), never an event with a doubtful name in it.
 */

/** One entry of a payload that asked for a scan or deletion but could not be read. */
export interface WebhookRejection {
  /** The entry's position in the payload's list (events[], resources[]); 0 for a single-event payload. */
  readonly index: number;
  readonly reason: string;
}

export interface WebhookParseResult {
  readonly events: ImageEvent[];
  readonly rejected: WebhookRejection[];
}

export interface WebhookOptions {
  /** The registry's account as ImageEvents name it (registries without accounts name one). */
  readonly account: string;
  readonly region: string;
}

// The distribution spec's repository name grammar; 255 characters is what registries commonly cap at.
const REPOSITORY = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

/** Manifest and index media types: a push of anything else is a blob and asks nothing. */
export const MANIFEST_MEDIA_TYPES: ReadonlySet<string> = new Set([
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.artifact.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v1+prettyjws',
]);

export type FieldCheck<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

export function checkRepository(value: string): FieldCheck<string> {
  return value.length <= 255 && REPOSITORY.test(value) ? { ok: true, value } : { ok: false, reason: `repository ${quoted(value)} is not a valid repository name` };
}

export function checkTag(value: string): FieldCheck<string> {
  return TAG.test(value) ? { ok: true, value } : { ok: false, reason: `tag ${quoted(value)} is not a valid tag` };
}

export function checkDigest(value: string): FieldCheck<Digest> {
  return isDigest(value) ? { ok: true, value } : { ok: false, reason: `digest ${quoted(value)} is not a valid sha256 or sha512 digest` };
}

export function checkTime(value: string): FieldCheck<string> {
  return RFC3339.test(value) && !Number.isNaN(Date.parse(value)) ? { ok: true, value } : { ok: false, reason: `time ${quoted(value)} is not an RFC 3339 timestamp` };
}

/** An entry's identity when the payload gives none: the same entry always hashes to the same ID. */
export function stableEventId(family: string, entry: unknown): string {
  return `${family}-${createHash('sha256').update(canonicalJson(entry)).digest('hex').slice(0, 32)}`;
}

export interface EventFields {
  readonly kind: ImageEventKind;
  readonly eventId: string;
  readonly repository: string;
  readonly digest: string;
  readonly tag?: string | undefined;
  readonly time: string;
}

/** Checks the fields every family yields and builds the event, or says which field was wrong. */
export function imageEventOf(fields: EventFields, options: WebhookOptions): FieldCheck<ImageEvent> {
  const repository = checkRepository(fields.repository);
  if (!repository.ok) return repository;
  const digest = checkDigest(fields.digest);
  if (!digest.ok) return digest;
  const time = checkTime(fields.time);
  if (!time.ok) return time;
  if (fields.tag !== undefined && fields.tag !== '') {
    const tag = checkTag(fields.tag);
    if (!tag.ok) return tag;
  }
  const tag = fields.tag === undefined || fields.tag === '' ? {} : { tag: fields.tag };
  return {
    ok: true,
    value: { kind: fields.kind, eventId: fields.eventId, account: options.account, region: options.region, repository: repository.value, digest: digest.value, ...tag, time: time.value },
  };
}

/** A zod issue list as one line. */
export function issuesLine(issues: readonly { readonly path: readonly PropertyKey[]; readonly message: string }[]): string {
  return issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length > 0 ? issue.path.map(String).join('.') : 'body'}: ${issue.message}`)
    .join('; ');
}

function quoted(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
