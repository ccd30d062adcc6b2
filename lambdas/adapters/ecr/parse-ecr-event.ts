import type { z } from 'zod';
import { isDigest } from '../../core/digest.ts';
import {
  CUSTOMS_BACKFILL_SOURCE,
  ecrEnvelopeSchema,
  imageActionDetailSchema,
  pullThroughCacheDetailSchema,
  replicationActionDetailSchema,
  type EcrEnvelope,
} from './ecr-event-schemas.ts';
import type { ParsedRecord, RecordRejection, EcrImageEvent, EcrImageEventKind } from './ecr-image-event.ts';

/**
 * An SQS record body (an EventBridge event from ECR) to the image event it reports, or a rejection saying what
 * was wrong. Never throws: one bad record must not fail the batch it came in.
 */
export function parseEcrEvent(body: string): ParsedRecord {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return reject('malformed', 'record body is not JSON');
  }
  const envelope = ecrEnvelopeSchema.safeParse(json);
  if (!envelope.success) return reject('malformed', `not an EventBridge event from ECR: ${describeIssues(envelope.error)}`);
  const event = envelope.data;
  // Customs' own requests are pushes and nothing else: the handler treats them exactly as ECR's.
  if (event.source === CUSTOMS_BACKFILL_SOURCE && event['detail-type'] !== 'ECR Image Action') {
    return reject('malformed', `a ${CUSTOMS_BACKFILL_SOURCE} event must be an ECR Image Action, not ${JSON.stringify(event['detail-type'])}`);
  }
  switch (event['detail-type']) {
    case 'ECR Image Action':
      return imageAction(event);
    case 'ECR Replication Action':
      return replicationAction(event);
    case 'ECR Pull Through Cache Action':
      return pullThroughCache(event);
    default:
      return reject('not-a-push', `ECR event ${JSON.stringify(event['detail-type'])} brings no image to scan`);
  }
}

function imageAction(event: EcrEnvelope): ParsedRecord {
  const parsed = imageActionDetailSchema.safeParse(event.detail);
  if (!parsed.success) return malformedDetail(event, parsed.error);
  const detail = parsed.data;
  const action = detail['action-type'];
  const where = { repository: detail['repository-name'], digest: detail['image-digest'] };
  if (action !== 'PUSH' && action !== 'DELETE') return reject('not-a-push', `ECR Image Action ${action} is neither a PUSH nor a DELETE`, where);
  if (event.source === CUSTOMS_BACKFILL_SOURCE && action !== 'PUSH') return reject('malformed', `a ${CUSTOMS_BACKFILL_SOURCE} event must be a PUSH, not ${action}`, where);
  if (detail.result !== 'SUCCESS') return reject('failed-action', `ECR Image Action ${action} has result ${detail.result}`, where);
  return accept(event, action === 'PUSH' ? 'push' : 'delete', detail['image-digest'], {
    repository: detail['repository-name'],
    tag: detail['image-tag'],
    manifestMediaType: detail['manifest-media-type'],
    artifactMediaType: detail['artifact-media-type'],
  });
}

function replicationAction(event: EcrEnvelope): ParsedRecord {
  const parsed = replicationActionDetailSchema.safeParse(event.detail);
  if (!parsed.success) return malformedDetail(event, parsed.error);
  const detail = parsed.data;
  const where = { repository: detail['repository-name'], digest: detail['image-digest'] };
  if (detail['action-type'] !== 'REPLICATE') return reject('not-a-push', `ECR Replication Action ${detail['action-type']} is not a REPLICATE`, where);
  if (detail.result !== 'SUCCESS') return reject('failed-action', `ECR Replication Action has result ${detail.result}`, where);
  return accept(event, 'replication', detail['image-digest'], { repository: detail['repository-name'], tag: detail['image-tag'] });
}

function pullThroughCache(event: EcrEnvelope): ParsedRecord {
  const parsed = pullThroughCacheDetailSchema.safeParse(event.detail);
  if (!parsed.success) return malformedDetail(event, parsed.error);
  const detail = parsed.data;
  const where = { repository: detail['repository-name'], ...(detail['image-digest'] ? { digest: detail['image-digest'] } : {}) };
  if (detail['sync-status'] !== 'SUCCESS') {
    const why = detail['failure-code'] ? ` (${detail['failure-code']})` : '';
    return reject('failed-action', `ECR Pull Through Cache Action has sync-status ${detail['sync-status']}${why}`, where);
  }
  if (!detail['image-digest']) return reject('malformed', 'ECR Pull Through Cache Action detail: image-digest is missing', where);
  return accept(event, 'pull-through-cache', detail['image-digest'], { repository: detail['repository-name'], tag: detail['image-tag'] });
}

interface RequestFields {
  readonly repository: string;
  readonly tag: string | undefined;
  readonly manifestMediaType?: string | undefined;
  readonly artifactMediaType?: string | undefined;
}

function accept(event: EcrEnvelope, kind: EcrImageEventKind, digest: string, fields: RequestFields): ParsedRecord {
  if (!isDigest(digest)) {
    return reject('malformed', `${event['detail-type']} detail: image-digest ${JSON.stringify(digest.slice(0, 80))} is not a valid sha256 or sha512 digest`, {
      repository: fields.repository,
    });
  }
  const image: EcrImageEvent = {
    kind,
    eventId: event.id,
    account: event.account,
    region: event.region,
    repository: fields.repository,
    digest,
    ...(fields.tag !== undefined ? { tag: fields.tag } : {}),
    time: event.time,
    ...(fields.manifestMediaType !== undefined ? { manifestMediaType: fields.manifestMediaType } : {}),
    ...(fields.artifactMediaType !== undefined ? { artifactMediaType: fields.artifactMediaType } : {}),
  };
  return { ok: true, event: image };
}

function malformedDetail(event: EcrEnvelope, error: z.ZodError): ParsedRecord {
  return reject('malformed', `${event['detail-type']} detail: ${describeIssues(error)}`);
}

function reject(reason: RecordRejection['reason'], message: string, where: { repository?: string; digest?: string } = {}): ParsedRecord {
  return { ok: false, rejection: { reason, message, ...where } };
}

/** zod's issues as one line: `detail.image-tag: not an image tag; account: …`. */
function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'body'}: ${issue.message}`)
    .join('; ');
}
