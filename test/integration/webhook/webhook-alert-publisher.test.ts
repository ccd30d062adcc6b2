import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterEach, describe, expect, it } from 'vitest';
import { WebhookAlertPublisher, WebhookDeliveryError } from '../../../lambdas/adapters/webhook/webhook-alert-publisher.ts';
import { snsMessageOf } from '../../../lambdas/adapters/sns/sns-message.ts';
import type { OutgoingAlert } from '../../../lambdas/core/alerts/alert-model.ts';
import { freeLoopbackPort } from '../../../lambdas/local/local-process.ts';
import { closeServer, listenOnLoopback } from '../../support/http-server.ts';
import { alertOf, digestOf, finding, verdictOf } from '../../unit/core/alerts/alert-fixtures.ts';

const alertSchema = JSON.parse(readFileSync(new URL('../../../lambdas/core/alerts/alert-schema.json', import.meta.url), 'utf8')) as object;
const validateAlert = addFormats.default(new Ajv2020({ strict: true, allErrors: true })).compile(alertSchema);

interface Received {
  readonly method: string | undefined;
  readonly path: string | undefined;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A real loopback endpoint answering each request with the next status of `statuses` (the last one repeats). */
async function endpoint(statuses: readonly number[], delayMs = 0): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ method: request.method, path: request.url, headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      const status = statuses[Math.min(received.length - 1, statuses.length - 1)]!;
      setTimeout(() => response.writeHead(status, { 'content-type': 'text/plain' }).end('ok'), delayMs);
    });
  });
  servers.push(server);
  const host = await listenOnLoopback(server);
  return { url: `http://${host}/hooks/customs`, received, server };
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map(closeServer));
});

function outgoing(seed: string): OutgoingAlert {
  return { alert: alertOf({ key: { digest: digestOf(seed) }, verdict: verdictOf({ findings: [finding('CVE-2026-0001', 'CRITICAL')] }) }), audience: 'all' };
}

const fast = { maxAttempts: 3, baseDelayMs: 1 };

describe('WebhookAlertPublisher', () => {
  it('POSTs each alert to each endpoint with the body SNS subscribers get, valid against alert-schema.json', async () => {
    const [first, second] = [await endpoint([200]), await endpoint([204])];
    const alerts = [outgoing('one'), outgoing('two')];
    await new WebhookAlertPublisher({ urls: [first.url, second.url], retry: fast }).publish(alerts);
    for (const { received } of [first, second]) {
      expect(received).toHaveLength(2);
      received.forEach((request, index) => {
        const sent = alerts[index]!;
        expect(request.method).toBe('POST');
        expect(request.path).toBe('/hooks/customs');
        expect(request.headers['content-type']).toBe('application/json');
        expect(request.headers['x-customs-alert-id']).toBe(sent.alert.alertId);
        const snsBody = (JSON.parse(snsMessageOf(sent).entry.Message as string) as { default: string }).default;
        expect(request.body).toBe(snsBody);
        const parsed: unknown = JSON.parse(request.body);
        expect(validateAlert(parsed), JSON.stringify(validateAlert.errors)).toBe(true);
        expect(parsed).toMatchObject({ schema: 'customs.alert/v1', alertId: sent.alert.alertId });
      });
    }
  });

  it('retries a 500 with backoff and delivers once the endpoint recovers', async () => {
    const flaky = await endpoint([500, 502, 200]);
    const alert = outgoing('flaky');
    await new WebhookAlertPublisher({ urls: [flaky.url], retry: fast }).publish([alert]);
    expect(flaky.received).toHaveLength(3);
    expect(new Set(flaky.received.map((request) => request.body)).size).toBe(1);
  });

  it('throws after its attempts naming the endpoint and alert, having still delivered to the others', async () => {
    const [down, up] = [await endpoint([503]), await endpoint([200])];
    const alert = outgoing('down');
    const error = await new WebhookAlertPublisher({ urls: [down.url, up.url], retry: fast }).publish([alert]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WebhookDeliveryError);
    expect((error as Error).message).toBe(`webhook ${down.url} did not take alert ${alert.alert.alertId}: HTTP 503 after 3 attempts`);
    expect(down.received).toHaveLength(3);
    expect(up.received).toHaveLength(1);
  });

  it('does not retry a 4xx or a redirect: the endpoint refused it', async () => {
    const [refusing, redirecting] = [await endpoint([400]), await endpoint([302])];
    const alert = outgoing('refused');
    const error = await new WebhookAlertPublisher({ urls: [refusing.url, redirecting.url], retry: fast }).publish([alert]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AggregateError);
    const messages = (error as AggregateError).errors.map((each: Error) => each.message);
    expect(messages).toEqual([`webhook ${refusing.url} did not take alert ${alert.alert.alertId}: HTTP 400`, `webhook ${redirecting.url} did not take alert ${alert.alert.alertId}: HTTP 302`]);
    expect(refusing.received).toHaveLength(1);
    expect(redirecting.received).toHaveLength(1);
  });

  it('retries a refused connection and a timeout, then throws naming them', async () => {
    const closed = `http://127.0.0.1:${await freeLoopbackPort()}/hook`;
    const slow = await endpoint([200], 500);
    const alert = outgoing('unreachable');
    const error = await new WebhookAlertPublisher({ urls: [closed, slow.url], timeoutMs: 100, retry: { maxAttempts: 2, baseDelayMs: 1 } })
      .publish([alert])
      .catch((caught: unknown) => caught);
    const messages = (error as AggregateError).errors.map((each: Error) => each.message);
    expect(messages[0]).toMatch(new RegExp(`^webhook ${closed} did not take alert ${alert.alert.alertId}: request failed \\(.+\\) after 2 attempts$`));
    expect(messages[1]).toBe(`webhook ${slow.url} did not take alert ${alert.alert.alertId}: no answer within 100 ms after 2 attempts`);
  });

  it('refuses endpoints that are not http or https', () => {
    expect(() => new WebhookAlertPublisher({ urls: ['file:///etc/passwd'] })).toThrow('webhook URL "file:///etc/passwd" is not http or https');
    expect(() => new WebhookAlertPublisher({ urls: ['not a url'] })).toThrow('webhook URL "not a url" is not a URL');
  });
});
