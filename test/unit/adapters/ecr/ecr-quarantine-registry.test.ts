import {
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  GetLifecyclePolicyCommand,
  DescribePullThroughCacheRulesCommand,
  DescribeRegistryCommand,
  ImageAlreadyExistsException,
  ImageNotFoundException,
  ImageStorageClassUpdateNotSupportedException,
  ImageTagAlreadyExistsException,
  InvalidParameterException,
  LifecyclePolicyNotFoundException,
  PutImageCommand,
  UpdateImageStorageClassCommand,
} from '@aws-sdk/client-ecr';
import { createHash } from 'node:crypto';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { EcrQuarantineRegistry } from '../../../../lambdas/adapters/ecr/ecr-quarantine-registry.ts';
import type { Digest } from '../../../../lambdas/core/digest.ts';
import type { ImageKey } from '../../../../lambdas/core/pipeline/model.ts';
import { regionalEcrMocks } from '../../../support/regional-ecr-mocks.ts';

/** Exact ECR requests of the quarantine adapter, and how each ECR answer maps to the port's outcomes. */
const ACCOUNT = '444455556666';
const REGION = 'eu-central-1';
const OCI = 'application/vnd.oci.image.manifest.v1+json';
const ACCEPTED = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
];
// Non-ASCII on purpose: the digest is of the UTF-8 bytes, not of the string's code units.
const MANIFEST = `{"schemaVersion":2,"mediaType":"${OCI}","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:${'0'.repeat(64)}","size":2},"layers":[],"annotations":{"note":"café ☕"}}`;
const BYTES = new TextEncoder().encode(MANIFEST);
const DIGEST = `sha256:${createHash('sha256').update(BYTES).digest('hex')}` as Digest;
const OTHER = `sha256:${'c3'.repeat(32)}` as Digest;
const KEY: ImageKey = { account: ACCOUNT, region: REGION, repository: 'team/app', digest: DIGEST };
const MARKER = 'customs-quarantine-0123456789ab';

const mocks = regionalEcrMocks([REGION, 'us-east-1']);
const ecr = mocks.mock(REGION);
const registry = new EcrQuarantineRegistry({ clients: mocks.clients });

beforeEach(() => {
  mocks.mock(REGION).reset();
  mocks.mock('us-east-1').reset();
});

afterAll(() => mocks.restore());

function ecrError(Type: new (options: { message: string; $metadata: object }) => Error, message = 'refused'): Error {
  return new Type({ message, $metadata: {} });
}

function inputs(command: Parameters<typeof ecr.commandCalls>[0]): unknown[] {
  return ecr.commandCalls(command).map((call) => call.args[0].input);
}

describe('EcrQuarantineRegistry', () => {
  it('can archive', () => {
    expect(registry.supportsArchive).toBe(true);
  });

  it('reads settings through the repository settings reader with the quarantine marker, in the image’s Region and account', async () => {
    ecr.on(DescribeRepositoriesCommand).resolves({ repositories: [{ repositoryName: 'team/app', registryId: ACCOUNT, imageTagMutability: 'IMMUTABLE' }] });
    ecr.on(GetLifecyclePolicyCommand).rejects(ecrError(LifecyclePolicyNotFoundException));
    ecr.on(DescribePullThroughCacheRulesCommand).resolves({ pullThroughCacheRules: [] });
    ecr.on(DescribeRegistryCommand).resolves({ registryId: ACCOUNT, replicationConfiguration: { rules: [] } });
    const settings = await registry.settings(KEY);
    expect(settings.tagMutability).toBe('IMMUTABLE');
    expect(inputs(DescribeRepositoriesCommand)).toEqual([{ registryId: ACCOUNT, repositoryNames: ['team/app'] }]);
    expect(mocks.mock('us-east-1').calls()).toHaveLength(0);
  });
});

