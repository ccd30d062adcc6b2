import { z } from 'zod';
import { DigestHasher, digestAlgorithm, digestMismatch, isDigest, parseDigest, type Digest } from '../../core/digest.ts';
import { CustomsError } from '../../core/errors.ts';
import { INDEX_MEDIA_TYPES, MANIFEST_ACCEPT, MANIFEST_MEDIA_TYPES } from '../../core/image/media-types.ts';
import { DEFAULT_LIMITS } from '../../core/limits.ts';
import type { ImageKey, RegistryImage, RepositoryKey } from '../../core/pipeline/model.ts';
import type { StorageStatus } from '../../core/pipeline/quarantine-model.ts';
import type { RepositorySettings } from '../../core/pipeline/repository-settings.ts';
import type { DeleteTagOutcome, ManifestBytes, PutTagOutcome, QuarantineRegistry } from '../../core/ports.ts';
import { validRepositoryName, validTagName } from './distribution-names.ts';
import { removeTagLink } from './distribution-tag-link.ts';
import { LocalRegistryHttp, type LocalRegistryEndpoint } from './local-registry-http.ts';
import { discardBody, readCapped } from './response-body.ts';

/**
 * Quarantine on the local stack's registry: Debian's docker-registry (Distribution 2.8) with
 * filesystem storage. Only `untag` is possible (no storage classes); tags are always mutable and
 * there are no lifecycle rules, pull-through caches or replicas. The key's account and region are
 * not used: the registry has one namespace.
 */
export interface DistributionQuarantineRegistryOptions {
  /** How to reach the registry's API (anonymous, or Basic credentials for an htpasswd config). */
  readonly registry: LocalRegistryEndpoint;
  /**
   * The registry's filesystem storage root (`storage.filesystem.rootdirectory` in its config).
   * Distribution 2.8 cannot delete one tag over its API, so deleteTag removes the tag's link there;
   * without it deleteTag is refused.
   */
  readonly storageRoot?: string;
}

const tagListSchema = z.object({ name: z.string(), tags: z.array(z.string()).nullable() });
const TAG_HEAD_CONCURRENCY = 8;
// Tags/list pages followed at most (2.8 answers every tag in one page unless asked for fewer).
const MAX_TAG_PAGES = 1_000;

export class DistributionQuarantineRegistry implements QuarantineRegistry {
  readonly supportsArchive = false;
  private readonly http: LocalRegistryHttp;

  constructor(private readonly options: DistributionQuarantineRegistryOptions) {
    this.http = new LocalRegistryHttp(options.registry);
  }

  async settings(repository: RepositoryKey): Promise<RepositorySettings> {
    validRepositoryName(repository.repository);
    // A plain registry lets any tag be pushed again and has no lifecycle, cache or replication.
    return { repository, tagMutability: 'MUTABLE', exclusions: [], expiringLifecycleRules: [], replicatedTo: [] };
  }

  async describe(key: ImageKey): Promise<RegistryImage> {
    const repository = validRepositoryName(key.repository);
    const digest = parseDigest(key.digest);
    const head = await this.http.send({ method: 'HEAD', path: manifestPath(repository, digest), headers: { Accept: MANIFEST_ACCEPT }, what: this.what(digest, repository), accept: [404] });
    await discardBody(head);
    if (head.status === 404) return { exists: false };
    const tags: string[] = [];
    const all = await this.listTags(repository);
    await inParallel(all, TAG_HEAD_CONCURRENCY, async (tag) => {
      if ((await this.tagDigestOf(repository, tag)) === digest) tags.push(tag);
    });
    return { exists: true, tags: tags.sort() };
  }

  async tagDigest(repository: RepositoryKey, tag: string): Promise<Digest | undefined> {
    return await this.tagDigestOf(validRepositoryName(repository.repository), validTagName(tag));
  }

  async manifest(key: ImageKey): Promise<ManifestBytes> {
    const repository = validRepositoryName(key.repository);
    const digest = parseDigest(key.digest);
    const what = this.what(digest, repository);
    const response = await this.http.send({ method: 'GET', path: manifestPath(repository, digest), headers: { Accept: MANIFEST_ACCEPT }, what });
    const mediaType = response.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase() ?? '';
    if (!INDEX_MEDIA_TYPES.has(mediaType) && !MANIFEST_MEDIA_TYPES.has(mediaType)) {
      await discardBody(response);
      throw new CustomsError('unsupported', `${what} has media type ${JSON.stringify(mediaType)}, not an image manifest or index`);
    }
    const bytes = await readCapped(response, DEFAULT_LIMITS.maxManifestBytes, what);
    assertDigest(bytes, digest, what);
    return { bytes: new Uint8Array(bytes), mediaType };
  }

