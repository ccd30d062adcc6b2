import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DistributionQuarantineRegistry } from '../../../lambdas/adapters/oci-registry/registry-quarantine.ts';
import { sha256Of, type Digest } from '../../../lambdas/core/digest.ts';
import { MANIFEST_ACCEPT, MediaType } from '../../../lambdas/core/image/media-types.ts';
import type { ImageKey, RepositoryKey } from '../../../lambdas/core/pipeline/model.ts';
import { quarantineMarkerOf } from '../../../lambdas/core/pipeline/quarantine-model.ts';
import { pushTinyImages, tinyImage, type TinyImage } from '../../support/distribution-push.ts';
import { customsRejection } from '../../support/expectations.ts';
import { startRegistry, type RunningRegistry } from '../../support/registry.ts';

// A registry of our own: deleteTag works in its storage directory, which the suite's registry hides.
let registry: RunningRegistry;
let adapter: DistributionQuarantineRegistry;
/** Every request the adapters sent, as `METHOD path`. */
const sent: string[] = [];
const recordingFetch: typeof fetch = (input, init) => {
  sent.push(`${init?.method ?? 'GET'} ${new URL(input instanceof Request ? input.url : input).pathname}`);
  return fetch(input, init);
};

const at = (repository: string): RepositoryKey => ({ account: 'local', region: 'local', repository });
const keyOf = (repository: string, image: TinyImage): ImageKey => ({ ...at(repository), digest: image.digest as Digest });

async function rawTags(repository: string): Promise<string[]> {
  const response = await fetch(`${registry.url}/v2/${repository}/tags/list`);
  const body = (await response.json()) as { tags: string[] | null };
  return [...(body.tags ?? [])].sort();
}

async function rawGet(repository: string, reference: string): Promise<{ status: number; bytes: Buffer }> {
  const response = await fetch(`${registry.url}/v2/${repository}/manifests/${reference}`, { headers: { Accept: MANIFEST_ACCEPT } });
  return { status: response.status, bytes: Buffer.from(await response.arrayBuffer()) };
}

beforeAll(async () => {
  registry = await startRegistry({ deleteEnabled: true });
  adapter = new DistributionQuarantineRegistry({
    registry: { baseUrl: registry.url, fetchImpl: recordingFetch },
    storageRoot: registry.storageRoot,
  });
});

afterAll(async () => {
  await registry?.stop();
});