describe('describe and tagDigest', () => {
  it('asks DescribeImages for the digest and answers its tags sorted and when it was pushed', async () => {
    const pushedAt = new Date('2026-05-01T10:00:00Z');
    ecr.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageDigest: DIGEST, imageTags: ['v2', MARKER, 'latest'], imagePushedAt: pushedAt, imageManifestMediaType: OCI }] });
    expect(await registry.describe(KEY)).toEqual({ exists: true, tags: [MARKER, 'latest', 'v2'], pushedAt });
    expect(inputs(DescribeImagesCommand)).toEqual([{ registryId: ACCOUNT, repositoryName: 'team/app', imageIds: [{ imageDigest: DIGEST }] }]);
  });

  it('answers exists: false when ECR has no such image', async () => {
    ecr.on(DescribeImagesCommand).rejects(ecrError(ImageNotFoundException));
    expect(await registry.describe(KEY)).toEqual({ exists: false });
  });

  it('finds the digest a tag names with BatchGetImage by tag', async () => {
    ecr.on(BatchGetImageCommand).resolves({ images: [{ imageId: { imageTag: 'latest', imageDigest: OTHER } }] });
    expect(await registry.tagDigest(KEY, 'latest')).toBe(OTHER);
    expect(inputs(BatchGetImageCommand)).toEqual([{ registryId: ACCOUNT, repositoryName: 'team/app', imageIds: [{ imageTag: 'latest' }], acceptedMediaTypes: ACCEPTED }]);
  });
});

