import { parseRegistryWebhook } from '../../adapters/webhook/registry-notifications.ts';
import { cloudEventOfBinary } from '../../adapters/webhook/zot-cloud-event.ts';
import type { FileQueue } from '../queue/file-queue.ts';
import type { LocalWork } from '../queue/local-queues.ts';

export interface RegistryEventsParts {
  readonly queue: FileQueue<LocalWork>;
  readonly account: string;
  readonly region: string;
  readonly write: (line: string) => void;
}

/**
 * A registry's webhook POST (Distribution's notification envelope, Harbor's payload, zot's
 * CloudEvent in structured or binary mode) into the queue, as EventBridge puts ECR's events on the
 * scanner's queue. Only once the events are queued does the registry get its 2xx; entries that could
 * not be read are reported and dropped (a retry would bring the same bytes).
 */
export async function receiveRegistryEvents(headers: Readonly<Record<string, string>>, body: Buffer, parts: RegistryEventsParts): Promise<{ accepted: number; rejected: number }> {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    parts.write('registry webhook: the body is not JSON; dropped');
    return { accepted: 0, rejected: 1 };
  }
  const binaryCloudEvent = Object.keys(headers).some((name) => name.toLowerCase() === 'ce-specversion');
  const payload = binaryCloudEvent ? cloudEventOfBinary(headers, json) : json;
  const { events, rejected } = parseRegistryWebhook(payload, { account: parts.account, region: parts.region });
  for (const rejection of rejected) parts.write(`registry webhook: entry ${rejection.index} dropped: ${rejection.reason}`);
  if (events.length > 0) await parts.queue.send(events.map((event) => ({ kind: 'image-event', event })));
  return { accepted: events.length, rejected: rejected.length };
}
