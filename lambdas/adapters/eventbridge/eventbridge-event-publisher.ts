import { PutEventsCommand, type EventBridgeClient, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { CustomsEvent } from '../../core/alerts/alert-model.ts';
import type { EventPublisher } from '../../core/ports.ts';
import { sizedBatches, sleep } from '../../core/util/sized-batches.ts';

/** PutEvents takes at most 10 entries and 256 KiB in all per request. */
export const MAX_PUT_ENTRIES = 10;
export const MAX_PUT_BYTES = 256 * 1024;

export interface EventBridgeEventPublisherOptions {
  readonly client: EventBridgeClient;
  /** `default` or a custom bus's name or ARN. */
  readonly eventBusName: string;
  readonly source?: string;
  /** For entries EventBridge failed (FailedEntryCount): attempts in all, and the first backoff. */
  readonly retry?: { readonly maxAttempts?: number; readonly baseDelayMs?: number };
}

interface SizedEntry {
  readonly entry: PutEventsRequestEntry;
  readonly bytes: number;
  /** How an error names it: the event's eventId (and alertId), from the documented detail. */
  readonly name: string;
}

/**
 * `Customs Verdict` and `Customs Finding` events to a bus with PutEvents. EventBridge answers entry
 * by entry, in request order; failed entries are resent with a backoff a few times, then the call
 * throws naming them. What was put before a throw stays put: consumers de-duplicate on eventId.
 */
export class EventBridgeEventPublisher implements EventPublisher {
  private readonly client: EventBridgeClient;
  private readonly eventBusName: string;
  private readonly source: string;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;

  constructor(options: EventBridgeEventPublisherOptions) {
    this.client = options.client;
    this.eventBusName = options.eventBusName;
    this.source = options.source ?? 'customs';
    this.maxAttempts = options.retry?.maxAttempts ?? 4;
    this.baseDelayMs = options.retry?.baseDelayMs ?? 100;
  }

  async publish(events: readonly CustomsEvent[]): Promise<void> {
    const entries = events.map((event) => this.entryOf(event));
    for (const sized of entries) {
      if (sized.bytes > MAX_PUT_BYTES) throw new Error(`event ${sized.name} is ${sized.bytes} bytes, over EventBridge's ${MAX_PUT_BYTES}-byte entry limit`);
    }
    for (const chunk of sizedBatches(entries, { maxCount: MAX_PUT_ENTRIES, maxBytes: MAX_PUT_BYTES })) await this.put(chunk);
  }

  private entryOf(event: CustomsEvent): SizedEntry {
    const entry: PutEventsRequestEntry = {
      Source: this.source,
      DetailType: event.detailType,
      Detail: JSON.stringify(event.detail),
      Resources: [...event.resources],
      Time: event.time,
      EventBusName: this.eventBusName,
    };
    return { entry, bytes: entrySize(entry), name: nameOf(event) };
  }

  private async put(chunk: readonly SizedEntry[]): Promise<void> {
    let pending = chunk;
    for (let attempt = 1; ; attempt++) {
      const response = await this.client.send(new PutEventsCommand({ Entries: pending.map(({ entry }) => entry) }));
      if (!response.FailedEntryCount) return;
      // Result entries are in request order; a failed one has an ErrorCode instead of an EventId.
      const results = response.Entries ?? [];
      const failed = pending.map((sized, index) => ({ sized, result: results[index] })).filter(({ result }) => !result?.EventId || result.ErrorCode);
      pending = failed.map(({ sized }) => sized);
      if (pending.length === 0) return;
      if (attempt >= this.maxAttempts) {
        const named = failed.map(({ sized, result }) => `${sized.name} (${result?.ErrorCode ?? 'no result'}${result?.ErrorMessage ? `: ${result.ErrorMessage}` : ''})`);
        throw new Error(`EventBridge did not put events after ${attempt} attempts: ${named.join('; ')}`);
      }
      await sleep(Math.random() * this.baseDelayMs * 2 ** (attempt - 1));
    }
  }
}

/** EventBridge's own sizing: 14 bytes for Time, then Source, DetailType, Detail and each resource, in UTF-8. */
function entrySize(entry: PutEventsRequestEntry): number {
  let bytes = entry.Time ? 14 : 0;
  for (const text of [entry.Source, entry.DetailType, entry.Detail, ...(entry.Resources ?? [])]) bytes += Buffer.byteLength(text ?? '');
  return bytes;
}

function nameOf(event: CustomsEvent): string {
  const { eventId, alertId } = event.detail;
  const id = typeof eventId === 'string' ? eventId : '(no eventId)';
  return typeof alertId === 'string' ? `${id} of alert ${alertId}` : id;
}
