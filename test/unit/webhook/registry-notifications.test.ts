import { describe, expect, it } from 'vitest';
import { parseRegistryWebhook } from '../../../lambdas/adapters/webhook/registry-notifications.ts';
import { cloudEventOfBinary } from '../../../lambdas/adapters/webhook/zot-cloud-event.ts';

const OPTIONS = { account: 'local', region: 'local-1' };
const DIGEST = `sha256:${'a'.repeat(64)}`;
const OTHER = `sha256:${'b'.repeat(64)}`;
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

// Shapes from the Distribution docs' "Events" section, an envelope of events each with id,
// timestamp, action, target (mediaType, digest, repository, url, tag), request, actor and source:
// https://distribution.github.io/distribution/about/notifications
function distributionEvent(overrides: { action?: string; target?: Record<string, unknown>; id?: string; timestamp?: string } = {}): Record<string, unknown> {
  return {
    id: overrides.id ?? 'evt-1',
    timestamp: overrides.timestamp ?? '2026-12-02T10:00:00.123456789Z',
    action: overrides.action ?? 'push',
    target: overrides.target ?? {
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      size: 1234,
      digest: DIGEST,
      length: 1234,
      repository: 'team-a/app',
      url: `http://registry.local/v2/team-a/app/manifests/${DIGEST}`,
      tag: '1.4',
    },
    request: { id: 'req-1', addr: '127.0.0.1:4000', host: 'registry.local', method: 'PUT', useragent: 'skopeo/1.13' },
    actor: { name: 'ci' },
    source: { addr: 'registry:5000', instanceID: 'instance-1' },
  };
}

// Harbor's Default payload format, as its webhook documentation describes it (type, occur_at,
// operator, event_data.resources[] with digest/tag/resource_url, event_data.repository):
// https://goharbor.io/docs/latest/working-with-projects/project-configuration/configure-webhooks
function harborPayload(type: string, resources: unknown[], repository: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type,
    occur_at: 1_764_669_600,
    operator: 'admin',
    event_data: {
      resources,
      repository: { date_created: 1_764_000_000, name: 'app', namespace: 'team-a', repo_full_name: 'team-a/app', repo_type: 'private', ...repository },
    },
  };
}

// zot's events extension: CloudEvents whose data carries name, reference, digest and mediaType:
// https://zotregistry.dev/v2.1.21/articles/events/
function zotEvent(type: string, data: Record<string, unknown> = {}, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    specversion: '1.0',
    id: 'zot-1',
    source: 'zotregistry.dev',
    type,
    time: '2026-12-02T10:00:00Z',
    datacontenttype: 'application/json',
    data: { name: 'team-a/app', reference: '1.4', digest: DIGEST, mediaType: OCI_MANIFEST, manifest: '{}', ...data },
    ...overrides,
  };
}

