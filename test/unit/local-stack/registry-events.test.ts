import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileQueue } from '../../../lambdas/local/queue/file-queue.ts';
import { localWorkSchema, type LocalWork } from '../../../lambdas/local/queue/local-queues.ts';
import { receiveRegistryEvents, type RegistryEventsParts } from '../../../lambdas/local/stack/registry-events.ts';

const DIGEST = `sha256:${'c'.repeat(64)}`;
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function parts(): RegistryEventsParts & { readonly lines: string[]; readonly queue: FileQueue<LocalWork> } {
  const dir = mkdtempSync(join(tmpdir(), 'registry-events-'));
  dirs.push(dir);
  const lines: string[] = [];
  return { queue: new FileQueue({ dir: join(dir, 'queue'), schema: localWorkSchema }), account: '000000000000', region: 'xx-local-1', write: (line) => lines.push(line), lines };
}

async function queued(queue: FileQueue<LocalWork>): Promise<LocalWork[]> {
  return (await queue.receive(100, 60_000)).map((message) => message.body);
}

// Docker Distribution 2.8's notification envelope, as its "Events" documentation shows one push:
// https://distribution.github.io/distribution/about/notifications
function distributionPush(overrides: { id?: string; action?: string; target?: Record<string, unknown> } = {}): Record<string, unknown> {
  return {
    id: overrides.id ?? 'asdf-asdf-asdf-asdf-0',
    timestamp: '2026-12-02T10:00:00.123456789Z',
    action: overrides.action ?? 'push',
    target: overrides.target ?? {
      mediaType: DOCKER_MANIFEST,
      size: 708,
      digest: DIGEST,
      length: 708,
      repository: 'library/demo',
      url: `http://127.0.0.1:5000/v2/library/demo/manifests/${DIGEST}`,
      tag: 'latest',
    },
    request: { id: 'req-1', addr: '127.0.0.1:49152', host: '127.0.0.1:5000', method: 'PUT', useragent: 'skopeo/1.13.3' },
    actor: {},
    source: { addr: 'registry:5000', instanceID: 'instance-1' },
  };
}

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));
const distributionHeaders = { 'content-type': 'application/vnd.docker.distribution.events.v1+json' };

describe('receiveRegistryEvents: Docker Distribution', () => {
  it('queues one manifest push as one image-event carrying the stack\'s account and region', async () => {
    const p = parts();
    expect(await receiveRegistryEvents(distributionHeaders, json({ events: [distributionPush()] }), p)).toEqual({ accepted: 1, rejected: 0 });
    expect(await queued(p.queue)).toEqual([
      {
        kind: 'image-event',
        event: { kind: 'push', eventId: 'asdf-asdf-asdf-asdf-0', account: '000000000000', region: 'xx-local-1', repository: 'library/demo', digest: DIGEST, tag: 'latest', time: '2026-12-02T10:00:00.123456789Z' },
      },
    ]);
    expect(p.lines).toEqual([]);
  });

  it('queues the pushes of a batch, drops pulls and blob pushes silently, and reports an unreadable entry by its index', async () => {
    const p = parts();
    const body = {
      events: [
        distributionPush({ action: 'pull' }),
        distributionPush({ id: 'blob', target: { mediaType: 'application/octet-stream', digest: DIGEST, repository: 'library/demo' } }),
        distributionPush({ id: 'bad', target: { mediaType: OCI_MANIFEST, digest: 'sha256:nothex', repository: 'library/demo' } }),
        distributionPush({ id: 'second', target: { mediaType: OCI_MANIFEST, digest: DIGEST, repository: 'library/other' } }),
      ],
    };
    expect(await receiveRegistryEvents(distributionHeaders, json(body), p)).toEqual({ accepted: 1, rejected: 1 });
    const work = await queued(p.queue);
    expect(work).toHaveLength(1);
    expect(work[0]).toMatchObject({ kind: 'image-event', event: { eventId: 'second', repository: 'library/other' } });
    expect(work[0]!.kind === 'image-event' && work[0]!.event).not.toHaveProperty('tag');
    expect(p.lines).toHaveLength(1);
    expect(p.lines[0]).toMatch(/^registry webhook: entry 2 dropped: .*digest/);
  });

  it('queues nothing for an envelope of pulls only', async () => {
    const p = parts();
    expect(await receiveRegistryEvents(distributionHeaders, json({ events: [distributionPush({ action: 'pull' })] }), p)).toEqual({ accepted: 0, rejected: 0 });
    expect(await p.queue.depth()).toMatchObject({ ready: 0 });
    expect(p.lines).toEqual([]);
  });
});

