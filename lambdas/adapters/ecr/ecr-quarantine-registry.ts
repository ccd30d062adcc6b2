import {
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  DescribeImagesCommand,
  PutImageCommand,
  UpdateImageStorageClassCommand,
  type ECRClient,
  type ImageFailure,
} from '@aws-sdk/client-ecr';
import type { Digest } from '../../core/digest.ts';
import { CustomsError } from '../../core/errors.ts';
import { INDEX_MEDIA_TYPES, MANIFEST_MEDIA_TYPES } from '../../core/image/media-types.ts';
import type { ImageKey, RegistryImage, RepositoryKey } from '../../core/pipeline/model.ts';
import { QUARANTINE_MARKER_PREFIX, type StorageStatus } from '../../core/pipeline/quarantine-model.ts';
import type { RepositorySettings } from '../../core/pipeline/repository-settings.ts';
import type { DeleteTagOutcome, ManifestBytes, PutTagOutcome, QuarantineRegistry } from '../../core/ports.ts';
import type { EcrClients } from './ecr-clients.ts';
import { EcrImageReader } from './ecr-image-reader.ts';
import { assertManifestDigest, manifestBytesOf, manifestStringOf } from './ecr-manifest-bytes.ts';
import { EcrRepositorySettingsReader } from './ecr-repository-settings.ts';

/**
 * The core's QuarantineRegistry on ECR. Every call names the image's account as registryId and goes
 * to its Region's client. Tags are put back with PutImage and the exact manifest bytes (so the
 * digest cannot change) and removed with BatchDeleteImage naming digest and tag together (so a tag
 * pushed again meanwhile stays). Errors that are not answers go up as the SDK raised them (it
 * retries throttling itself; the queue retries the rest).
 */
export interface EcrQuarantineRegistryOptions {
  readonly clients: EcrClients;
  /** Default: a reader on the same clients that knows the quarantine marker. */
  readonly settings?: EcrRepositorySettingsReader;
}

// Without every stored type listed, ECR converts the manifest it serves (changing its digest) or refuses.
const ACCEPTED_MEDIA_TYPES = [...INDEX_MEDIA_TYPES, ...MANIFEST_MEDIA_TYPES];
const STATUSES: ReadonlySet<string> = new Set<StorageStatus>(['ACTIVE', 'ARCHIVED', 'ACTIVATING']);
// What UpdateImageStorageClass may answer for an image already in (or on its way to) the class asked for.
const REFUSALS: ReadonlySet<string> = new Set(['InvalidParameterException', 'ImageStorageClassUpdateNotSupportedException']);
const REACHED: Readonly<Record<'ARCHIVE' | 'STANDARD', ReadonlySet<StorageStatus>>> = {
  ARCHIVE: new Set(['ARCHIVED']),
  STANDARD: new Set(['ACTIVE', 'ACTIVATING']),
};

export class EcrQuarantineRegistry implements QuarantineRegistry {
  readonly supportsArchive = true;
  private readonly clients: EcrClients;
  private readonly settingsReader: EcrRepositorySettingsReader;

  constructor(options: EcrQuarantineRegistryOptions) {
    this.clients = options.clients;
    this.settingsReader = options.settings ?? new EcrRepositorySettingsReader({ clients: options.clients, markerPrefix: QUARANTINE_MARKER_PREFIX });
  }

  settings(repository: RepositoryKey): Promise<RepositorySettings> {
    return this.settingsReader.settings(repository);
  }

  async describe(key: ImageKey): Promise<RegistryImage> {
    const details = await this.reader(key).describe(key, key.digest);
    if (!details.exists) return { exists: false };
    return { exists: true, tags: details.tags, ...(details.pushedAt ? { pushedAt: details.pushedAt } : {}) };
  }

  tagDigest(repository: RepositoryKey, tag: string): Promise<Digest | undefined> {
    return this.reader(repository).tagDigest(repository, tag);
  }

  async manifest(key: ImageKey): Promise<ManifestBytes> {
    const output = await this.ecr(key).send(
      new BatchGetImageCommand({ registryId: key.account, repositoryName: key.repository, imageIds: [{ imageDigest: key.digest }], acceptedMediaTypes: ACCEPTED_MEDIA_TYPES }),
    );
    const image = output.images?.find((entry) => entry.imageId?.imageDigest === key.digest);
    if (!image?.imageManifest) {
      const failure = output.failures?.[0];
      if (!failure || failure.failureCode === 'ImageNotFound') throw new CustomsError('not-found', `ECR has no manifest ${key.digest} in ${where(key)}`);
      throw failed('BatchGetImage', key, failure);
    }
    const bytes = manifestBytesOf(image.imageManifest);
    // ECR answers a converted manifest under the digest asked for; never let other bytes reach a tag.
    assertManifestDigest(bytes, key.digest, `ECR BatchGetImage ${where(key)}`);
    const mediaType = image.imageManifestMediaType;
    if (!mediaType) throw new CustomsError('unsupported', `ECR gave manifest ${key.digest} in ${where(key)} without its media type`);
    return { bytes, mediaType };
  }

