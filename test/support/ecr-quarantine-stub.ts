import {
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  DescribeImagesCommand,
  DescribePullThroughCacheRulesCommand,
  DescribeRegistryCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetLifecyclePolicyCommand,
  PutImageCommand,
  UpdateImageStorageClassCommand,
  type BatchDeleteImageCommandInput,
  type BatchGetImageCommandInput,
  type DescribeImagesCommandInput,
  type DescribePullThroughCacheRulesCommandInput,
  type DescribeRegistryCommandInput,
  type DescribeRepositoriesCommandInput,
  type GetLifecyclePolicyCommandInput,
  type ImageFailure,
  type ImageIdentifier,
  type PutImageCommandInput,
  type ReplicationRule,
  type UpdateImageStorageClassCommandInput,
} from '@aws-sdk/client-ecr';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { createHash, randomUUID } from 'node:crypto';

/**
 * A stateful stand-in for the ECR API quarantine and release speak (aws-sdk-client-mock on every
 * ECRClient), for exact-request tests of what moto cannot model: immutable tags and the two
 * `_WITH_EXCLUSION` modes, ImageTagDoesNotMatchDigest, storage classes, lifecycle policies,
 * pull-through-cache and replication rules. It holds images (digest → tags, storage status) per
 * repository and answers as ECR documents:
 * - PutImage puts a tag on the digest: a tag already there is ImageAlreadyExistsException; a tag on
 *   another digest moves when mutable and is ImageTagAlreadyExistsException when immutable;
 * - BatchDeleteImage removes a tag only while it names the digest (ImageTagDoesNotMatchDigest when
 *   it names another, ImageNotFound when none) and deletes an image with its last tag;
 * - BatchGetImage and DescribeImages answer by digest or by tag;
 * - UpdateImageStorageClass archives at once and restores to ACTIVATING.
 * Every request is recorded in order; hooks run before or after a command to fail it or to change
 * the images between two calls (a push landing in the middle of a quarantine).
 */
export type EcrStubCommand =
  | 'BatchGetImage'
  | 'PutImage'
  | 'BatchDeleteImage'
  | 'UpdateImageStorageClass'
  | 'DescribeImages'
  | 'DescribeRepositories'
  | 'GetLifecyclePolicy'
  | 'DescribePullThroughCacheRules'
  | 'DescribeRegistry';

export interface EcrStubRequest {
  readonly command: EcrStubCommand;
  readonly input: object;
}

export type EcrStubWrite =
  | { readonly command: 'PutImage'; readonly input: PutImageCommandInput }
  | { readonly command: 'BatchDeleteImage'; readonly input: BatchDeleteImageCommandInput }
  | { readonly command: 'UpdateImageStorageClass'; readonly input: UpdateImageStorageClassCommandInput };

export type StubTagMutability = 'MUTABLE' | 'IMMUTABLE' | 'MUTABLE_WITH_EXCLUSION' | 'IMMUTABLE_WITH_EXCLUSION';
export type StubStorageStatus = 'ACTIVE' | 'ARCHIVED' | 'ACTIVATING';

export interface StubRepositorySettings {
  /** Default MUTABLE. */
  readonly mutability?: StubTagMutability;
  /** WILDCARD exclusion filters (`*` any run of characters, whole-tag match). */
  readonly exclusions?: readonly string[];
  /** The lifecycle policy text GetLifecyclePolicy answers; none: LifecyclePolicyNotFoundException. */
  readonly lifecyclePolicy?: string;
}

/** A manifest as ECR stores it: its bytes (as text) and media type. */
export interface StubManifest {
  readonly text: string;
  readonly mediaType: string;
}

export interface EcrQuarantineStubOptions {
  /** The registry (account) ID the stub answers as. */
  readonly account: string;
  readonly region: string;
  /** Adds to an existing mock of ECRClient (its other commands stay as set); default a new one. */
  readonly mock?: AwsClientStub<ECRClient>;
  /**
   * Where BatchGetImage's manifests come from when an image was registered without one (a real
   * registry behind the stub); undefined answers ImageNotFound.
   */
  readonly manifestOf?: (repository: string, digest: string, acceptedMediaTypes: readonly string[]) => Promise<StubManifest | undefined>;
  /** DescribeImages' imagePushedAt for images registered without one. */
  readonly pushedAt?: Date;
}