describe('receiveRegistryEvents: bodies it cannot read', () => {
  it('drops a body that is not JSON, counting it rejected and saying so', async () => {
    const p = parts();
    expect(await receiveRegistryEvents(distributionHeaders, Buffer.from('{"events": ['), p)).toEqual({ accepted: 0, rejected: 1 });
    expect(p.lines).toEqual(['registry webhook: the body is not JSON; dropped']);
    expect(await p.queue.depth()).toEqual({ ready: 0, inFlight: 0, delayed: 0, dead: 0 });
  });

  it('drops JSON that no registry sends, with a line', async () => {
    const p = parts();
    expect(await receiveRegistryEvents({}, json({ hello: 'world' }), p)).toEqual({ accepted: 0, rejected: 1 });
    expect(p.lines).toHaveLength(1);
    expect(p.lines[0]).toMatch(/^registry webhook: entry 0 dropped: /);
    expect(await p.queue.depth()).toMatchObject({ ready: 0 });
  });

  it('lets a queue failure through, so the webhook answers 5xx and the registry retries', async () => {
    const p = parts();
    const failing = { ...p, queue: { send: () => Promise.reject(new Error('disk full')) } as unknown as FileQueue<LocalWork> };
    await expect(receiveRegistryEvents(distributionHeaders, json({ events: [distributionPush()] }), failing)).rejects.toThrow('disk full');
  });
});

describe('receiveRegistryEvents: zot CloudEvents', () => {
  const data = { name: 'team/app', reference: '2.1', digest: DIGEST, mediaType: OCI_MANIFEST, manifest: '{}' };

  it('reads a binary-mode CloudEvent (attributes in ce- headers, any case) as a push', async () => {
    const p = parts();
    const headers = {
      'content-type': 'application/json',
      'Ce-SpecVersion': '1.0',
      'ce-id': 'zot-42',
      'ce-type': 'zotregistry.image.updated',
      'ce-source': 'zotregistry.dev',
      'ce-time': '2026-12-02T10:00:00Z',
    };
    expect(await receiveRegistryEvents(headers, json(data), p)).toEqual({ accepted: 1, rejected: 0 });
    expect(await queued(p.queue)).toEqual([
      { kind: 'image-event', event: { kind: 'push', eventId: 'zot-42', account: '000000000000', region: 'xx-local-1', repository: 'team/app', digest: DIGEST, tag: '2.1', time: '2026-12-02T10:00:00Z' } },
    ]);
  });

  it('reads a structured-mode CloudEvent delete', async () => {
    const p = parts();
    const body = { specversion: '1.0', id: 'zot-43', type: 'zotregistry.image.deleted', source: 'zotregistry.dev', time: '2026-12-02T11:00:00Z', data: { ...data, reference: DIGEST } };
    expect(await receiveRegistryEvents({ 'content-type': 'application/cloudevents+json' }, json(body), p)).toEqual({ accepted: 1, rejected: 0 });
    const work = await queued(p.queue);
    expect(work).toMatchObject([{ kind: 'image-event', event: { kind: 'delete', eventId: 'zot-43', repository: 'team/app', digest: DIGEST } }]);
    expect(work[0]!.kind === 'image-event' && work[0]!.event).not.toHaveProperty('tag');
  });

  it('rejects a binary-mode CloudEvent whose data names no image', async () => {
    const p = parts();
    const headers = { 'ce-specversion': '1.0', 'ce-id': 'zot-44', 'ce-type': 'zotregistry.image.updated', 'ce-source': 'zot', 'ce-time': '2026-12-02T10:00:00Z' };
    expect(await receiveRegistryEvents(headers, json({ name: 'team/app' }), p)).toEqual({ accepted: 0, rejected: 1 });
    expect(p.lines).toHaveLength(1);
    expect(await p.queue.depth()).toMatchObject({ ready: 0 });
  });
});