  async putTag(key: ImageKey, tag: string, manifest: ManifestBytes): Promise<PutTagOutcome> {
    assertManifestDigest(manifest.bytes, key.digest, `the bytes to tag ${tag} with`);
    const request = {
      registryId: key.account,
      repositoryName: key.repository,
      imageManifest: manifestStringOf(manifest.bytes, key.digest),
      imageManifestMediaType: manifest.mediaType,
      imageTag: tag,
      imageDigest: key.digest,
    };
    try {
      await this.ecr(key).send(new PutImageCommand(request));
      return { outcome: 'tagged' };
    } catch (error) {
      const name = nameOf(error);
      if (name !== 'ImageAlreadyExistsException' && name !== 'ImageTagAlreadyExistsException') throw error;
      // Refused as already there (a retry) or as an immutable tag held elsewhere: ask where the tag
      // points rather than trust the error's name, so "already" is only ever said of this digest.
      const holder = await this.tagDigest(key, tag);
      if (holder === key.digest) return { outcome: 'already' };
      if (holder) return { outcome: 'taken', digest: holder };
      if (name === 'ImageTagAlreadyExistsException') return { outcome: 'taken' };
      throw new Error(`ECR PutImage ${where(key)}:${tag} answered ${name}, yet the tag names no image; retry`, { cause: error });
    }
  }

  async deleteTag(key: ImageKey, tag: string): Promise<DeleteTagOutcome> {
    const output = await this.ecr(key).send(
      new BatchDeleteImageCommand({ registryId: key.account, repositoryName: key.repository, imageIds: [{ imageDigest: key.digest, imageTag: tag }] }),
    );
    if (output.imageIds?.length) return { outcome: 'removed' };
    const failure = output.failures?.[0];
    if (!failure) throw new Error(`ECR BatchDeleteImage ${where(key)}:${tag} answered neither a deletion nor a failure`);
    if (failure.failureCode !== 'ImageTagDoesNotMatchDigest' && failure.failureCode !== 'ImageNotFound') throw failed('BatchDeleteImage', key, failure, tag);
    // The tag was pushed again (or is gone): see where it points now and leave it there.
    const holder = await this.tagDigest(key, tag);
    if (!holder) return { outcome: 'absent' };
    if (holder === key.digest) throw new Error(`ECR BatchDeleteImage ${where(key)}:${tag} failed with ${failure.failureCode}, yet the tag names ${key.digest}; retry`);
    return { outcome: 'moved', digest: holder };
  }

  async storage(key: ImageKey): Promise<StorageStatus> {
    const output = await this.ecr(key)
      .send(new DescribeImagesCommand({ registryId: key.account, repositoryName: key.repository, imageIds: [{ imageDigest: key.digest }] }))
      .catch((error: unknown) => {
        if (nameOf(error) === 'ImageNotFoundException') throw new CustomsError('not-found', `ECR has no image ${key.digest} in ${where(key)}`, { cause: error });
        throw error;
      });
    const detail = output.imageDetails?.find((image) => image.imageDigest === key.digest);
    if (!detail) throw new CustomsError('not-found', `ECR has no image ${key.digest} in ${where(key)}`);
    // Images from before storage classes carry no status: they are active.
    return statusOf(detail.imageStatus ?? 'ACTIVE', key);
  }

  async setStorage(key: ImageKey, target: 'ARCHIVE' | 'STANDARD'): Promise<StorageStatus> {
    try {
      const output = await this.ecr(key).send(
        new UpdateImageStorageClassCommand({ registryId: key.account, repositoryName: key.repository, imageId: { imageDigest: key.digest }, targetStorageClass: target }),
      );
      return output.imageStatus ? statusOf(output.imageStatus, key) : await this.storage(key);
    } catch (error) {
      if (!REFUSALS.has(nameOf(error))) throw error;
      // A repeat after a crash: ECR may refuse to move an image to the class it is already in.
      const now = await this.storage(key);
      if (REACHED[target].has(now)) return now;
      throw error;
    }
  }

  private ecr(repository: RepositoryKey): ECRClient {
    return this.clients.forRegion(repository.region);
  }

  private reader(repository: RepositoryKey): EcrImageReader {
    return new EcrImageReader(this.ecr(repository));
  }
}

function statusOf(value: string, key: ImageKey): StorageStatus {
  if (STATUSES.has(value)) return value as StorageStatus;
  throw new Error(`ECR reported image status ${JSON.stringify(value)} for ${key.digest} in ${where(key)}, which Customs does not know`);
}

function failed(operation: string, key: ImageKey, failure: ImageFailure, tag?: string): Error {
  const subject = tag === undefined ? `${where(key)}@${key.digest}` : `${where(key)}:${tag}@${key.digest}`;
  return new Error(`ECR ${operation} ${subject} failed: ${failure.failureCode ?? 'unknown'} ${failure.failureReason ?? ''}`.trim());
}

function where(repository: RepositoryKey): string {
  return `${repository.account}/${repository.region}/${repository.repository}`;
}

function nameOf(error: unknown): string {
  return error instanceof Error ? error.name : '';
}
