import { isDistributionEnvelope, parseDistributionEnvelope } from './distribution-notifications.ts';
import { isHarborPayload, parseHarborPayload } from './harbor-webhook.ts';
import type { WebhookOptions, WebhookParseResult } from './webhook-fields.ts';
import { isCloudEvent, parseZotCloudEvent } from './zot-cloud-event.ts';

export type { WebhookOptions, WebhookParseResult, WebhookRejection } from './webhook-fields.ts';

/**
 * A registry's webhook body (parsed JSON, untrusted) as image events: Docker Distribution's
 * notification envelope, Harbor's Default payload or zot's CloudEvent, told apart by shape. Actions
 * that bring no image (pulls, mounts, blobs, scans) are dropped; entries that should have named
 * one but could not be read are rejected with their index and why. Every event is a hint: the
 * pipeline re-reads the registry before acting on it.
 */
export function parseRegistryWebhook(body: unknown, options: WebhookOptions): WebhookParseResult {
  if (isDistributionEnvelope(body)) return parseDistributionEnvelope(body, options);
  if (isCloudEvent(body)) return parseZotCloudEvent(body, options);
  if (isHarborPayload(body)) return parseHarborPayload(body, options);
  return { events: [], rejected: [{ index: 0, reason: 'not a Distribution notification, Harbor webhook or zot CloudEvent' }] };
}
