import { DescribeImagesCommand, DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { EcrRegistryCatalog, isWatched } from '../../../../lambdas/adapters/ecr/ecr-registry-catalog.ts';

const client = new ECRClient({ region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
const ecr = mockClient(client);
const DIGEST = `sha256:${'cd'.repeat(32)}`;

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe('isWatched', () => {
  it('matches names exactly and prefixes by start, as the EventBridge rules filter', () => {
    const selection = { names: ['app'], prefixes: ['team/'] };
    expect(['app', 'team/web', 'apps', 'other/team/x', 'team'].map((name) => isWatched(selection, name))).toEqual([true, true, false, false, false]);
    expect(isWatched('all', 'anything')).toBe(true);
  });
});

describe('EcrRegistryCatalog', () => {
  beforeEach(() => ecr.reset());

  it('lists the watched repositories of the registry asked, every page, and each one’s images, every page', async () => {
    ecr
      .on(DescribeRepositoriesCommand)
      .resolvesOnce({ repositories: [{ registryId: '444455556666', repositoryName: 'team/a' }, { registryId: '444455556666', repositoryName: 'other' }], nextToken: 'r2' })
      .resolvesOnce({ repositories: [{ registryId: '444455556666', repositoryName: 'team/b' }] });
    ecr
      .on(DescribeImagesCommand)
      .resolvesOnce({ imageDetails: [{ imageDigest: DIGEST, imageTags: ['v2', 'v1'], imagePushedAt: new Date('2025-01-01T00:00:00Z') }, { imageDigest: 'sha256:not-a-digest' }], nextToken: 'i2' })
      .resolvesOnce({ imageDetails: [{ imageDigest: DIGEST.replace('cd', 'ef') }] });
    const catalog = new EcrRegistryCatalog({ ecr: client, region: 'eu-west-1', registryId: '444455556666', selection: { names: [], prefixes: ['team/'] } });
    const repositories = await collect(catalog.repositories());
    expect(repositories).toEqual([
      { account: '444455556666', region: 'eu-west-1', repository: 'team/a' },
      { account: '444455556666', region: 'eu-west-1', repository: 'team/b' },
    ]);
    expect(ecr.commandCalls(DescribeRepositoriesCommand).map((call) => call.args[0].input)).toEqual([
      { registryId: '444455556666', maxResults: 1000 },
      { registryId: '444455556666', maxResults: 1000, nextToken: 'r2' },
    ]);
    const images = await collect(catalog.images(repositories[0]!));
    expect(images).toEqual([
      { digest: DIGEST, tags: ['v1', 'v2'], pushedAt: new Date('2025-01-01T00:00:00Z') },
      { digest: DIGEST.replace('cd', 'ef'), tags: [] },
    ]);
    expect(ecr.commandCalls(DescribeImagesCommand).map((call) => call.args[0].input)).toEqual([
      { registryId: '444455556666', repositoryName: 'team/a', maxResults: 1000 },
      { registryId: '444455556666', repositoryName: 'team/a', maxResults: 1000, nextToken: 'i2' },
    ]);
  });

  it('refuses a Region that is not one', () => {
    expect(() => new EcrRegistryCatalog({ ecr: client, region: 'nowhere', selection: 'all' })).toThrow('not an AWS Region');
  });
});
