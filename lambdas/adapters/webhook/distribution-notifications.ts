import { z } from 'zod';
import { imageEventOf, issuesLine, MANIFEST_MEDIA_TYPES, type WebhookOptions, type WebhookParseResult } from './webhook-fields.ts';

/**
 * Docker Distribution 2.8 notifications (`application/vnd.docker.distribution.events.v1+json`): an
 * envelope of events, each an action on a target. Only manifest pushes and deletes ask anything of
 * the pipeline; pulls, mounts and blob pushes are dropped without a word, as they are routine.
 */
export const DISTRIBUTION_EVENTS_MEDIA_TYPE = 'application/vnd.docker.distribution.events.v1+json';

const distributionEventSchema = z.object({
  id: z.string().min(1).max(200),
  timestamp: z.string().max(64),
  action: z.string().max(32),
  target: z.object({
    mediaType: z.string().max(255).optional(),
    digest: z.string().max(200).optional(),
    repository: z.string().max(1000).optional(),
    tag: z.string().max(1000).optional(),
    url: z.string().max(4096).optional(),
  }),
});

export function isDistributionEnvelope(body: unknown): body is { readonly events: readonly unknown[] } {
  return typeof body === 'object' && body !== null && Array.isArray((body as { events?: unknown }).events);
}

export function parseDistributionEnvelope(body: { readonly events: readonly unknown[] }, options: WebhookOptions): WebhookParseResult {
  const result: WebhookParseResult = { events: [], rejected: [] };
  body.events.forEach((entry, index) => {
    const parsed = distributionEventSchema.safeParse(entry);
    if (!parsed.success) {
      result.rejected.push({ index, reason: `not a Distribution event: ${issuesLine(parsed.error.issues)}` });
      return;
    }
    const { id, timestamp, action, target } = parsed.data;
    const kind = kindOf(action, target);
    if (kind === undefined) return;
    if (target.repository === undefined || target.digest === undefined) {
      result.rejected.push({ index, reason: `a manifest ${action} that names no ${target.repository === undefined ? 'repository' : 'digest'}` });
      return;
    }
    const event = imageEventOf({ kind, eventId: id, repository: target.repository, digest: target.digest, tag: target.tag, time: timestamp }, options);
    if (event.ok) result.events.push(event.value);
    else result.rejected.push({ index, reason: event.reason });
  });
  return result;
}

/** push and delete of manifests; everything else (pull, mount, blobs, tag-only deletes) is not the pipeline's business. */
function kindOf(action: string, target: z.infer<typeof distributionEventSchema>['target']): 'push' | 'delete' | undefined {
  if (action === 'push') return target.mediaType !== undefined && MANIFEST_MEDIA_TYPES.has(target.mediaType) ? 'push' : undefined;
  if (action !== 'delete') return undefined;
  // A delete names no media type; a blob's URL gives it away, and a tag delete names no digest.
  if (target.mediaType !== undefined && target.mediaType !== '' && !MANIFEST_MEDIA_TYPES.has(target.mediaType)) return undefined;
  if (target.url?.includes('/blobs/')) return undefined;
  if (target.digest === undefined && target.tag !== undefined) return undefined;
  return 'delete';
}