describe('DistributionQuarantineRegistry on a real docker-registry (Distribution 2.8)', () => {
  it('untags and releases: marker first, both tags removed, digest still pullable, tags restored', async () => {
    const image = tinyImage({ id: 'alpine', versionId: '3.19' });
    const repo = 'quarantine/cycle';
    await pushTinyImages({ host: registry.host }, [{ image, repository: repo, tags: ['v1', 'stable'] }]);
    const key = keyOf(repo, image);
    const marker = quarantineMarkerOf(key.digest);

    expect(await adapter.describe(key)).toEqual({ exists: true, tags: ['stable', 'v1'] });
    const manifest = await adapter.manifest(key);
    expect(Buffer.from(manifest.bytes).equals(image.manifest)).toBe(true);
    expect(manifest.mediaType).toBe(MediaType.ociManifest);

    expect(await adapter.putTag(key, marker, manifest)).toEqual({ outcome: 'tagged' });
    expect(await adapter.putTag(key, marker, manifest)).toEqual({ outcome: 'already' });
    expect(await adapter.deleteTag(key, 'v1')).toEqual({ outcome: 'removed' });
    expect(await adapter.deleteTag(key, 'v1')).toEqual({ outcome: 'absent' });
    expect(await adapter.deleteTag(key, 'stable')).toEqual({ outcome: 'removed' });

    expect(await rawTags(repo)).toEqual([marker]);
    expect((await rawGet(repo, 'v1')).status).toBe(404);
    expect((await rawGet(repo, 'stable')).status).toBe(404);
    const byDigest = await rawGet(repo, image.digest);
    expect(byDigest.status).toBe(200);
    expect(byDigest.bytes.equals(image.manifest)).toBe(true);
    expect(await adapter.describe(key)).toEqual({ exists: true, tags: [marker] });
    expect(await adapter.tagDigest(at(repo), 'v1')).toBeUndefined();
    // Nothing left behind beside what the registry itself keeps.
    expect(readdirSync(join(registry.storageRoot, 'docker/registry/v2/repositories', repo, '_manifests')).sort()).toEqual(['revisions', 'tags']);

    // Release: tags back from the exact bytes, then the marker goes; each step repeatable.
    const again = await adapter.manifest(key);
    expect(await adapter.putTag(key, 'v1', again)).toEqual({ outcome: 'tagged' });
    expect(await adapter.putTag(key, 'v1', again)).toEqual({ outcome: 'already' });
    expect(await adapter.putTag(key, 'stable', again)).toEqual({ outcome: 'tagged' });
    expect(await adapter.deleteTag(key, marker)).toEqual({ outcome: 'removed' });
    expect(await adapter.deleteTag(key, marker)).toEqual({ outcome: 'absent' });
    expect(await rawTags(repo)).toEqual(['stable', 'v1']);
    expect(await adapter.tagDigest(at(repo), 'v1')).toBe(image.digest);
    expect((await rawGet(repo, 'stable')).bytes.equals(image.manifest)).toBe(true);
  });

  it('leaves a tag pushed again onto another digest alone (moved), and other repositories untouched', async () => {
    const first = tinyImage({ id: 'alpine', versionId: '3.19' });
    const second = tinyImage({ id: 'alpine', versionId: '3.19' });
    const repo = 'quarantine/moved';
    await pushTinyImages({ host: registry.host }, [
      { image: first, repository: repo, tags: ['app', 'keep'] },
      { image: first, repository: 'quarantine/other', tags: ['app'] },
    ]);
    await pushTinyImages({ host: registry.host }, [{ image: second, repository: repo, tags: ['app'] }]);
    const key = keyOf(repo, first);

    expect(await adapter.deleteTag(key, 'app')).toEqual({ outcome: 'moved', digest: second.digest });
    expect(await adapter.tagDigest(at(repo), 'app')).toBe(second.digest);
    expect((await rawGet(repo, 'app')).bytes.equals(second.manifest)).toBe(true);
    expect(await adapter.describe(key)).toEqual({ exists: true, tags: ['keep'] });
    expect(await adapter.describe(keyOf(repo, second))).toEqual({ exists: true, tags: ['app'] });

    expect(await adapter.deleteTag(key, 'keep')).toEqual({ outcome: 'removed' });
    expect(await rawTags('quarantine/other')).toEqual(['app']);
    expect(await rawTags(repo)).toEqual(['app']);

    // A tag that never existed, in a repository that never existed: absent, nothing created.
    expect(await adapter.deleteTag(key, 'never')).toEqual({ outcome: 'absent' });
    expect(await adapter.deleteTag(keyOf('quarantine/nowhere', first), 'app')).toEqual({ outcome: 'absent' });
    expect(readdirSync(join(registry.storageRoot, 'docker/registry/v2/repositories/quarantine'))).not.toContain('nowhere');
  });

  it('reads an index with its exact bytes, answers a digest never pushed as gone, refuses bytes of another digest', async () => {
    const child = tinyImage({ id: 'debian', versionId: '12' });
    const repo = 'quarantine/index';
    await pushTinyImages({ host: registry.host }, [{ image: child, repository: repo, tags: [] }]);
    const index = Buffer.from(
      JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [{ mediaType: MediaType.ociManifest, digest: child.digest, size: child.manifest.length, platform: { architecture: 'amd64', os: 'linux' } }] }),
    );
    const put = await fetch(`${registry.url}/v2/${repo}/manifests/multi`, { method: 'PUT', headers: { 'Content-Type': MediaType.ociIndex }, body: index });
    expect(put.status).toBe(201);
    const indexKey: ImageKey = { ...at(repo), digest: sha256Of(index) };

    const read = await adapter.manifest(indexKey);
    expect(read.mediaType).toBe(MediaType.ociIndex);
    expect(Buffer.from(read.bytes).equals(index)).toBe(true);
    expect(await adapter.describe(indexKey)).toEqual({ exists: true, tags: ['multi'] });
    expect(await adapter.describe(keyOf(repo, child))).toEqual({ exists: true, tags: [] });

    const unknown = tinyImage({ id: 'debian', versionId: '12' });
    expect(await adapter.describe(keyOf(repo, unknown))).toEqual({ exists: false });
    expect((await customsRejection(adapter.manifest(keyOf(repo, unknown)))).code).toBe('not-found');

    // The child's bytes offered as the index: refused before anything is sent, the tag not created.
    const error = await customsRejection(adapter.putTag(indexKey, 'wrong', { bytes: child.manifest, mediaType: MediaType.ociManifest }));
    expect(error.code).toBe('digest-mismatch');
    expect(await adapter.tagDigest(at(repo), 'wrong')).toBeUndefined();
  });

  it('refuses repository and tag names outside the OCI spec before any request or filesystem access', async () => {
    const image = tinyImage({ id: 'alpine', versionId: '3.19' });
    const repo = 'quarantine/escape';
    await pushTinyImages({ host: registry.host }, [{ image, repository: repo, tags: ['v1'] }]);
    // A tag link outside the storage root naming the digest: what a traversal would find and remove.
    const outside = mkdtempSync(join(tmpdir(), 'customs-victim-'));
    const victim = join(outside, 'victim');
    mkdirSync(join(victim, 'current'), { recursive: true });
    writeFileSync(join(victim, 'current', 'link'), image.digest);
    const storageRoot = join(outside, 'root');
    mkdirSync(join(storageRoot, 'docker/registry/v2/repositories', repo, '_manifests/tags'), { recursive: true });
    const escaping = new DistributionQuarantineRegistry({ registry: { baseUrl: registry.url, fetchImpl: recordingFetch }, storageRoot });
    const deep = '../'.repeat(9);
    const badTags = [`${deep}victim`, '..', '.', '.hidden', 'a/b', 'a\\b', 'nul\0', '', 'x'.repeat(129), '%2e%2e'];
    const badRepositories = ['../victim', 'quarantine/../../victim', '/quarantine/escape', 'Quarantine/escape', 'quarantine//escape', 'quarantine/escape/', 'a\0b'];
    try {
      const before = sent.length;
      for (const tag of badTags) {
        const key = keyOf(repo, image);
        for (const call of [escaping.deleteTag(key, tag), escaping.putTag(key, tag, { bytes: image.manifest, mediaType: MediaType.ociManifest }), escaping.tagDigest(at(repo), tag)]) {
          expect((await customsRejection(call)).code).toBe('unsafe');
        }
      }
      for (const repository of badRepositories) {
        const key = { ...at(repository), digest: image.digest as Digest };
        for (const call of [escaping.deleteTag(key, 'v1'), escaping.describe(key), escaping.manifest(key), escaping.settings(at(repository)), escaping.tagDigest(at(repository), 'v1')]) {
          expect((await customsRejection(call)).code).toBe('unsafe');
        }
      }
      expect(sent.slice(before)).toEqual([]);
      expect(readFileSync(join(victim, 'current', 'link'), 'utf8')).toBe(image.digest);
      expect(await rawTags(repo)).toEqual(['v1']);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('is a plain registry: mutable, nothing that could expire or re-fetch, no archive, deleteTag needs the storage root', async () => {
    const image = tinyImage({ id: 'alpine', versionId: '3.19' });
    const repo = 'quarantine/plain';
    await pushTinyImages({ host: registry.host }, [{ image, repository: repo, tags: ['v1'] }]);
    const key = keyOf(repo, image);
    expect(adapter.supportsArchive).toBe(false);
    expect(await adapter.settings(at(repo))).toEqual({ repository: at(repo), tagMutability: 'MUTABLE', exclusions: [], expiringLifecycleRules: [], replicatedTo: [] });
    expect(await adapter.storage(key)).toBe('ACTIVE');
    const archive = await customsRejection(adapter.setStorage(key, 'ARCHIVE'));
    expect(archive.code).toBe('unsupported');
    expect(archive.message).toMatch(/no storage classes/);

    const apiOnly = new DistributionQuarantineRegistry({ registry: { baseUrl: registry.url } });
    const refused = await customsRejection(apiOnly.deleteTag(key, 'v1'));
    expect(refused.code).toBe('unsupported');
    expect(refused.message).toMatch(/storage root/);
    expect(await rawTags(repo)).toEqual(['v1']);
    expect(await apiOnly.tagDigest(at(repo), 'v1')).toBe(image.digest);
  });
});
