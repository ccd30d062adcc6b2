import {
  DescribeImagesCommand,
  ECRClient,
  ImageNotFoundException,
  InvalidParameterException,
  type BatchDeleteImageCommandInput,
  type BatchDeleteImageCommandOutput,
  type BatchGetImageCommandInput,
  type BatchGetImageCommandOutput,
  type DescribeImagesCommandOutput,
  type ImageFailure,
  type ImageIdentifier,
  type UpdateImageStorageClassCommandInput,
} from '@aws-sdk/client-ecr';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * Makes an ECR client aimed at moto_server (5.2.1) answer as ECR does where quarantine depends on
 * it, so state across crashes can be tested on moto. The exact requests the adapter sends are
 * checked elsewhere with aws-sdk-client-mock; this only closes moto's gaps, one by one:
 *
 * - BatchDeleteImage with an id naming digest AND tag: moto deletes the whole image (every tag, the
 *   marker too). ECR removes that one tag while it names that digest and fails the id with
 *   ImageTagDoesNotMatchDigest otherwise (ImageNotFound when the tag is nowhere). The bridge asks
 *   moto where the tag points and then sends a tag-only id, which moto handles as ECR does (it
 *   removes the tag, and the image with its last tag), or answers the failure itself. ECR checks and
 *   deletes in one call; here the two are apart, so nothing else may push to the repository between
 *   them (the tests do not).
 * - UpdateImageStorageClass: moto has none. It is answered from a small JSON state file (the test's
 *   scratch directory), and DescribeImages gets each image's imageStatus from it (ACTIVE unless the
 *   file says ARCHIVED or ACTIVATING). ARCHIVE makes ARCHIVED; STANDARD makes ACTIVATING, which
 *   never completes here (ECR's restore takes a while). A move to the class the image is already in
 *   (or on its way to) is refused with InvalidParameterException, the answer the adapter must cope
 *   with on a retry after a crash.
 * - BatchGetImage by tag: moto names, in each image's imageId, the tag last put on the image rather
 *   than the tag asked for (ECR echoes the id asked for), so a tag that is on the digest but not its
 *   newest looks absent. For a request of one tag-only id (the adapter's), the answer's imageId gets
 *   the tag asked for back.
 * - DescribePullThroughCacheRules: moto 5.2.1 serves no such API (it answers an HTML page the SDK
 *   cannot parse); answered as a registry without rules.
 *
 * Left as moto answers it: a PutImage of a tag already on the digest, or of an immutable tag held
 * by another digest, is ImageAlreadyExistsException (ECR says ImageTagAlreadyExistsException for
 * the second); the adapter asks where the tag points before it believes either.
 *
 * The bridge's own lookups go through a client of its own, so a counter on the bridged client sees
 * one call per call the adapter makes, as it would on ECR.
 */
export interface MotoEcrBridgeOptions {
  readonly endpoint: string;
  readonly region: string;
  /** Storage statuses by `<repository>@<digest>`; created on the first archive. One file per test case. */
  readonly stateFile: string;
}

type BridgedStatus = 'ARCHIVED' | 'ACTIVATING';
const stateSchema = z.record(z.string(), z.enum(['ARCHIVED', 'ACTIVATING']));
const credentials = { accessKeyId: 'moto', secretAccessKey: 'moto' };

/** An ECR client for moto with the bridge in place. */
export function bridgedMotoEcrClient(options: MotoEcrBridgeOptions): ECRClient {
  const client = new ECRClient({ endpoint: options.endpoint, region: options.region, credentials });
  addMotoEcrBridge(client, options);
  return client;
}

/** Adds the bridge to a client's stack (initialize step, low priority: inside any counter added at high). */
export function addMotoEcrBridge(client: ECRClient, options: MotoEcrBridgeOptions): void {
  const lookups = new ECRClient({ endpoint: options.endpoint, region: options.region, credentials });
  const state = new StorageStateFile(options.stateFile);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const metadata = { $metadata: {} };
      switch (context.commandName) {
        case 'BatchDeleteImageCommand': {
          const input = args.input as BatchDeleteImageCommandInput;
          const forwarded: ImageIdentifier[] = [];
          const failures: ImageFailure[] = [];
          for (const id of input.imageIds ?? []) {
            if (id.imageDigest === undefined || id.imageTag === undefined) {
              forwarded.push(id);
              continue;
            }
            const holder = await digestOfTag(lookups, input, id.imageTag);
            if (holder === id.imageDigest) forwarded.push({ imageTag: id.imageTag });
            else if (holder === undefined) failures.push({ imageId: id, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' });
            else failures.push({ imageId: id, failureCode: 'ImageTagDoesNotMatchDigest', failureReason: `Invalid tag digest for tag ${id.imageTag}` });
          }
          if (forwarded.length === 0) return { output: { ...metadata, imageIds: [], failures } as BatchDeleteImageCommandOutput, response: {} };
          const result = await next({ ...args, input: { ...input, imageIds: forwarded } });
          const output = result.output as BatchDeleteImageCommandOutput;
          return { ...result, output: { ...output, failures: [...(output.failures ?? []), ...failures] } };
        }
        case 'UpdateImageStorageClassCommand': {
          const input = args.input as UpdateImageStorageClassCommandInput;
          const digest = input.imageId?.imageDigest;
          if (!digest || !input.repositoryName) throw new InvalidParameterException({ message: 'imageId.imageDigest and repositoryName are required', $metadata: {} });
          const images = await lookups.send(new DescribeImagesCommand({ registryId: input.registryId, repositoryName: input.repositoryName, imageIds: [{ imageDigest: digest }] }));
          if (!images.imageDetails?.some((image) => image.imageDigest === digest)) throw new ImageNotFoundException({ message: `image ${digest} not found`, $metadata: {} });
          const id = `${input.repositoryName}@${digest}`;
          const now = state.read()[id];
          const reached: BridgedStatus = input.targetStorageClass === 'ARCHIVE' ? 'ARCHIVED' : 'ACTIVATING';
          const already = input.targetStorageClass === 'ARCHIVE' ? now === 'ARCHIVED' : now !== 'ARCHIVED';
          if (already) throw new InvalidParameterException({ message: `image ${digest} is already in (or moving to) ${input.targetStorageClass}`, $metadata: {} });
          state.set(id, reached);
          return { output: { ...metadata, registryId: input.registryId, repositoryName: input.repositoryName, imageId: { imageDigest: digest }, imageStatus: reached }, response: {} } as never;
        }
        case 'DescribeImagesCommand': {
          const result = await next(args);
          const output = result.output as DescribeImagesCommandOutput;
          const repository = (args.input as { repositoryName?: string }).repositoryName;
          const statuses = state.read();
          const imageDetails = output.imageDetails?.map((image) => ({ ...image, imageStatus: statuses[`${repository}@${image.imageDigest}`] ?? 'ACTIVE' }));
          return { ...result, output: { ...output, ...(imageDetails ? { imageDetails } : {}) } };
        }
        case 'BatchGetImageCommand': {
          const result = await next(args);
          const ids = (args.input as BatchGetImageCommandInput).imageIds ?? [];
          const tag = ids.length === 1 && ids[0]!.imageDigest === undefined ? ids[0]!.imageTag : undefined;
          if (tag === undefined) return result;
          const output = result.output as BatchGetImageCommandOutput;
          const images = output.images?.map((image) => ({ ...image, imageId: { ...image.imageId, imageTag: tag } }));
          return { ...result, output: { ...output, ...(images ? { images } : {}) } };
        }
        case 'DescribePullThroughCacheRulesCommand':
          return { output: { ...metadata, pullThroughCacheRules: [] }, response: {} } as never;
        default:
          return next(args);
      }
    },
    { step: 'initialize', priority: 'low', name: 'customsTestMotoEcrBridge' },
  );
}

/** The digest a tag names in moto now, or undefined when no image has it. */
async function digestOfTag(lookups: ECRClient, input: BatchDeleteImageCommandInput, tag: string): Promise<string | undefined> {
  try {
    const output = await lookups.send(new DescribeImagesCommand({ registryId: input.registryId, repositoryName: input.repositoryName, imageIds: [{ imageTag: tag }] }));
    return output.imageDetails?.[0]?.imageDigest;
  } catch (error) {
    if (error instanceof Error && error.name === 'ImageNotFoundException') return undefined;
    throw error;
  }
}

/** The bridged storage statuses, written whole by rename so a process killed mid-write leaves the old file. */
export class StorageStateFile {
  constructor(private readonly path: string) {}

  read(): Readonly<Record<string, BridgedStatus>> {
    return existsSync(this.path) ? stateSchema.parse(JSON.parse(readFileSync(this.path, 'utf8'))) : {};
  }

  set(id: string, status: BridgedStatus): void {
    const temporary = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify({ ...this.read(), [id]: status }));
    renameSync(temporary, this.path);
  }
}