describe('parseRegistryWebhook: Docker Distribution notifications', () => {
  it('reads a tagged manifest push and an untagged one', () => {
    const untagged = distributionEvent({ id: 'evt-2', target: { mediaType: OCI_MANIFEST, digest: OTHER, repository: 'team-a/app', url: 'http://r/v2/team-a/app/manifests/x' } });
    const result = parseRegistryWebhook({ events: [distributionEvent(), untagged] }, OPTIONS);
    expect(result.rejected).toEqual([]);
    expect(result.events).toEqual([
      { kind: 'push', eventId: 'evt-1', account: 'local', region: 'local-1', repository: 'team-a/app', digest: DIGEST, tag: '1.4', time: '2026-12-02T10:00:00.123456789Z' },
      { kind: 'push', eventId: 'evt-2', account: 'local', region: 'local-1', repository: 'team-a/app', digest: OTHER, time: '2026-12-02T10:00:00.123456789Z' },
    ]);
  });

  it('reads a manifest delete, which names only the repository and digest', () => {
    const result = parseRegistryWebhook({ events: [distributionEvent({ action: 'delete', target: { digest: DIGEST, repository: 'team-a/app' } })] }, OPTIONS);
    expect(result).toEqual({ events: [expect.objectContaining({ kind: 'delete', digest: DIGEST, repository: 'team-a/app' })], rejected: [] });
    expect(result.events[0]).not.toHaveProperty('tag');
  });

  it('drops pulls, mounts, blob pushes, blob deletes and tag-only deletes without rejecting them', () => {
    const layer = { mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: DIGEST, repository: 'team-a/app', url: 'http://r/v2/team-a/app/blobs/x' };
    const events = [
      distributionEvent({ action: 'pull' }),
      distributionEvent({ action: 'mount', target: layer }),
      distributionEvent({ target: layer }),
      distributionEvent({ target: { ...layer, mediaType: 'application/vnd.oci.image.config.v1+json' } }),
      distributionEvent({ target: { digest: DIGEST, repository: 'team-a/app' } }),
      distributionEvent({ action: 'delete', target: { digest: DIGEST, repository: 'team-a/app', url: 'http://r/v2/team-a/app/blobs/x' } }),
      distributionEvent({ action: 'delete', target: { repository: 'team-a/app', tag: '1.4' } }),
    ];
    expect(parseRegistryWebhook({ events }, OPTIONS)).toEqual({ events: [], rejected: [] });
  });

  it('rejects each malformed entry by its index and keeps the good ones', () => {
    const target = (fields: Record<string, unknown>) => ({ mediaType: OCI_MANIFEST, digest: DIGEST, repository: 'team-a/app', ...fields });
    const events = [
      distributionEvent(),
      'not an event',
      distributionEvent({ target: target({ digest: `sha256:${'A'.repeat(64)}` }) }),
      distributionEvent({ target: target({ digest: undefined }) }),
      distributionEvent({ target: target({ repository: undefined }) }),
      distributionEvent({ target: target({ tag: 'bad tag' }) }),
      distributionEvent({ timestamp: 'yesterday' }),
      distributionEvent({ id: '' }),
    ];
    const result = parseRegistryWebhook({ events }, OPTIONS);
    expect(result.events.map((event) => event.eventId)).toEqual(['evt-1']);
    expect(result.rejected.map(({ index }) => index)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const reasons = result.rejected.map(({ reason }) => reason);
    expect(reasons[0]).toMatch(/^not a Distribution event/);
    expect(reasons[1]).toMatch(/^digest "sha256:A+.*" is not a valid sha256 or sha512 digest$/);
    expect(reasons[2]).toBe('a manifest push that names no digest');
    expect(reasons[3]).toBe('a manifest push that names no repository');
    expect(reasons[4]).toBe('tag "bad tag" is not a valid tag');
    expect(reasons[5]).toBe('time "yesterday" is not an RFC 3339 timestamp');
    expect(reasons[6]).toMatch(/^not a Distribution event: id:/);
  });

  it('refuses hostile names and truncates them in the reason', () => {
    const hostile = ['../../etc/passwd', 'Team/App', 'team-a/app\u001b[2J', 'a//b', '/leading', `${'x'.repeat(300)}`, 'team a/app'];
    const events = hostile.map((repository) => distributionEvent({ target: { mediaType: OCI_MANIFEST, digest: DIGEST, repository } }));
    const result = parseRegistryWebhook({ events }, OPTIONS);
    expect(result.events).toEqual([]);
    expect(result.rejected).toHaveLength(hostile.length);
    for (const { reason } of result.rejected) {
      expect(reason).toMatch(/^repository ".*" is not a valid repository name$/);
      expect(reason.length).toBeLessThan(140);
    }
    const tags = ['.hidden', `t${'1'.repeat(128)}`, 'v1\n'];
    const tagged = parseRegistryWebhook({ events: tags.map((tag) => distributionEvent({ target: { mediaType: OCI_MANIFEST, digest: DIGEST, repository: 'team-a/app', tag } })) }, OPTIONS);
    expect(tagged.rejected.map(({ reason }) => reason.split(' ')[0])).toEqual(['tag', 'tag', 'tag']);
  });

  it('ignores a __proto__ key and extra fields rather than trusting them', () => {
    const event = JSON.parse(`{"id":"evt-9","timestamp":"2026-12-02T10:00:00Z","action":"push","__proto__":{"action":"delete"},"target":{"mediaType":"${OCI_MANIFEST}","digest":"${DIGEST}","repository":"team-a/app","kind":"delete"}}`) as unknown;
    expect(parseRegistryWebhook({ events: [event] }, OPTIONS).events).toEqual([expect.objectContaining({ kind: 'push', eventId: 'evt-9' })]);
  });
});

describe('parseRegistryWebhook: Harbor', () => {
  const resource = (digest: string, tag?: string) => ({ digest, ...(tag !== undefined ? { tag } : {}), resource_url: `harbor.local/team-a/app:${tag ?? digest}` });

  it('reads a push of two artifacts with the payload time and a stable ID per resource', () => {
    const payload = harborPayload('PUSH_ARTIFACT', [resource(DIGEST, '1.4'), resource(OTHER)]);
    const result = parseRegistryWebhook(payload, OPTIONS);
    expect(result.rejected).toEqual([]);
    expect(result.events).toEqual([
      expect.objectContaining({ kind: 'push', repository: 'team-a/app', digest: DIGEST, tag: '1.4', time: '2025-12-02T10:00:00.000Z', account: 'local', region: 'local-1' }),
      expect.objectContaining({ kind: 'push', repository: 'team-a/app', digest: OTHER, time: '2025-12-02T10:00:00.000Z' }),
    ]);
    expect(result.events[1]).not.toHaveProperty('tag');
    const [first, second] = result.events.map((event) => event.eventId);
    expect(first).toMatch(/^harbor-[0-9a-f]{32}$/);
    expect(second).not.toBe(first);
    expect(parseRegistryWebhook(structuredClone(payload), OPTIONS).events.map((event) => event.eventId)).toEqual([first, second]);
  });

  it('reads a delete', () => {
    expect(parseRegistryWebhook(harborPayload('DELETE_ARTIFACT', [resource(DIGEST, '1.4')]), OPTIONS).events).toEqual([expect.objectContaining({ kind: 'delete', digest: DIGEST })]);
  });

  it('drops the types that bring no image', () => {
    for (const type of ['PULL_ARTIFACT', 'SCANNING_COMPLETED', 'QUOTA_EXCEED', 'REPLICATION', 'constructor', '__proto__', 'toString']) {
      expect(parseRegistryWebhook(harborPayload(type, [resource(DIGEST, '1.4')]), OPTIONS)).toEqual({ events: [], rejected: [] });
    }
  });

  it('rejects a bad resource by its index, and a payload without a repository as a whole', () => {
    const result = parseRegistryWebhook(harborPayload('PUSH_ARTIFACT', [resource(DIGEST, '1.4'), resource('sha256:123'), { tag: '1.5' }]), OPTIONS);
    expect(result.events).toHaveLength(1);
    expect(result.rejected).toEqual([
      { index: 1, reason: 'digest "sha256:123" is not a valid sha256 or sha512 digest' },
      { index: 2, reason: expect.stringMatching(/^not a Harbor resource: digest:/) },
    ]);
    const noRepository = harborPayload('PUSH_ARTIFACT', [resource(DIGEST)]);
    (noRepository.event_data as Record<string, unknown>).repository = { name: 'app' };
    expect(parseRegistryWebhook(noRepository, OPTIONS)).toEqual({ events: [], rejected: [{ index: 0, reason: expect.stringMatching(/^not a Harbor webhook: event_data\.repository\.repo_full_name/) }] });
    const hostile = parseRegistryWebhook(harborPayload('PUSH_ARTIFACT', [resource(DIGEST)], { repo_full_name: 'team-a/../../x' }), OPTIONS);
    expect(hostile.rejected).toEqual([{ index: 0, reason: 'repository "team-a/../../x" is not a valid repository name' }]);
    expect(parseRegistryWebhook({ ...harborPayload('PUSH_ARTIFACT', []), occur_at: 'now' }, OPTIONS).rejected[0]!.reason).toMatch(/^not a Harbor webhook: occur_at/);
  });
});

describe('parseRegistryWebhook: zot', () => {
  it('reads image updates as pushes and deletions as deletes, whatever the type prefix', () => {
    expect(parseRegistryWebhook(zotEvent('zotregistry.image.updated'), OPTIONS)).toEqual({
      events: [{ kind: 'push', eventId: 'zot-1', account: 'local', region: 'local-1', repository: 'team-a/app', digest: DIGEST, tag: '1.4', time: '2026-12-02T10:00:00Z' }],
      rejected: [],
    });
    expect(parseRegistryWebhook(zotEvent('zotregistry.image.deleted'), OPTIONS).events).toEqual([expect.objectContaining({ kind: 'delete', tag: '1.4' })]);
    expect(parseRegistryWebhook(zotEvent('com.example.registry.image.updated'), OPTIONS).events).toHaveLength(1);
  });

  it('names no tag when the reference is the digest', () => {
    const [event] = parseRegistryWebhook(zotEvent('zotregistry.image.updated', { reference: DIGEST }), OPTIONS).events;
    expect(event).toBeDefined();
    expect(event).not.toHaveProperty('tag');
  });

  it('drops repository, lint and scan events and updates of non-manifests', () => {
    for (const type of ['zotregistry.repository.created', 'zotregistry.image.lint_failed', 'zotregistry.image.scanned']) {
      expect(parseRegistryWebhook(zotEvent(type), OPTIONS)).toEqual({ events: [], rejected: [] });
    }
    expect(parseRegistryWebhook(zotEvent('zotregistry.image.updated', { mediaType: 'application/octet-stream' }), OPTIONS)).toEqual({ events: [], rejected: [] });
  });

  it('rejects what is not a CloudEvent 1.0 or has no image in its data', () => {
    const reasonOf = (body: unknown) => parseRegistryWebhook(body, OPTIONS).rejected.map(({ reason }) => reason);
    expect(reasonOf(zotEvent('zotregistry.image.updated', {}, { specversion: '0.3' }))).toEqual([expect.stringMatching(/^not a CloudEvent: specversion/)]);
    expect(reasonOf(zotEvent('zotregistry.image.updated', {}, { time: undefined }))).toEqual([expect.stringMatching(/^not a CloudEvent: time/)]);
    expect(reasonOf(zotEvent('zotregistry.image.updated', { digest: undefined }))).toEqual([expect.stringMatching(/^not a zot image event: data\.digest|^not a zot image event: digest/)]);
    expect(reasonOf(zotEvent('zotregistry.image.updated', { digest: 'md5:abc' }))).toEqual(['digest "md5:abc" is not a valid sha256 or sha512 digest']);
    expect(reasonOf(zotEvent('zotregistry.image.updated', { name: 'Team-A' }))).toEqual(['repository "Team-A" is not a valid repository name']);
  });

  it('puts a binary-mode event (ce- headers, data as the body) back together', () => {
    const headers = { 'Ce-Specversion': '1.0', 'ce-id': 'zot-7', 'ce-type': 'zotregistry.image.updated', 'ce-source': 'zotregistry.dev', 'ce-time': '2026-12-02T10:00:00Z', 'content-type': 'application/json' };
    const body = { name: 'team-a/app', reference: 'latest', digest: DIGEST, mediaType: OCI_MANIFEST };
    expect(parseRegistryWebhook(cloudEventOfBinary(headers, body), OPTIONS).events).toEqual([expect.objectContaining({ eventId: 'zot-7', tag: 'latest', kind: 'push' })]);
  });
});

describe('parseRegistryWebhook: anything else', () => {
  it('rejects a body of no known family as a whole', () => {
    for (const body of [null, 'push', 42, [], {}, { type: 'PUSH_ARTIFACT' }]) {
      expect(parseRegistryWebhook(body, OPTIONS)).toEqual({ events: [], rejected: [{ index: 0, reason: 'not a Distribution notification, Harbor webhook or zot CloudEvent' }] });
    }
  });
});
