import { DigestHasher, digestAlgorithm, digestMismatch, parseDigest, type Digest } from '../../core/digest.ts';
import { CustomsError } from '../../core/errors.ts';
import { INDEX_MEDIA_TYPES, MANIFEST_ACCEPT, MANIFEST_MEDIA_TYPES } from '../../core/image/media-types.ts';
import { DEFAULT_LIMITS } from '../../core/limits.ts';
import type { ImageKey, RegistryImage, RepositoryKey } from '../../core/pipeline/model.ts';
import type { StorageStatus } from '../../core/pipeline/quarantine-model.ts';
import type { RepositorySettings } from '../../core/pipeline/repository-settings.ts';
import type { DeleteTagOutcome, ManifestBytes, PutTagOutcome, QuarantineRegistry } from '../../core/ports.ts';
import { validRepositoryName, validTagName } from './distribution-names.ts';
import { removeTagLink } from './distribution-tag-link.ts';
import { describeImage, manifestPath, tagDigestOf } from './distribution-tags.ts';
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
    return await describeImage(this.http, key.repository, key.digest);
  }

  async tagDigest(repository: RepositoryKey, tag: string): Promise<Digest | undefined> {
    return await tagDigestOf(this.http, validRepositoryName(repository.repository), validTagName(tag));
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
    if ((await tagDigestOf(this.http, repository, tag)) === digest) return { outcome: 'already' };
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

  private what(digest: Digest, repository: string): string {
    return `manifest ${digest} of ${this.http.host}/${repository}`;
  }
}

function assertDigest(bytes: Uint8Array, digest: Digest, what: string): void {
  const hasher = new DigestHasher(digestAlgorithm(digest));
  hasher.update(bytes);
  const actual = hasher.digest();
  if (actual !== digest) throw digestMismatch(what, digest, actual);
}
