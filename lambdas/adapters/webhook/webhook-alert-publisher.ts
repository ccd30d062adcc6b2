import type { OutgoingAlert } from '../../core/alerts/alert-model.ts';
import type { AlertPublisher } from '../../core/ports.ts';
import { sleep } from '../../core/util/sized-batches.ts';
import { snsMessageOf } from '../sns/sns-message.ts';

export interface WebhookAlertPublisherOptions {
  /** http or https endpoints; every alert goes to each. */
  readonly urls: readonly string[];
  readonly fetchImpl?: typeof fetch;
  /** Per request (default 10 s); a request that takes longer counts as a failed attempt. */
  readonly timeoutMs?: number;
  /** For 5xx answers, timeouts and network errors: attempts in all (default 4) and the first backoff (default 200 ms). */
  readonly retry?: { readonly maxAttempts?: number; readonly baseDelayMs?: number };
}

/** Thrown when an endpoint did not take an alert: another status than 2xx, or no answer after every attempt. */
export class WebhookDeliveryError extends Error {
  constructor(
    readonly url: string,
    readonly alertId: string,
    detail: string,
  ) {
    super(`webhook ${url} did not take alert ${alertId}: ${detail}`);
    this.name = 'WebhookDeliveryError';
  }
}

/**
 * Alerts POSTed as JSON to webhook endpoints, with the body SNS gives its HTTPS, SQS and Lambda
 * subscribers (the `default` of snsMessageOf: the customs.alert/v1 document), so one consumer reads
 * both. Every (alert, endpoint) pair is tried before a failure is thrown, naming each one that
 * failed. At least once: the caller publishes everything again; receivers de-duplicate on
 * `x-customs-alert-id`.
 */
export class WebhookAlertPublisher implements AlertPublisher {
  private readonly urls: readonly URL[];
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;

  constructor(options: WebhookAlertPublisherOptions) {
    this.urls = options.urls.map(endpointOf);
    this.fetchImpl = options.fetchImpl ?? fetch;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.maxAttempts = Math.max(1, options.retry?.maxAttempts ?? 4);
    this.baseDelayMs = options.retry?.baseDelayMs ?? 200;
  }

  async publish(alerts: readonly OutgoingAlert[]): Promise<void> {
    const failures: WebhookDeliveryError[] = [];
    for (const outgoing of alerts) {
      const body = bodyOf(outgoing);
      const results = await Promise.allSettled(this.urls.map((url) => this.deliver(url, outgoing.alert.alertId, body)));
      for (const result of results) if (result.status === 'rejected') failures.push(result.reason as WebhookDeliveryError);
    }
    if (failures.length === 1) throw failures[0]!;
    if (failures.length > 1) throw new AggregateError(failures, `webhooks did not take ${failures.length} alert deliveries: ${failures.map((failure) => failure.message).join('; ')}`);
  }

  private async deliver(url: URL, alertId: string, body: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt(url, alertId, body);
      if (outcome === 'delivered') return;
      if (outcome.retry === false || attempt >= this.maxAttempts) {
        throw new WebhookDeliveryError(url.href, alertId, outcome.retry ? `${outcome.detail} after ${attempt} attempts` : outcome.detail);
      }
      await sleep(Math.random() * this.baseDelayMs * 2 ** (attempt - 1));
    }
  }

  private async attempt(url: URL, alertId: string, body: string): Promise<'delivered' | { readonly retry: boolean; readonly detail: string }> {
    try {
      const response = await this.fetchImpl(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-customs-alert-id': alertId },
        body,
        // A redirect could lead the alert anywhere: it is an answer like any other non-2xx.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      // The body is not read; cancelling it frees the connection.
      await response.body?.cancel().catch(() => undefined);
      if (response.status >= 200 && response.status < 300) return 'delivered';
      return { retry: response.status >= 500, detail: `HTTP ${response.status}` };
    } catch (error) {
      const detail = error instanceof Error && error.name === 'TimeoutError' ? `no answer within ${this.timeoutMs} ms` : `request failed (${error instanceof Error ? error.message : String(error)})`;
      return { retry: true, detail };
    }
  }
}

/** What an HTTPS subscriber of the alerts topic receives as the message. */
function bodyOf(outgoing: OutgoingAlert): string {
  const message = JSON.parse(snsMessageOf(outgoing).entry.Message as string) as { readonly default: string };
  return message.default;
}

function endpointOf(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`webhook URL ${JSON.stringify(value)} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`webhook URL ${JSON.stringify(url.href)} is not http or https`);
  return url;
}
