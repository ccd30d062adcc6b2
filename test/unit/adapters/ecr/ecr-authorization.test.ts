import { GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EcrAuthorizationCache } from '../../../../lambdas/adapters/ecr/ecr-authorization.ts';
import { ecrCredentialStore } from '../../../../lambdas/adapters/ecr/ecr-image-source.ts';
import { authorizationOutput, regionalEcrMocks, type RegionalEcrMocks } from '../../../support/regional-ecr-mocks.ts';

const HOME = { account: '111122223333', region: 'eu-west-1' };
const ENDPOINT = 'https://111122223333.dkr.ecr.eu-west-1.amazonaws.com';

let ecr: RegionalEcrMocks;

beforeEach(() => {
  ecr = regionalEcrMocks(['eu-west-1', 'us-east-1', 'cn-north-1']);
});

afterEach(() => {
  ecr.restore();
});

const calls = (region: string) => ecr.mock(region).commandCalls(GetAuthorizationTokenCommand);

describe('EcrAuthorizationCache', () => {
  it("decodes AWS:password, takes the registry host from proxyEndpoint and asks the registry's Region for exactly its account", async () => {
    const output = authorizationOutput(ENDPOINT, 'pa:ss');
    ecr.mock('eu-west-1').on(GetAuthorizationTokenCommand).resolves(output);
    const authorization = await new EcrAuthorizationCache(ecr.clients).get(HOME);
    expect(authorization).toMatchObject({ registry: '111122223333.dkr.ecr.eu-west-1.amazonaws.com', username: 'AWS', password: 'pa:ss', expiresAt: output.authorizationData![0]!.expiresAt });
    expect(calls('eu-west-1').map((call) => call.args[0].input)).toEqual([{ registryIds: ['111122223333'] }]);
  });

  it('keeps one token per registry: each account and Region is asked once, of its own Region, and gets its own token', async () => {
    const registries = [HOME, { account: '444455556666', region: 'eu-west-1' }, { account: '777788889999', region: 'us-east-1' }];
    for (const region of ['eu-west-1', 'us-east-1']) {
      ecr.mock(region).on(GetAuthorizationTokenCommand).callsFake(async (input: { registryIds: string[] }) => {
        const account = input.registryIds[0]!;
        return authorizationOutput(`https://${account}.dkr.ecr.${region}.amazonaws.com`, `pw-${account}`);
      });
    }
    const cache = new EcrAuthorizationCache(ecr.clients);
    const first = await Promise.all(registries.flatMap((registry) => [cache.get(registry), cache.get(registry)]));
    const again = await Promise.all(registries.map((registry) => cache.get(registry)));

    expect(first.map((authorization) => authorization.password)).toEqual(registries.flatMap(({ account }) => [`pw-${account}`, `pw-${account}`]));
    expect(again.map((authorization) => authorization.registry)).toEqual(registries.map(({ account, region }) => `${account}.dkr.ecr.${region}.amazonaws.com`));
    expect(calls('eu-west-1').map((call) => call.args[0].input)).toEqual([{ registryIds: ['111122223333'] }, { registryIds: ['444455556666'] }]);
    expect(calls('us-east-1').map((call) => call.args[0].input)).toEqual([{ registryIds: ['777788889999'] }]);
    expect(ecr.created).toEqual(['eu-west-1', 'us-east-1']);
  });

  it('asks once for concurrent scans and again only shortly before the token expires', async () => {
    let now = Date.parse('2026-11-16T00:00:00Z');
    const expiresAt = new Date(now + 12 * 3600_000);
    ecr.mock('eu-west-1').on(GetAuthorizationTokenCommand)
      .resolvesOnce(authorizationOutput(ENDPOINT, 'one', expiresAt))
      .resolves(authorizationOutput(ENDPOINT, 'two', new Date(expiresAt.getTime() + 12 * 3600_000)));
    const cache = new EcrAuthorizationCache(ecr.clients, { now: () => now, refreshBeforeMs: 5 * 60_000 });
    await Promise.all([cache.get(HOME), cache.get(HOME), cache.get(HOME)]);
    now = expiresAt.getTime() - 6 * 60_000;
    await cache.get(HOME);
    expect(calls('eu-west-1')).toHaveLength(1);
    now = expiresAt.getTime() - 4 * 60_000;
    // Scans that find the token stale together share one refresh.
    const refreshed = await Promise.all([cache.get(HOME), cache.get(HOME)]);
    expect(refreshed.map((authorization) => authorization.password)).toEqual(['two', 'two']);
    expect(calls('eu-west-1')).toHaveLength(2);
  });

  it('does not keep a failure: the next scan asks again', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    ecr.mock('eu-west-1').on(GetAuthorizationTokenCommand).rejectsOnce(throttled).resolves(authorizationOutput(ENDPOINT, 'two'));
    const cache = new EcrAuthorizationCache(ecr.clients);
    await expect(cache.get(HOME)).rejects.toMatchObject({ name: 'ThrottlingException' });
    await expect(cache.get(HOME)).resolves.toMatchObject({ password: 'two' });
  });

  it.each([
    ['no authorization data', { $metadata: {} }],
    ['a token that is not user:password', { $metadata: {}, authorizationData: [{ authorizationToken: Buffer.from('nocolon').toString('base64'), expiresAt: new Date(), proxyEndpoint: ENDPOINT }] }],
  ])('refuses %s with an auth error that does not quote the token', async (_what, output) => {
    ecr.mock('eu-west-1').on(GetAuthorizationTokenCommand).resolves(output);
    const error = await new EcrAuthorizationCache(ecr.clients).get(HOME).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'auth' });
    expect(String(error)).not.toContain('bm9jb2xvbg');
  });

  it.each([
    ['another account', 'https://444455556666.dkr.ecr.eu-west-1.amazonaws.com'],
    ['another Region', 'https://111122223333.dkr.ecr.eu-central-1.amazonaws.com'],
    ['plain HTTP', 'http://111122223333.dkr.ecr.eu-west-1.amazonaws.com'],
    ['a host that only starts like the registry', 'https://111122223333.dkr.ecr.eu-west-1.amazonaws.com.example.net'],
  ])('refuses a token whose endpoint names %s, naming both, and keeps no such token', async (_what, proxyEndpoint) => {
    ecr.mock('eu-west-1').on(GetAuthorizationTokenCommand).resolvesOnce(authorizationOutput(proxyEndpoint, 'stray')).resolves(authorizationOutput(ENDPOINT, 'right'));
    const cache = new EcrAuthorizationCache(ecr.clients);
    const error = await cache.get(HOME).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'auth' });
    expect(String(error)).toContain(new URL(proxyEndpoint).origin);
    expect(String(error)).toContain(ENDPOINT);
    expect(String(error)).not.toContain(Buffer.from('AWS:stray').toString('base64'));
    await expect(cache.get(HOME)).resolves.toMatchObject({ password: 'right' });
  });

  it('expects amazonaws.com.cn in the China Regions', async () => {
    const china = { account: '111122223333', region: 'cn-north-1' };
    ecr.mock('cn-north-1').on(GetAuthorizationTokenCommand)
      .resolvesOnce(authorizationOutput('https://111122223333.dkr.ecr.cn-north-1.amazonaws.com', 'global'))
      .resolves(authorizationOutput('https://111122223333.dkr.ecr.cn-north-1.amazonaws.com.cn', 'china'));
    const cache = new EcrAuthorizationCache(ecr.clients);
    await expect(cache.get(china)).rejects.toMatchObject({ code: 'auth' });
    await expect(cache.get(china)).resolves.toMatchObject({ registry: '111122223333.dkr.ecr.cn-north-1.amazonaws.com.cn', password: 'china' });
  });

  it('takes the endpoint a stand-in registry names when told where it listens', async () => {
    ecr.mock('us-east-1').on(GetAuthorizationTokenCommand).resolves(authorizationOutput('http://127.0.0.1:5000', 'local'));
    const asked: unknown[] = [];
    const cache = new EcrAuthorizationCache(ecr.clients, {
      registryEndpointFor: (registry) => {
        asked.push(registry);
        return 'http://127.0.0.1:5000';
      },
    });
    const registry = { account: '777788889999', region: 'us-east-1' };
    await expect(cache.get(registry)).resolves.toMatchObject({ registry: '127.0.0.1:5000', password: 'local' });
    expect(asked).toEqual([registry]);
    expect(calls('us-east-1').map((call) => call.args[0].input)).toEqual([{ registryIds: ['777788889999'] }]);
  });

  it.each([
    ['an account that is not 12 digits', { account: '1111', region: 'eu-west-1' }],
    ['a Region that is not one', { account: '111122223333', region: 'eu-west-1.example.net' }],
  ])('refuses %s before asking ECR', async (_what, registry) => {
    await expect(new EcrAuthorizationCache(ecr.clients).get(registry)).rejects.toMatchObject({ code: 'usage' });
    expect(ecr.created).toEqual([]);
  });
});

describe('ecrCredentialStore', () => {
  it('gives the token to its own registry and to no other', async () => {
    const store = ecrCredentialStore({ registry: '111122223333.dkr.ecr.eu-west-1.amazonaws.com', endpoint: new URL(ENDPOINT), username: 'AWS', password: 'pw', expiresAt: new Date() });
    expect(await store.get('111122223333.dkr.ecr.eu-west-1.amazonaws.com')).toEqual({ username: 'AWS', password: 'pw' });
    expect(await store.get('444455556666.dkr.ecr.eu-west-1.amazonaws.com')).toBeUndefined();
    expect(await store.get('docker.io')).toBeUndefined();
  });
});