  async putTag(key: ImageKey, tag: string, manifest: ManifestBytes): Promise<PutTagOutcome> {
    const repository = validRepositoryName(key.repository);
    validTagName(tag);
    const digest = parseDigest(key.digest);
    const what = `tag ${tag} of ${this.http.host}/${repository}`;
    // Bytes that hash to another digest would move the tag to another image.
    assertDigest(manifest.bytes, digest, `manifest given for ${digest}`);
    if ((await this.tagDigestOf(repository, tag)) === digest) return { outcome: 'already' };
    const response = await this.http.send({
      method: 'PUT',
      path: manifestPath(repository, tag),
      headers: { 'Content-Type': manifest.mediaType },
      body: manifest.bytes,
      what,
    });
    await discardBody(response);
    const stored = response.headers.get('docker-content-digest');
    // Distribution names manifests by their sha256 only.
    if (stored !== digest) throw new CustomsError('digest-mismatch', `${what}: the registry stored the manifest as ${stored ?? 'an unnamed digest'}, not ${digest}`);
    return { outcome: 'tagged' };
  }

  async deleteTag(key: ImageKey, tag: string): Promise<DeleteTagOutcome> {
    const repository = validRepositoryName(key.repository);
    validTagName(tag);
    const digest = parseDigest(key.digest);
    if (this.options.storageRoot === undefined) {
      throw new CustomsError(
        'unsupported',
        `cannot remove tag ${tag} of ${this.http.host}/${repository}: Distribution 2.8 deletes manifests with all their tags, not one tag, and no storage root is configured to remove its link`,
      );
    }
    return await removeTagLink(this.options.storageRoot, repository, tag, digest);
  }

  async storage(key: ImageKey): Promise<StorageStatus> {
    validRepositoryName(key.repository);
    return 'ACTIVE';
  }

  async setStorage(key: ImageKey, target: 'ARCHIVE' | 'STANDARD'): Promise<StorageStatus> {
    throw new CustomsError('unsupported', `cannot move ${key.repository}@${key.digest} to ${target}: a plain Distribution registry has no storage classes (quarantine there can only untag)`);
  }

  private async tagDigestOf(repository: string, tag: string): Promise<Digest | undefined> {
    const response = await this.http.send({ method: 'HEAD', path: manifestPath(repository, tag), headers: { Accept: MANIFEST_ACCEPT }, what: `tag ${tag} of ${this.http.host}/${repository}`, accept: [404] });
    await discardBody(response);
    if (response.status === 404) return undefined;
    const digest = response.headers.get('docker-content-digest');
    if (!digest || !isDigest(digest)) throw new CustomsError('malformed', `tag ${tag} of ${this.http.host}/${repository}: the registry named no valid Docker-Content-Digest`);
    return digest;
  }

  /** Every tag of the repository (none when the registry does not know the repository). */
  private async listTags(repository: string): Promise<string[]> {
    const tags: string[] = [];
    let path: string | undefined = `/v2/${repository}/tags/list`;
    for (let page = 0; path && page < MAX_TAG_PAGES; page++) {
      const response = await this.http.send({ method: 'GET', path, what: `tags of ${this.http.host}/${repository}`, accept: [404] });
      if (response.status === 404) {
        await discardBody(response);
        return tags;
      }
      const body = await readCapped(response, DEFAULT_LIMITS.maxManifestBytes, `tags of ${this.http.host}/${repository}`);
      const parsed = tagListSchema.safeParse(parseJson(body.toString('utf8')));
      if (!parsed.success) throw new CustomsError('malformed', `tags of ${this.http.host}/${repository}: the registry answered an unexpected document`);
      // A name the spec does not allow is not ours to HEAD (or to build a path from).
      for (const tag of parsed.data.tags ?? []) if (isValidTag(tag)) tags.push(tag);
      path = nextPage(response.headers.get('link'), repository);
    }
    return tags;
  }

  private what(digest: Digest, repository: string): string {
    return `manifest ${digest} of ${this.http.host}/${repository}`;
  }
}

function manifestPath(repository: string, reference: string): string {
  return `/v2/${repository}/manifests/${reference}`;
}

function assertDigest(bytes: Uint8Array, digest: Digest, what: string): void {
  const hasher = new DigestHasher(digestAlgorithm(digest));
  hasher.update(bytes);
  const actual = hasher.digest();
  if (actual !== digest) throw digestMismatch(what, digest, actual);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isValidTag(tag: string): boolean {
  try {
    validTagName(tag);
    return true;
  } catch {
    return false;
  }
}

/** RFC 5988 `Link: </v2/<name>/tags/list?last=…&n=…>; rel="next"`, kept to this repository's list. */
function nextPage(link: string | null, repository: string): string | undefined {
  const match = link ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(link) : null;
  if (!match) return undefined;
  const next = new URL(match[1]!, 'http://registry.invalid');
  return next.pathname === `/v2/${repository}/tags/list` ? `${next.pathname}${next.search}` : undefined;
}

async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}
