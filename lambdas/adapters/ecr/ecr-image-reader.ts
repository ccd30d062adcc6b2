import { BatchGetImageCommand, DescribeImagesCommand, type ECRClient } from '@aws-sdk/client-ecr';
import { isDigest, type Digest } from '../../core/digest.ts';
import { INDEX_MEDIA_TYPES, MANIFEST_MEDIA_TYPES } from '../../core/image/media-types.ts';
import type { RegistryImageReader } from '../../core/ports.ts';

/**
 * Re-reads what ECR holds now. Events are hints, at least once and unordered, so before the scanner
 * changes tag state it asks ECR: which tags does this digest carry, does the digest still exist,
 * where does a tag point. Errors other than "not found" go up as the SDK raised them, so throttling
 * and 5xx are retried through the queue.
 */
export interface EcrRepositoryRef {
  /** The registry (account) ID: events from several accounts name their own. */
  readonly account: string;
  readonly repository: string;
}

export type EcrImageDetails =
  | { readonly exists: false }
  | {
      readonly exists: true;
      readonly digest: Digest;
      readonly tags: readonly string[];
      readonly pushedAt?: Date;
      readonly manifestMediaType?: string;
      readonly artifactMediaType?: string;
      readonly sizeBytes?: number;
    };

// ECR converts a manifest it serves when the stored type is not accepted; ask for every stored type.
const ACCEPTED_MEDIA_TYPES = [...INDEX_MEDIA_TYPES, ...MANIFEST_MEDIA_TYPES];
const GONE = new Set(['ImageNotFoundException', 'RepositoryNotFoundException']);
const TAG_GONE = new Set(['ImageNotFound', 'ImageTagDoesNotMatchDigest']);

/** The core's RegistryImageReader on ECR (`account` is the registry ID; the client's region is the region). */
export class EcrImageReader implements RegistryImageReader {
  constructor(private readonly ecr: ECRClient) {}

  /** The digest's current tags and push time, or that ECR no longer has it. */
  async describe(ref: EcrRepositoryRef, digest: Digest): Promise<EcrImageDetails> {
    const output = await this.ecr
      .send(new DescribeImagesCommand({ registryId: ref.account, repositoryName: ref.repository, imageIds: [{ imageDigest: digest }] }))
      .catch(goneAsUndefined);
    const detail = output?.imageDetails?.find((image) => image.imageDigest === digest);
    if (!detail) return { exists: false };
    return {
      exists: true,
      digest,
      tags: [...(detail.imageTags ?? [])].sort(),
      ...(detail.imagePushedAt ? { pushedAt: detail.imagePushedAt } : {}),
      ...(detail.imageManifestMediaType ? { manifestMediaType: detail.imageManifestMediaType } : {}),
      ...(detail.artifactMediaType ? { artifactMediaType: detail.artifactMediaType } : {}),
      ...(detail.imageSizeInBytes !== undefined ? { sizeBytes: detail.imageSizeInBytes } : {}),
    };
  }

  /** The digest a tag names now, or undefined when the tag (or repository) is gone. */
  async tagDigest(ref: EcrRepositoryRef, tag: string): Promise<Digest | undefined> {
    const output = await this.ecr
      .send(new BatchGetImageCommand({ registryId: ref.account, repositoryName: ref.repository, imageIds: [{ imageTag: tag }], acceptedMediaTypes: ACCEPTED_MEDIA_TYPES }))
      .catch(goneAsUndefined);
    if (!output) return undefined;
    const digest = output.images?.find((image) => image.imageId?.imageTag === tag)?.imageId?.imageDigest;
    if (digest && isDigest(digest)) return digest;
    // A missing tag is a failure entry, not an error; any other failure is ECR's trouble, not an answer.
    const failure = output.failures?.find((entry) => entry.failureCode && !TAG_GONE.has(entry.failureCode));
    if (failure) throw new Error(`ECR BatchGetImage ${ref.repository}:${tag} failed: ${failure.failureCode} ${failure.failureReason ?? ''}`.trim());
    return undefined;
  }
}

function goneAsUndefined(error: unknown): undefined {
  if (error instanceof Error && GONE.has(error.name)) return undefined;
  throw error;
}
