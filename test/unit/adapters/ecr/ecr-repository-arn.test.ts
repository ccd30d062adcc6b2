import { describe, expect, it } from 'vitest';
import { ecrRepositoryArn } from '../../../../lambdas/adapters/ecr/ecr-repository-arn.ts';

describe('ecrRepositoryArn', () => {
  it('names the repository in its Region’s partition', () => {
    const key = { account: '111122223333', repository: 'team-a/app' };
    expect(ecrRepositoryArn({ ...key, region: 'eu-west-1' })).toBe('arn:aws:ecr:eu-west-1:111122223333:repository/team-a/app');
    expect(ecrRepositoryArn({ ...key, region: 'cn-north-1' })).toBe('arn:aws-cn:ecr:cn-north-1:111122223333:repository/team-a/app');
    expect(ecrRepositoryArn({ ...key, region: 'us-gov-west-1' })).toBe('arn:aws-us-gov:ecr:us-gov-west-1:111122223333:repository/team-a/app');
  });
});
