import type { EcrImageDetails } from '../../adapters/ecr/ecr-image-reader.ts';
import type { EcrImageEvent } from '../../adapters/ecr/ecr-image-event.ts';
import type { ImageKey, ScanRequest } from '../../core/pipeline/model.ts';

/**
 * What one event comes to once ECR has been asked what it holds now. Events are hints, at least
 * once and unordered: a push whose tag has since moved on records no tag, a push of a digest ECR
 * no longer has scans nothing, and a DELETE removes a tag only when ECR no longer shows it on the
 * digest (an image counts as deleted only when the digest itself is gone).
 */
export type EventPlan =
  | { readonly action: 'scan'; readonly request: ScanRequest }
  | { readonly action: 'remove-tag'; readonly key: ImageKey; readonly tag: string; readonly at: Date }
  | { readonly action: 'mark-deleted'; readonly key: ImageKey; readonly at: Date }
  | { readonly action: 'skip'; readonly why: string };

export function planEvent(event: EcrImageEvent, now: EcrImageDetails): EventPlan {
  const key: ImageKey = { account: event.account, region: event.region, repository: event.repository, digest: event.digest };
  const at = eventTime(event);
  if (event.kind === 'delete') {
    if (!now.exists) return { action: 'mark-deleted', key, at };
    if (event.tag === undefined) return { action: 'skip', why: 'an untagged DELETE of a digest ECR still has' };
    if (now.tags.includes(event.tag)) return { action: 'skip', why: `tag ${event.tag} is back on the digest` };
    return { action: 'remove-tag', key, tag: event.tag, at };
  }
  if (!now.exists) return { action: 'skip', why: 'ECR no longer has the digest; its DELETE event records that' };
  // The tag the event named may have moved to another digest since: record only what ECR shows.
  const tag = event.tag !== undefined && now.tags.includes(event.tag) ? event.tag : undefined;
  return { action: 'scan', request: { ...key, ...(tag !== undefined ? { tag } : {}), pushedAt: now.pushedAt ?? at, kind: event.kind } };
}

/** The event's time; EventBridge's format is checked by the schema, an impossible date falls back to now. */
function eventTime(event: EcrImageEvent): Date {
  const time = new Date(event.time);
  return Number.isNaN(time.getTime()) ? new Date() : time;
}
