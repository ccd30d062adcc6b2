import { BatchGetImageCommand, DescribeImagesCommand, ECRClient, ImageNotFoundException, RepositoryNotFoundException } from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { EcrImageReader } from '../../../../lambdas/adapters/ecr/ecr-image-reader.ts';
import type { Digest } from '../../../../lambdas/core/digest.ts';

const DIGEST = `sha256:${'b2'.repeat(32)}` as Digest;
const OTHER = `sha256:${'c3'.repeat(32)}` as Digest;
const ref = { account: '111122223333', repository: 'team/app' };
const ACCEPTED = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
];

const ecr = mockClient(ECRClient);
const reader = new EcrImageReader(new ECRClient({ region: 'eu-west-1' }));

afterEach(() => {
  ecr.reset();
});

describe('EcrImageReader.describe', () => {
  it('asks DescribeImages for exactly this digest in this account and repository, and returns its tags', async () => {
    const pushedAt = new Date('2026-11-16T01:54:34Z');
    ecr.on(DescribeImagesCommand).resolves({
      imageDetails: [
        {
          registryId: ref.account,
          repositoryName: ref.repository,
          imageDigest: DIGEST,
          imageTags: ['v2', 'latest'],
          imagePushedAt: pushedAt,
          imageManifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
          artifactMediaType: 'application/vnd.oci.image.config.v1+json',
          imageSizeInBytes: 1234,
        },
      ],
    });
    expect(await reader.describe(ref, DIGEST)).toEqual({
      exists: true,
      digest: DIGEST,
      tags: ['latest', 'v2'],
      pushedAt,
      manifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactMediaType: 'application/vnd.oci.image.config.v1+json',
      sizeBytes: 1234,
    });
    const calls = ecr.commandCalls(DescribeImagesCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({ registryId: '111122223333', repositoryName: 'team/app', imageIds: [{ imageDigest: DIGEST }] });
  });

  it('says an untagged image has no tags', async () => {
    ecr.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageDigest: DIGEST }] });
    expect(await reader.describe(ref, DIGEST)).toEqual({ exists: true, digest: DIGEST, tags: [] });
  });

  it.each([
    ['the image', new ImageNotFoundException({ message: 'The image requested does not exist', $metadata: {} })],
    ['the repository', new RepositoryNotFoundException({ message: 'The repository does not exist', $metadata: {} })],
  ])('reports the digest deleted when %s is gone', async (_what, error) => {
    ecr.on(DescribeImagesCommand).rejects(error);
    expect(await reader.describe(ref, DIGEST)).toEqual({ exists: false });
  });

  it('lets throttling go up for the queue to retry', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
    ecr.on(DescribeImagesCommand).rejects(throttled);
    await expect(reader.describe(ref, DIGEST)).rejects.toMatchObject({ name: 'ThrottlingException' });
  });
});

describe('EcrImageReader.tagDigest', () => {
  it('asks BatchGetImage for exactly this tag, accepting every stored manifest type so ECR converts nothing', async () => {
    ecr.on(BatchGetImageCommand).resolves({ images: [{ imageId: { imageTag: 'latest', imageDigest: OTHER }, imageManifestMediaType: ACCEPTED[2] }], failures: [] });
    expect(await reader.tagDigest(ref, 'latest')).toBe(OTHER);
    const calls = ecr.commandCalls(BatchGetImageCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({ registryId: '111122223333', repositoryName: 'team/app', imageIds: [{ imageTag: 'latest' }], acceptedMediaTypes: ACCEPTED });
  });

  it('returns undefined for a tag that is gone (a failure entry) or a repository that is gone', async () => {
    ecr
      .on(BatchGetImageCommand)
      .resolvesOnce({ images: [], failures: [{ imageId: { imageTag: 'latest' }, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' }] })
      .rejectsOnce(new RepositoryNotFoundException({ message: 'gone', $metadata: {} }));
    expect(await reader.tagDigest(ref, 'latest')).toBeUndefined();
    expect(await reader.tagDigest(ref, 'latest')).toBeUndefined();
  });

  it('throws on any other failure entry, which is no answer about the tag', async () => {
    ecr.on(BatchGetImageCommand).resolves({ images: [], failures: [{ imageId: { imageTag: 'latest' }, failureCode: 'KmsError', failureReason: 'key disabled' }] });
    await expect(reader.tagDigest(ref, 'latest')).rejects.toThrow('ECR BatchGetImage team/app:latest failed: KmsError key disabled');
  });
});
