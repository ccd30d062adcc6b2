import { z } from 'zod';
import { imageEventOf, issuesLine, MANIFEST_MEDIA_TYPES, type WebhookOptions, type WebhookParseResult } from './webhook-fields.ts';

/**
 * Zot's events extension: CloudEvents 1.0 whose type is `zotregistry.image.updated` or
 * `zotregistry.image.deleted` (the prefix is configurable, so only the suffix is matched) and whose
 * data names the image (name, reference, digest, mediaType). Repository and lint events are
 * dropped. Zot's HTTP sink sends binary mode (attributes in `ce-*` headers, data as the body):
 * cloudEventOfBinary puts it back together into the structured form parsed here.
 */
const ZOT_KINDS: readonly { readonly suffix: string; readonly kind: 'push' | 'delete' }[] = [
  { suffix: '.image.updated', kind: 'push' },
  { suffix: '.image.deleted', kind: 'delete' },
];

const cloudEventSchema = z.object({
  specversion: z.literal('1.0'),
  id: z.string().min(1).max(200),
  type: z.string().max(200),
  source: z.string().max(4096),
  time: z.string().max(64),
  data: z.unknown(),
});

const zotImageDataSchema = z.object({
  name: z.string().max(1000),
  reference: z.string().max(1000),
  digest: z.string().max(200),
  mediaType: z.string().max(255),
});

export function isCloudEvent(body: unknown): boolean {
  return typeof body === 'object' && body !== null && 'specversion' in body;
}

/** A binary-mode CloudEvent (HTTP headers and a JSON body) in structured form; headers are matched case-insensitively. */
export function cloudEventOfBinary(headers: Readonly<Record<string, string | readonly string[] | undefined>>, data: unknown): Record<string, unknown> {
  const event: Record<string, unknown> = { data };
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (!lower.startsWith('ce-') || value === undefined) continue;
    event[lower.slice(3)] = typeof value === 'string' ? value : value[0];
  }
  return event;
}

export function parseZotCloudEvent(body: unknown, options: WebhookOptions): WebhookParseResult {
  const result: WebhookParseResult = { events: [], rejected: [] };
  const envelope = cloudEventSchema.safeParse(body);
  if (!envelope.success) {
    result.rejected.push({ index: 0, reason: `not a CloudEvent: ${issuesLine(envelope.error.issues)}` });
    return result;
  }
  const { id, type, time } = envelope.data;
  const kind = ZOT_KINDS.find(({ suffix }) => type.endsWith(suffix))?.kind;
  if (kind === undefined) return result;
  const data = zotImageDataSchema.safeParse(envelope.data.data);
  if (!data.success) {
    result.rejected.push({ index: 0, reason: `not a zot image event: ${issuesLine(data.error.issues)}` });
    return result;
  }
  // Updates of anything but a manifest (none today) would not be images.
  if (kind === 'push' && !MANIFEST_MEDIA_TYPES.has(data.data.mediaType)) return result;
  // The reference is the tag, or the digest when the image was pushed or deleted by digest.
  const tag = data.data.reference === data.data.digest || data.data.reference.includes(':') ? undefined : data.data.reference;
  const event = imageEventOf({ kind, eventId: id, repository: data.data.name, digest: data.data.digest, tag, time }, options);
  if (event.ok) result.events.push(event.value);
  else result.rejected.push({ index: 0, reason: event.reason });
  return result;
}