describe('manifest', () => {
  it('asks for the digest accepting every manifest and index type and answers the exact UTF-8 bytes and media type', async () => {
    ecr.on(BatchGetImageCommand).resolves({ images: [{ imageId: { imageDigest: DIGEST }, imageManifest: MANIFEST, imageManifestMediaType: OCI }], failures: [] });
    const manifest = await registry.manifest(KEY);
    expect(Buffer.from(manifest.bytes).equals(Buffer.from(BYTES))).toBe(true);
    expect(manifest.mediaType).toBe(OCI);
    expect(inputs(BatchGetImageCommand)).toEqual([{ registryId: ACCOUNT, repositoryName: 'team/app', imageIds: [{ imageDigest: DIGEST }], acceptedMediaTypes: ACCEPTED }]);
  });

  it('refuses a manifest whose bytes do not hash to the digest (a converted one), naming the digest', async () => {
    const converted = MANIFEST.replace(OCI, 'application/vnd.docker.distribution.manifest.v2+json');
    ecr.on(BatchGetImageCommand).resolves({ images: [{ imageId: { imageDigest: DIGEST }, imageManifest: converted, imageManifestMediaType: OCI }] });
    await expect(registry.manifest(KEY)).rejects.toMatchObject({ name: 'CustomsError', code: 'digest-mismatch', message: expect.stringContaining(DIGEST) });
  });

  it('says not-found when ECR reports the image missing', async () => {
    ecr.on(BatchGetImageCommand).resolves({ images: [], failures: [{ imageId: { imageDigest: DIGEST }, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' }] });
    await expect(registry.manifest(KEY)).rejects.toMatchObject({ name: 'CustomsError', code: 'not-found', message: expect.stringContaining(DIGEST) });
  });

  it('names any other failure code and reason', async () => {
    ecr.on(BatchGetImageCommand).resolves({ failures: [{ imageId: { imageDigest: DIGEST }, failureCode: 'KmsError', failureReason: 'key disabled' }] });
    await expect(registry.manifest(KEY)).rejects.toThrow(/BatchGetImage .*KmsError key disabled/);
  });

  it('refuses a manifest without its media type rather than guess one', async () => {
    ecr.on(BatchGetImageCommand).resolves({ images: [{ imageId: { imageDigest: DIGEST }, imageManifest: MANIFEST }] });
    await expect(registry.manifest(KEY)).rejects.toMatchObject({ code: 'unsupported' });
  });
});

describe('putTag', () => {
  const manifest = { bytes: BYTES, mediaType: OCI };
  const put = { registryId: ACCOUNT, repositoryName: 'team/app', imageManifest: MANIFEST, imageManifestMediaType: OCI, imageTag: MARKER, imageDigest: DIGEST };

  it('puts the exact manifest, media type and digest under the tag', async () => {
    ecr.on(PutImageCommand).resolves({ image: { imageId: { imageDigest: DIGEST, imageTag: MARKER } } });
    expect(await registry.putTag(KEY, MARKER, manifest)).toEqual({ outcome: 'tagged' });
    expect(inputs(PutImageCommand)).toEqual([put]);
  });

  it('answers already when the tag is there (a retried put), having checked it names this digest', async () => {
    ecr.on(PutImageCommand).rejects(ecrError(ImageAlreadyExistsException));
    ecr.on(BatchGetImageCommand).resolves({ images: [{ imageId: { imageTag: MARKER, imageDigest: DIGEST } }] });
    expect(await registry.putTag(KEY, MARKER, manifest)).toEqual({ outcome: 'already' });
    expect(inputs(BatchGetImageCommand)).toEqual([{ registryId: ACCOUNT, repositoryName: 'team/app', imageIds: [{ imageTag: MARKER }], acceptedMediaTypes: ACCEPTED }]);
  });

  it('answers taken, not already, when ImageAlreadyExists comes for a tag on another digest (as moto says for immutable tags)', async () => {
    ecr.on(PutImageCommand).rejects(ecrError(ImageAlreadyExistsException));
    ecr.on(BatchGetImageCommand).resolves({ images: [{ imageId: { imageTag: 'v1', imageDigest: OTHER } }] });
    expect(await registry.putTag(KEY, 'v1', manifest)).toEqual({ outcome: 'taken', digest: OTHER });
  });

  it('throws for a retry when ImageAlreadyExists comes yet the tag names nothing', async () => {
    ecr.on(PutImageCommand).rejects(ecrError(ImageAlreadyExistsException));
    ecr.on(BatchGetImageCommand).resolves({ failures: [{ imageId: { imageTag: MARKER }, failureCode: 'ImageNotFound' }] });
    await expect(registry.putTag(KEY, MARKER, manifest)).rejects.toThrow(/retry/);
  });

  it('answers already when an immutable repository refuses the tag because our own earlier put holds it', async () => {
    ecr.on(PutImageCommand).rejects(ecrError(ImageTagAlreadyExistsException));
    ecr.on(BatchGetImageCommand).resolves({ images: [{ imageId: { imageTag: MARKER, imageDigest: DIGEST } }] });
    expect(await registry.putTag(KEY, MARKER, manifest)).toEqual({ outcome: 'already' });
    expect(inputs(BatchGetImageCommand)).toEqual([{ registryId: ACCOUNT, repositoryName: 'team/app', imageIds: [{ imageTag: MARKER }], acceptedMediaTypes: ACCEPTED }]);
  });

  it('answers taken with the holder when an immutable tag names another digest', async () => {
    ecr.on(PutImageCommand).rejects(ecrError(ImageTagAlreadyExistsException));
    ecr.on(BatchGetImageCommand).resolves({ images: [{ imageId: { imageTag: 'v1', imageDigest: OTHER } }] });
    expect(await registry.putTag(KEY, 'v1', manifest)).toEqual({ outcome: 'taken', digest: OTHER });
  });

  it('answers taken without a digest when an immutable tag is refused but its holder cannot be read', async () => {
    ecr.on(PutImageCommand).rejects(ecrError(ImageTagAlreadyExistsException));
    ecr.on(BatchGetImageCommand).resolves({ failures: [{ imageId: { imageTag: 'v1' }, failureCode: 'ImageNotFound' }] });
    expect(await registry.putTag(KEY, 'v1', manifest)).toEqual({ outcome: 'taken' });
  });

  it('lets any other error go up as raised', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
    ecr.on(PutImageCommand).rejects(throttled);
    await expect(registry.putTag(KEY, MARKER, manifest)).rejects.toBe(throttled);
  });

  it('never sends bytes that are not the digest’s', async () => {
    const other = { bytes: new TextEncoder().encode(MANIFEST.replace('café', 'cafe')), mediaType: OCI };
    await expect(registry.putTag(KEY, MARKER, other)).rejects.toMatchObject({ code: 'digest-mismatch', message: expect.stringContaining(DIGEST) });
    expect(ecr.calls()).toHaveLength(0);
  });

  it('refuses bytes that are not UTF-8 (PutImage takes a string, so they could not be stored exactly)', async () => {
    const bytes = Uint8Array.from([0x7b, 0xff, 0x7d]);
    const key = { ...KEY, digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}` as Digest };
    await expect(registry.putTag(key, MARKER, { bytes, mediaType: OCI })).rejects.toMatchObject({ code: 'malformed' });
    expect(ecr.calls()).toHaveLength(0);
  });
});

describe('deleteTag', () => {
  const request = { registryId: ACCOUNT, repositoryName: 'team/app', imageIds: [{ imageDigest: DIGEST, imageTag: 'latest' }] };

  it('deletes digest and tag together and answers removed', async () => {
    ecr.on(BatchDeleteImageCommand).resolves({ imageIds: [{ imageDigest: DIGEST, imageTag: 'latest' }], failures: [] });
    expect(await registry.deleteTag(KEY, 'latest')).toEqual({ outcome: 'removed' });
    expect(inputs(BatchDeleteImageCommand)).toEqual([request]);
  });

  it('answers moved with the new digest when the tag was pushed again (ImageTagDoesNotMatchDigest)', async () => {
    ecr.on(BatchDeleteImageCommand).resolves({ imageIds: [], failures: [{ imageId: { imageDigest: DIGEST, imageTag: 'latest' }, failureCode: 'ImageTagDoesNotMatchDigest', failureReason: 'Invalid image tag for image digest' }] });
    ecr.on(BatchGetImageCommand).resolves({ images: [{ imageId: { imageTag: 'latest', imageDigest: OTHER } }] });
    expect(await registry.deleteTag(KEY, 'latest')).toEqual({ outcome: 'moved', digest: OTHER });
    expect(inputs(BatchDeleteImageCommand)).toEqual([request]);
  });

  it('answers moved when ECR says not found but the tag names another digest', async () => {
    ecr.on(BatchDeleteImageCommand).resolves({ failures: [{ imageId: { imageDigest: DIGEST, imageTag: 'latest' }, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' }] });
    ecr.on(BatchGetImageCommand).resolves({ images: [{ imageId: { imageTag: 'latest', imageDigest: OTHER } }] });
    expect(await registry.deleteTag(KEY, 'latest')).toEqual({ outcome: 'moved', digest: OTHER });
  });

  it('answers absent when the tag is nowhere (a retried delete)', async () => {
    ecr.on(BatchDeleteImageCommand).resolves({ failures: [{ imageId: { imageDigest: DIGEST, imageTag: 'latest' }, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' }] });
    ecr.on(BatchGetImageCommand).resolves({ failures: [{ imageId: { imageTag: 'latest' }, failureCode: 'ImageNotFound' }] });
    expect(await registry.deleteTag(KEY, 'latest')).toEqual({ outcome: 'absent' });
  });

  it('throws, naming the code and reason, on any other failure', async () => {
    ecr.on(BatchDeleteImageCommand).resolves({ failures: [{ imageId: { imageDigest: DIGEST, imageTag: 'latest' }, failureCode: 'ImageReferencedByManifestList', failureReason: 'referenced by an index' }] });
    await expect(registry.deleteTag(KEY, 'latest')).rejects.toThrow(/BatchDeleteImage .*ImageReferencedByManifestList referenced by an index/);
    expect(ecr.commandCalls(BatchGetImageCommand)).toHaveLength(0);
  });

  it('throws for a retry when ECR refuses the delete yet the tag still names this digest', async () => {
    ecr.on(BatchDeleteImageCommand).resolves({ failures: [{ imageId: { imageDigest: DIGEST, imageTag: 'latest' }, failureCode: 'ImageTagDoesNotMatchDigest' }] });
    ecr.on(BatchGetImageCommand).resolves({ images: [{ imageId: { imageTag: 'latest', imageDigest: DIGEST } }] });
    await expect(registry.deleteTag(KEY, 'latest')).rejects.toThrow(/retry/);
  });
});

describe('storage', () => {
  it.each([['ACTIVE'], ['ARCHIVED'], ['ACTIVATING']] as const)('answers the image status %s from DescribeImages', async (status) => {
    ecr.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageDigest: DIGEST, imageStatus: status }] });
    expect(await registry.storage(KEY)).toBe(status);
    expect(inputs(DescribeImagesCommand)).toEqual([{ registryId: ACCOUNT, repositoryName: 'team/app', imageIds: [{ imageDigest: DIGEST }] }]);
  });

  it('takes an image without a status as active', async () => {
    ecr.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageDigest: DIGEST }] });
    expect(await registry.storage(KEY)).toBe('ACTIVE');
  });

  it('says not-found for a missing image', async () => {
    ecr.on(DescribeImagesCommand).rejects(ecrError(ImageNotFoundException));
    await expect(registry.storage(KEY)).rejects.toMatchObject({ code: 'not-found' });
  });
});

describe('setStorage', () => {
  it.each([
    ['ARCHIVE', 'ARCHIVED'],
    ['STANDARD', 'ACTIVATING'],
  ] as const)('moves the image to %s and answers the status ECR reports (%s)', async (target, status) => {
    ecr.on(UpdateImageStorageClassCommand).resolves({ imageId: { imageDigest: DIGEST }, imageStatus: status });
    expect(await registry.setStorage(KEY, target)).toBe(status);
    expect(inputs(UpdateImageStorageClassCommand)).toEqual([{ registryId: ACCOUNT, repositoryName: 'team/app', imageId: { imageDigest: DIGEST }, targetStorageClass: target }]);
  });

  it.each([
    ['ARCHIVE', 'ARCHIVED', InvalidParameterException],
    ['ARCHIVE', 'ARCHIVED', ImageStorageClassUpdateNotSupportedException],
    ['STANDARD', 'ACTIVATING', ImageStorageClassUpdateNotSupportedException],
    ['STANDARD', 'ACTIVE', InvalidParameterException],
  ] as const)('repeated to %s after a crash, a refusal is success when the image is already %s (%s)', async (target, status, Refusal) => {
    ecr.on(UpdateImageStorageClassCommand).rejects(ecrError(Refusal, 'already in that storage class'));
    ecr.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageDigest: DIGEST, imageStatus: status }] });
    expect(await registry.setStorage(KEY, target)).toBe(status);
  });

  it('lets a refusal go up when the image is not in the class asked for', async () => {
    const refusal = ecrError(ImageStorageClassUpdateNotSupportedException, 'not supported for this image');
    ecr.on(UpdateImageStorageClassCommand).rejects(refusal);
    ecr.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageDigest: DIGEST, imageStatus: 'ACTIVE' }] });
    await expect(registry.setStorage(KEY, 'ARCHIVE')).rejects.toBe(refusal);
  });

  it('lets other errors go up without reading the status', async () => {
    ecr.on(UpdateImageStorageClassCommand).rejects(ecrError(ImageNotFoundException));
    await expect(registry.setStorage(KEY, 'ARCHIVE')).rejects.toMatchObject({ name: 'ImageNotFoundException' });
    expect(ecr.commandCalls(DescribeImagesCommand)).toHaveLength(0);
  });
});