export interface HookOptions {
  /** Runs only for requests this accepts. */
  readonly when?: (input: never) => boolean;
  /** How many matching requests it runs for; default once. */
  readonly times?: number;
}

export interface EcrQuarantineStub {
  readonly mock: AwsClientStub<ECRClient>;
  /** Every request, in order, as sent. */
  readonly requests: EcrStubRequest[];
  /** Every PutImage, BatchDeleteImage and UpdateImageStorageClass, in order, as sent. */
  readonly writes: EcrStubWrite[];
  /** Digests whose DescribeImages is throttled (ThrottlingException). */
  readonly throttledDescribes: Set<string>;
  /** Registers (or replaces) the digest in the repository with exactly these tags. */
  image(repository: string, digest: string, tags: readonly string[], options?: { manifest?: StubManifest; pushedAt?: Date; status?: StubStorageStatus }): void;
  /** A user's push of `tag` onto the digest (registered with `manifest` when new), moving it as ECR would; an immutable tag held elsewhere throws. */
  push(repository: string, tag: string, digest: string, manifest?: StubManifest): void;
  /** A user's deletion of a tag (the image goes with its last tag). */
  deleteTag(repository: string, tag: string): void;
  /** The tags on the digest now, sorted; undefined when the stub has no such image. */
  tags(repository: string, digest: string): readonly string[] | undefined;
  /** The digest a tag names now. */
  tagOwner(repository: string, tag: string): string | undefined;
  status(repository: string, digest: string): StubStorageStatus;
  setStatus(repository: string, digest: string, status: StubStorageStatus): void;
  /** Sets the repository's settings (merged into what was set before). */
  repository(name: string, settings: StubRepositorySettings): void;
  /** The registry's pull-through-cache rules (DescribePullThroughCacheRules). */
  pullThroughCache(rules: readonly { readonly prefix: string; readonly upstreamRegistryUrl: string }[]): void;
  /** The registry's replication rules (DescribeRegistry). */
  replication(rules: readonly ReplicationRule[]): void;
  /** Runs `run` before each matching request (a throw becomes the request's error). */
  before<C extends EcrStubCommand>(command: C, run: (input: InputOf<C>) => void | Promise<void>, options?: HookOptions): void;
  /** Runs `run` after each matching request, answered or failed, before the caller sees the answer. */
  after<C extends EcrStubCommand>(command: C, run: (input: InputOf<C>) => void | Promise<void>, options?: HookOptions): void;
  /** The requests recorded since `from` (an index into `requests`), as [command, input] pairs. */
  since(from: number): EcrStubRequest[];
  restore(): void;
}

interface Inputs {
  BatchGetImage: BatchGetImageCommandInput;
  PutImage: PutImageCommandInput;
  BatchDeleteImage: BatchDeleteImageCommandInput;
  UpdateImageStorageClass: UpdateImageStorageClassCommandInput;
  DescribeImages: DescribeImagesCommandInput;
  DescribeRepositories: DescribeRepositoriesCommandInput;
  GetLifecyclePolicy: GetLifecyclePolicyCommandInput;
  DescribePullThroughCacheRules: DescribePullThroughCacheRulesCommandInput;
  DescribeRegistry: DescribeRegistryCommandInput;
}
export type InputOf<C extends EcrStubCommand> = Inputs[C];

interface StubImage {
  tags: string[];
  manifest?: StubManifest;
  pushedAt: Date;
  status: StubStorageStatus;
}

interface Hook {
  readonly command: EcrStubCommand;
  readonly when: 'before' | 'after';
  readonly run: (input: never) => void | Promise<void>;
  readonly accepts?: (input: never) => boolean;
  left: number;
}

const DEFAULT_PUSHED_AT = new Date('2026-11-16T01:54:30Z');

/** An ECR API error as the SDK raises it. */
export function ecrError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });
}

