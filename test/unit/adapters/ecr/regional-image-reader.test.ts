import { BatchGetImageCommand, DescribeImagesCommand } from '@aws-sdk/client-ecr';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RegionalEcrImageReader, type EcrRegionalRepositoryRef } from '../../../../lambdas/adapters/ecr/regional-image-reader.ts';
import type { Digest } from '../../../../lambdas/core/digest.ts';
import { regionalEcrMocks, type RegionalEcrMocks } from '../../../support/regional-ecr-mocks.ts';

const DIGEST = `sha256:${'b2'.repeat(32)}` as Digest;
const ireland = { account: '111122223333', region: 'eu-west-1', repository: 'team/app' };
const virginia = { account: '444455556666', region: 'us-east-1', repository: 'team/app' };

let ecr: RegionalEcrMocks;

beforeEach(() => {
  ecr = regionalEcrMocks(['eu-west-1', 'us-east-1']);
});

afterEach(() => {
  ecr.restore();
});

describe('RegionalEcrImageReader', () => {
  it("asks DescribeImages of the event's Region for the event's account, one reader and client per Region", async () => {
    for (const { region, account } of [ireland, virginia]) {
      ecr.mock(region).on(DescribeImagesCommand).resolves({ imageDetails: [{ registryId: account, imageDigest: DIGEST, imageTags: [`in-${region}`] }] });
    }
    const reader = new RegionalEcrImageReader(ecr.clients);
    const answers = [await reader.describe(ireland, DIGEST), await reader.describe(virginia, DIGEST), await reader.describe(ireland, DIGEST)];

    expect(answers).toMatchObject([
      { exists: true, tags: ['in-eu-west-1'] },
      { exists: true, tags: ['in-us-east-1'] },
      { exists: true, tags: ['in-eu-west-1'] },
    ]);
    const asked = (region: string) => ecr.mock(region).commandCalls(DescribeImagesCommand).map((call) => call.args[0].input);
    expect(asked('eu-west-1')).toEqual(new Array(2).fill({ registryId: ireland.account, repositoryName: 'team/app', imageIds: [{ imageDigest: DIGEST }] }));
    expect(asked('us-east-1')).toEqual([{ registryId: virginia.account, repositoryName: 'team/app', imageIds: [{ imageDigest: DIGEST }] }]);
    expect(ecr.created).toEqual(['eu-west-1', 'us-east-1']);
  });

  it("asks BatchGetImage of the tag's Region", async () => {
    ecr.mock('us-east-1').on(BatchGetImageCommand).resolves({ images: [{ imageId: { imageTag: 'v1', imageDigest: DIGEST } }] });
    const reader = new RegionalEcrImageReader(ecr.clients);
    expect(await reader.tagDigest(virginia, 'v1')).toBe(DIGEST);
    expect(ecr.mock('us-east-1').commandCalls(BatchGetImageCommand).map((call) => call.args[0].input)).toMatchObject([{ registryId: virginia.account, repositoryName: 'team/app', imageIds: [{ imageTag: 'v1' }] }]);
    expect(ecr.mock('eu-west-1').commandCalls(BatchGetImageCommand)).toEqual([]);
  });

  it('refuses a reference without a Region rather than reading some other Region', async () => {
    const reader = new RegionalEcrImageReader(ecr.clients);
    const unplaced = { account: ireland.account, repository: ireland.repository } as unknown as EcrRegionalRepositoryRef;
    await expect(reader.describe(unplaced, DIGEST)).rejects.toMatchObject({ code: 'usage' });
    await expect(reader.tagDigest(unplaced, 'v1')).rejects.toMatchObject({ code: 'usage' });
    expect(ecr.created).toEqual([]);
  });
});
