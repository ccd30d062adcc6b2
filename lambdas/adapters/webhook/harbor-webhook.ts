import { z } from 'zod';
import { imageEventOf, issuesLine, stableEventId, type WebhookOptions, type WebhookParseResult } from './webhook-fields.ts';

/**
 * Harbor's webhooks in their Default payload format: one `type` and `occur_at` (Unix seconds) for
 * the whole payload, one resource per artifact (digest, tag, resource_url) under one repository.
 * PUSH_ARTIFACT and DELETE_ARTIFACT are image events; every other type (pulls, scans, quotas,
 * replication reports) is dropped. Harbor sends no event ID, so each resource's is a hash of it.
 */
const HARBOR_KINDS: Readonly<Record<string, 'push' | 'delete'>> = { PUSH_ARTIFACT: 'push', DELETE_ARTIFACT: 'delete' };

const harborPayloadSchema = z.object({
  type: z.string().max(64),
  occur_at: z.number().int().min(0).max(253_402_300_799),
  event_data: z.object({
    resources: z.array(z.unknown()).max(1000),
    repository: z.object({ repo_full_name: z.string().max(1000) }),
  }),
});

const harborResourceSchema = z.object({
  digest: z.string().max(200),
  tag: z.string().max(1000).optional(),
  resource_url: z.string().max(4096).optional(),
});

export function isHarborPayload(body: unknown): boolean {
  return typeof body === 'object' && body !== null && typeof (body as { type?: unknown }).type === 'string' && 'event_data' in body;
}

export function parseHarborPayload(body: unknown, options: WebhookOptions): WebhookParseResult {
  const result: WebhookParseResult = { events: [], rejected: [] };
  const payload = harborPayloadSchema.safeParse(body);
  if (!payload.success) {
    result.rejected.push({ index: 0, reason: `not a Harbor webhook: ${issuesLine(payload.error.issues)}` });
    return result;
  }
  const { type, occur_at: occurAt, event_data: data } = payload.data;
  const kind = HARBOR_KINDS[type];
  if (kind === undefined || !Object.hasOwn(HARBOR_KINDS, type)) return result;
  const time = new Date(occurAt * 1000).toISOString();
  data.resources.forEach((entry, index) => {
    const resource = harborResourceSchema.safeParse(entry);
    if (!resource.success) {
      result.rejected.push({ index, reason: `not a Harbor resource: ${issuesLine(resource.error.issues)}` });
      return;
    }
    const eventId = stableEventId('harbor', { type, occurAt, repository: data.repository.repo_full_name, resource: resource.data });
    const event = imageEventOf({ kind, eventId, repository: data.repository.repo_full_name, digest: resource.data.digest, tag: resource.data.tag, time }, options);
    if (event.ok) result.events.push(event.value);
    else result.rejected.push({ index, reason: event.reason });
  });
  return result;
}