/** A real OCI image manifest (unique per seed) and its digest: the sha256 of exactly these bytes. */
export function ociManifest(seed: string): StubManifest & { readonly digest: string } {
  const blob = (what: string) => `sha256:${createHash('sha256').update(`${seed}/${what}`).digest('hex')}`;
  const text = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: blob('config'), size: 1469 },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: blob('layer'), size: 3_623_807 }],
    annotations: { 'org.opencontainers.image.title': seed },
  });
  return { text, mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${createHash('sha256').update(text).digest('hex')}` };
}

export function startEcrQuarantineStub(options: EcrQuarantineStubOptions): EcrQuarantineStub {
  const { account, region } = options;
  const ecr = options.mock ?? mockClient(ECRClient);
  const images = new Map<string, StubImage>();
  const settings = new Map<string, StubRepositorySettings>();
  let pullThroughCacheRules: { prefix: string; upstreamRegistryUrl: string }[] = [];
  let replicationRules: ReplicationRule[] = [];
  const requests: EcrStubRequest[] = [];
  const writes: EcrStubWrite[] = [];
  const throttledDescribes = new Set<string>();
  const hooks: Hook[] = [];

  const keyOf = (repository: string, digest: string) => `${repository}@${digest}`;
  const tagOwner = (repository: string, tag: string): string | undefined =>
    [...images].find(([key, image]) => key.startsWith(`${repository}@`) && image.tags.includes(tag))?.[0].slice(repository.length + 1);
  const digestOf = (repository: string, id: ImageIdentifier | undefined): string =>
    id?.imageDigest ?? (id?.imageTag !== undefined ? (tagOwner(repository, id.imageTag) ?? '') : '');
  const immutable = (repository: string, tag: string): boolean => {
    const { mutability = 'MUTABLE', exclusions = [] } = settings.get(repository) ?? {};
    const excluded = exclusions.some((filter) => wildcard(filter).test(tag));
    if (mutability === 'MUTABLE') return false;
    if (mutability === 'IMMUTABLE') return true;
    return mutability === 'IMMUTABLE_WITH_EXCLUSION' ? !excluded : excluded;
  };
  const removeTag = (repository: string, digest: string, tag: string): void => {
    const key = keyOf(repository, digest);
    const image = images.get(key)!;
    image.tags = image.tags.filter((other) => other !== tag);
    // ECR deletes an image with its last tag.
    if (image.tags.length === 0) images.delete(key);
  };

  async function runHooks(command: EcrStubCommand, when: 'before' | 'after', input: object): Promise<void> {
    for (const hook of hooks) {
      if (hook.command !== command || hook.when !== when || hook.left <= 0) continue;
      if (hook.accepts && !hook.accepts(input as never)) continue;
      hook.left--;
      await hook.run(input as never);
    }
  }

  function answer<C extends EcrStubCommand>(command: C, handle: (input: InputOf<C>) => Promise<object> | object): (input: InputOf<C>) => Promise<object> {
    return async (input) => {
      requests.push({ command, input });
      if (command === 'PutImage' || command === 'BatchDeleteImage' || command === 'UpdateImageStorageClass') writes.push({ command, input } as EcrStubWrite);
      await runHooks(command, 'before', input);
      try {
        return await handle(input);
      } finally {
        await runHooks(command, 'after', input);
      }
    };
  }

  ecr.on(DescribeImagesCommand).callsFake(
    answer('DescribeImages', (input) => {
      const repository = input.repositoryName!;
      const digest = digestOf(repository, input.imageIds?.[0]);
      if (throttledDescribes.has(digest)) throw ecrError('ThrottlingException', 'Rate exceeded');
      const image = images.get(keyOf(repository, digest));
      if (!image) throw ecrError('ImageNotFoundException', `The image with imageId ${JSON.stringify(input.imageIds?.[0])} does not exist within the repository`);
      return {
        imageDetails: [
          { registryId: account, repositoryName: repository, imageDigest: digest, imageTags: [...image.tags], imagePushedAt: image.pushedAt, imageStatus: image.status, ...(image.manifest ? { imageManifestMediaType: image.manifest.mediaType } : {}) },
        ],
      };
    }),
  );

  ecr.on(BatchGetImageCommand).callsFake(
    answer('BatchGetImage', async (input) => {
      const repository = input.repositoryName!;
      const found = [];
      const failures: ImageFailure[] = [];
      for (const id of input.imageIds ?? []) {
        const digest = digestOf(repository, id);
        const image = images.get(keyOf(repository, digest));
        const manifest = image && (image.manifest ?? (await options.manifestOf?.(repository, digest, input.acceptedMediaTypes ?? [])));
        if (!image || !manifest) {
          failures.push({ imageId: id, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' });
          continue;
        }
        // ECR would convert (changing the digest) or refuse; the stub refuses, so a caller that forgets a type sees it.
        if (input.acceptedMediaTypes && !input.acceptedMediaTypes.includes(manifest.mediaType)) {
          throw ecrError('UnsupportedImageTypeException', `${manifest.mediaType} is not among the accepted media types`);
        }
        found.push({
          registryId: account,
          repositoryName: repository,
          imageId: { imageDigest: digest, ...(id.imageTag !== undefined ? { imageTag: id.imageTag } : {}) },
          imageManifest: manifest.text,
          imageManifestMediaType: manifest.mediaType,
        });
      }
      return { images: found, failures };
    }),
  );

  ecr.on(PutImageCommand).callsFake(
    answer('PutImage', (input) => {
      const repository = input.repositoryName!;
      const digest = input.imageDigest!;
      const tag = input.imageTag!;
      const image = images.get(keyOf(repository, digest));
      if (!image) throw ecrError('ImageNotFoundException', 'image not found');
      if (image.tags.includes(tag)) throw ecrError('ImageAlreadyExistsException', `Image with digest '${digest}' and tag '${tag}' already exists in the repository`);
      const owner = tagOwner(repository, tag);
      if (owner !== undefined) {
        if (immutable(repository, tag)) throw ecrError('ImageTagAlreadyExistsException', `The image tag '${tag}' already exists in the '${repository}' repository and cannot be overwritten because the tag is immutable.`);
        removeTag(repository, owner, tag);
      }
      image.tags = [...image.tags, tag].sort();
      return { image: { registryId: account, repositoryName: repository, imageId: { imageDigest: digest, imageTag: tag }, imageManifest: input.imageManifest } };
    }),
  );

  ecr.on(BatchDeleteImageCommand).callsFake(
    answer('BatchDeleteImage', (input) => {
      const repository = input.repositoryName!;
      const imageIds: ImageIdentifier[] = [];
      const failures: ImageFailure[] = [];
      for (const id of input.imageIds ?? []) {
        const image = id.imageDigest !== undefined ? images.get(keyOf(repository, id.imageDigest)) : undefined;
        if (!image || !id.imageTag) failures.push({ imageId: id, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' });
        else if (!image.tags.includes(id.imageTag)) {
          failures.push({ imageId: id, failureCode: tagOwner(repository, id.imageTag) ? 'ImageTagDoesNotMatchDigest' : 'ImageNotFound', failureReason: 'Invalid image tag: the tag does not match the digest' });
        } else {
          removeTag(repository, id.imageDigest!, id.imageTag);
          imageIds.push(id);
        }
      }
      return { imageIds, failures };
    }),
  );

  // Archive is immediate; a restore reports ACTIVATING, as ECR's does, until the test says otherwise.
  ecr.on(UpdateImageStorageClassCommand).callsFake(
    answer('UpdateImageStorageClass', (input) => {
      const image = images.get(keyOf(input.repositoryName!, input.imageId?.imageDigest ?? ''));
      if (!image) throw ecrError('ImageNotFoundException', 'image not found');
      image.status = input.targetStorageClass === 'ARCHIVE' ? 'ARCHIVED' : image.status === 'ARCHIVED' ? 'ACTIVATING' : image.status;
      return { registryId: account, repositoryName: input.repositoryName, imageId: input.imageId, imageStatus: image.status };
    }),
  );

  ecr.on(DescribeRepositoriesCommand).callsFake(
    answer('DescribeRepositories', (input) => ({
      repositories: (input.repositoryNames ?? []).map((repositoryName) => {
        const { mutability = 'MUTABLE', exclusions = [] } = settings.get(repositoryName) ?? {};
        return {
          registryId: account,
          repositoryName,
          repositoryArn: `arn:aws:ecr:${region}:${account}:repository/${repositoryName}`,
          imageTagMutability: mutability,
          ...(exclusions.length > 0 ? { imageTagMutabilityExclusionFilters: exclusions.map((filter) => ({ filterType: 'WILDCARD' as const, filter })) } : {}),
        };
      }),
    })),
  );

  ecr.on(GetLifecyclePolicyCommand).callsFake(
    answer('GetLifecyclePolicy', (input) => {
      const text = settings.get(input.repositoryName!)?.lifecyclePolicy;
      if (text === undefined) throw ecrError('LifecyclePolicyNotFoundException', 'Lifecycle policy does not exist for the repository');
      return { registryId: account, repositoryName: input.repositoryName, lifecyclePolicyText: text };
    }),
  );

  ecr.on(DescribePullThroughCacheRulesCommand).callsFake(
    answer('DescribePullThroughCacheRules', () => ({
      pullThroughCacheRules: pullThroughCacheRules.map((rule) => ({ registryId: account, ecrRepositoryPrefix: rule.prefix, upstreamRegistryUrl: rule.upstreamRegistryUrl })),
    })),
  );

  ecr.on(DescribeRegistryCommand).callsFake(answer('DescribeRegistry', () => ({ registryId: account, replicationConfiguration: { rules: replicationRules } })));

  const addHook = (when: 'before' | 'after', command: EcrStubCommand, run: (input: never) => void | Promise<void>, hookOptions: HookOptions = {}) => {
    hooks.push({ command, when, run, ...(hookOptions.when ? { accepts: hookOptions.when } : {}), left: hookOptions.times ?? 1 });
  };

  return {
    mock: ecr,
    requests,
    writes,
    throttledDescribes,
    image(repository, digest, tags, imageOptions = {}) {
      images.set(keyOf(repository, digest), {
        tags: [...tags].sort(),
        ...(imageOptions.manifest ? { manifest: imageOptions.manifest } : {}),
        pushedAt: imageOptions.pushedAt ?? options.pushedAt ?? DEFAULT_PUSHED_AT,
        status: imageOptions.status ?? 'ACTIVE',
      });
    },
    push(repository, tag, digest, manifest) {
      const owner = tagOwner(repository, tag);
      if (owner === digest) return;
      if (owner !== undefined) {
        if (immutable(repository, tag)) throw ecrError('ImageTagAlreadyExistsException', `The image tag '${tag}' is immutable`);
        removeTag(repository, owner, tag);
      }
      const image = images.get(keyOf(repository, digest));
      if (image) image.tags = [...image.tags, tag].sort();
      else images.set(keyOf(repository, digest), { tags: [tag], ...(manifest ? { manifest } : {}), pushedAt: new Date(), status: 'ACTIVE' });
    },
    deleteTag(repository, tag) {
      const owner = tagOwner(repository, tag);
      if (owner !== undefined) removeTag(repository, owner, tag);
    },
    tags: (repository, digest) => images.get(keyOf(repository, digest))?.tags,
    tagOwner,
    status: (repository, digest) => images.get(keyOf(repository, digest))?.status ?? 'ACTIVE',
    setStatus(repository, digest, status) {
      const image = images.get(keyOf(repository, digest));
      if (image) image.status = status;
    },
    repository(name, value) {
      settings.set(name, { ...settings.get(name), ...value });
    },
    pullThroughCache(rules) {
      pullThroughCacheRules = [...rules];
    },
    replication(rules) {
      replicationRules = [...rules];
    },
    before: (command, run, hookOptions) => addHook('before', command, run as (input: never) => void, hookOptions),
    after: (command, run, hookOptions) => addHook('after', command, run as (input: never) => void, hookOptions),
    since: (from) => requests.slice(from),
    restore() {
      if (!options.mock) ecr.restore();
    },
  };
}

/** An ECR WILDCARD filter as a whole-tag pattern: `*` is any run of characters, nothing else is special. */
function wildcard(filter: string): RegExp {
  return new RegExp(`^${filter.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

/** A unique repository name for a test (the stub is per file, but names keep tests apart). */
export function uniqueRepository(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}
