import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DISTRIBUTION_EVENTS_MEDIA_TYPE } from '../../../lambdas/adapters/webhook/distribution-notifications.ts';
import { parseRegistryWebhook } from '../../../lambdas/adapters/webhook/registry-notifications.ts';
import type { ImageEvent } from '../../../lambdas/core/pipeline/image-event.ts';
import { answers, freeLoopbackPort, startLocalProcess, waitUntilReady, type LocalProcess } from '../../../lambdas/local/local-process.ts';
import { pushTinyImages, tinyImage } from '../../support/distribution-push.ts';
import { closeServer, listenOnLoopback } from '../../support/http-server.ts';

/**
 * Debian's docker-registry (Distribution 2.8) with a notifications endpoint: the envelopes it
 * really sends for a push and a delete, read by parseRegistryWebhook. The shared suite registry
 * has no endpoint configured, so this test runs its own.
 */
const OPTIONS = { account: 'local', region: 'local-1' };
const envelopes: { readonly contentType: string | undefined; readonly body: unknown }[] = [];
let receiver: Server;
let registry: LocalProcess;
let registryHost: string;
let dir: string;

beforeAll(async () => {
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      envelopes.push({ contentType: request.headers['content-type'], body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown });
      response.writeHead(200).end();
    });
  });
  const receiverHost = await listenOnLoopback(receiver);
  const port = await freeLoopbackPort();
  dir = mkdtempSync(join(tmpdir(), 'customs-webhook-registry-'));
  const config = [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(dir, 'data')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    'notifications:',
    '  endpoints:',
    '    - name: customs',
    `      url: http://${receiverHost}/registry-events`,
    '      timeout: 2s',
    '      threshold: 3',
    '      backoff: 100ms',
  ].join('\n');
  writeFileSync(join(dir, 'config.yml'), `${config}\n`);
  registry = startLocalProcess('docker-registry', ['serve', join(dir, 'config.yml')]);
  registryHost = `127.0.0.1:${port}`;
  await waitUntilReady(registry, 'docker-registry', () => answers(`http://${registryHost}/v2/`, (status) => status === 200), { timeoutMs: 15_000 });
});

afterAll(async () => {
  await registry?.stop();
  if (receiver) await closeServer(receiver);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Every image event parsed from the envelopes so far, once `done` says they are all there. */
async function eventsUntil(done: (events: readonly ImageEvent[]) => boolean): Promise<ImageEvent[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const parsed = envelopes.map(({ body }) => parseRegistryWebhook(body, OPTIONS));
    expect(parsed.flatMap(({ rejected }) => rejected)).toEqual([]);
    const events = parsed.flatMap(({ events: each }) => each);
    if (done(events) || Date.now() > deadline) return events;
    await new Promise((resolveWait) => setTimeout(resolveWait, 50));
  }
}

describe('parseRegistryWebhook on what docker-registry sends', () => {
  it('reads a tagged push as one push event (its blob pushes dropped) and a manifest delete as a delete', async () => {
    const image = tinyImage({ id: 'debian', versionId: '12' }, 256);
    await pushTinyImages({ host: registryHost }, [{ image, repository: 'team-a/hooked', tags: ['1.0'] }]);
    const pushes = await eventsUntil((events) => events.some((event) => event.kind === 'push'));
    expect(pushes).toEqual([expect.objectContaining({ kind: 'push', account: 'local', region: 'local-1', repository: 'team-a/hooked', digest: image.digest, tag: '1.0' })]);
    expect(Date.parse(pushes[0]!.time)).not.toBeNaN();
    // The registry also announced the config and layer blobs; none of them became an event.
    const actions = envelopes.flatMap(({ body }) => (body as { events: { action: string }[] }).events.map((event) => event.action));
    expect(actions.filter((action) => action === 'push').length).toBeGreaterThan(1);
    expect(envelopes.every(({ contentType }) => contentType === DISTRIBUTION_EVENTS_MEDIA_TYPE)).toBe(true);

    const deleted = await fetch(`http://${registryHost}/v2/team-a/hooked/manifests/${image.digest}`, { method: 'DELETE' });
    expect(deleted.status).toBe(202);
    const all = await eventsUntil((events) => events.some((event) => event.kind === 'delete'));
    expect(all.filter((event) => event.kind === 'delete')).toEqual([expect.objectContaining({ kind: 'delete', repository: 'team-a/hooked', digest: image.digest })]);
  });
});
