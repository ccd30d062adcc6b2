import type { ECRClient } from '@aws-sdk/client-ecr';
import { operationOf, type RequestMeter } from './request-meter.ts';

/**
 * ECR's API for the bench, answered in-process (the loopback registry has no ECR API): a token
 * for the registry stand-in, and DescribeImages from the digests the bench pushed. Written as SDK
 * middleware rather than aws-sdk-client-mock so the same few lines run inside the bundled
 * handler without adding a mocking library to its cold start. ECR API calls are not billed.
 *
 * With `quarantine` set it also answers what enforce mode asks (as the scanner handler tests' stub
 * models ECR): tags move with PutImage and BatchDeleteImage, BatchGetImage serves the registry's
 * exact manifest bytes, and the repository is MUTABLE with no lifecycle policy, pull-through
 * cache or replication.
 */
export interface EcrStubConfig {
  /** `user:password` of the registry stand-in. */
  readonly credentials: string;
  /** ECR's proxyEndpoint: `http://127.0.0.1:PORT`. */
  readonly proxyEndpoint: string;
  /** Tags of each digest pushed, by digest (the stub serves one repository). */
  readonly tags: Readonly<Record<string, readonly string[]>>;
  readonly pushedAt: string;
  /** Answer quarantine's commands: the registry the manifests are read from, and the account ECR answers for. */
  readonly quarantine?: { readonly registryHost: string; readonly registryId: string };
}

/** What the stub's ECR holds now: tags by digest (a digest without tags is gone, as ECR deletes it). */
export interface EcrStubState {
  tagsOf(digest: string): readonly string[] | undefined;
}

export function stubEcr(client: ECRClient, config: EcrStubConfig, meter?: RequestMeter): EcrStubState {
  const images = new Map(Object.entries(config.tags).map(([digest, tags]) => [digest, [...tags]]));
  client.middlewareStack.add(
    (_next, context) => async (args) => {
      const operation = operationOf(context.commandName);
      if (meter) {
        const line = meter.line('ECR', operation);
        line.calls++;
        line.billedRequests++;
      }
      return { output: { $metadata: { httpStatusCode: 200 }, ...(await answer(operation, args.input as Record<string, unknown>, config, images)) }, response: {} };
    },
    { step: 'initialize', name: 'benchEcrStub', priority: 'low' },
  );
  return { tagsOf: (digest) => images.get(digest) };
}

type Images = Map<string, string[]>;
interface ImageId {
  imageDigest?: string;
  imageTag?: string;
}

const refusal = (name: string, message: string): Error => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });
const holderOf = (images: Images, tag: string): string | undefined => [...images].find(([, tags]) => tags.includes(tag))?.[0];
const digestOf = (images: Images, id: ImageId | undefined): string => id?.imageDigest ?? (id?.imageTag !== undefined ? (holderOf(images, id.imageTag) ?? '') : '');

async function answer(operation: string, input: Record<string, unknown>, config: EcrStubConfig, images: Images): Promise<Record<string, unknown>> {
  switch (operation) {
    case 'GetAuthorizationToken':
      return {
        authorizationData: [{ authorizationToken: Buffer.from(config.credentials).toString('base64'), expiresAt: new Date(Date.now() + 12 * 3_600_000), proxyEndpoint: config.proxyEndpoint }],
      };
    case 'DescribeImages': {
      const digest = digestOf(images, (input.imageIds as ImageId[] | undefined)?.[0]);
      const tags = images.get(digest);
      if (!tags) throw refusal('ImageNotFoundException', `no image ${digest}`);
      return { imageDetails: [{ imageDigest: digest, imageTags: [...tags], imagePushedAt: new Date(config.pushedAt), ...(config.quarantine ? { imageStatus: 'ACTIVE' } : {}) }] };
    }
  }
  if (!config.quarantine) throw new Error(`the bench's ECR stub does not answer ${operation}`);
  return quarantineAnswer(operation, input, config, config.quarantine, images);
}

async function quarantineAnswer(operation: string, input: Record<string, unknown>, config: EcrStubConfig, quarantine: NonNullable<EcrStubConfig['quarantine']>, images: Images): Promise<Record<string, unknown>> {
  const repositoryName = input.repositoryName as string | undefined;
  switch (operation) {
    case 'BatchGetImage': {
      const id = (input.imageIds as ImageId[] | undefined)?.[0];
      const digest = digestOf(images, id);
      const response = images.has(digest)
        ? await fetch(`http://${quarantine.registryHost}/v2/${repositoryName}/manifests/${digest}`, {
            headers: { Authorization: `Basic ${Buffer.from(config.credentials).toString('base64')}`, Accept: ((input.acceptedMediaTypes as string[] | undefined) ?? []).join(', ') },
          })
        : undefined;
      if (response?.status !== 200) return { images: [], failures: [{ imageId: id, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' }] };
      const imageManifest = await response.text();
      return {
        images: [{ registryId: quarantine.registryId, repositoryName, imageId: { imageDigest: digest, ...(id?.imageTag !== undefined ? { imageTag: id.imageTag } : {}) }, imageManifest, imageManifestMediaType: response.headers.get('content-type') ?? undefined }],
        failures: [],
      };
    }
    case 'PutImage': {
      const digest = input.imageDigest as string;
      const tag = input.imageTag as string;
      const tags = images.get(digest);
      if (!tags) throw refusal('ImageNotFoundException', `no image ${digest}`);
      if (tags.includes(tag)) throw refusal('ImageAlreadyExistsException', `Image with digest '${digest}' and tag '${tag}' already exists`);
      // A mutable tag moves from the digest that had it.
      const holder = holderOf(images, tag);
      if (holder !== undefined) images.set(holder, images.get(holder)!.filter((other) => other !== tag));
      images.set(digest, [...tags, tag].sort());
      return { image: { registryId: quarantine.registryId, repositoryName, imageId: { imageDigest: digest, imageTag: tag }, imageManifest: input.imageManifest } };
    }
    case 'BatchDeleteImage': {
      const imageIds: ImageId[] = [];
      const failures: Record<string, unknown>[] = [];
      for (const id of (input.imageIds as ImageId[] | undefined) ?? []) {
        const tags = images.get(id.imageDigest ?? '');
        if (!tags) failures.push({ imageId: id, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' });
        else if (!tags.includes(id.imageTag ?? '')) failures.push({ imageId: id, failureCode: holderOf(images, id.imageTag ?? '') ? 'ImageTagDoesNotMatchDigest' : 'ImageNotFound', failureReason: 'the tag does not name the digest' });
        else {
          const rest = tags.filter((tag) => tag !== id.imageTag);
          // ECR deletes an image with its last tag.
          if (rest.length === 0) images.delete(id.imageDigest!);
          else images.set(id.imageDigest!, rest);
          imageIds.push(id);
        }
      }
      return { imageIds, failures };
    }
    case 'DescribeRepositories':
      return {
        repositories: ((input.repositoryNames as string[] | undefined) ?? []).map((name) => ({
          registryId: quarantine.registryId,
          repositoryName: name,
          imageTagMutability: 'MUTABLE',
        })),
      };
    case 'GetLifecyclePolicy':
      throw refusal('LifecyclePolicyNotFoundException', 'Lifecycle policy does not exist');
    case 'DescribePullThroughCacheRules':
      return { pullThroughCacheRules: [] };
    case 'DescribeRegistry':
      return { registryId: quarantine.registryId, replicationConfiguration: { rules: [] } };
    default:
      throw new Error(`the bench's ECR stub does not answer ${operation}`);
  }
}
