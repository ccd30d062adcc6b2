import { ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { EcrAuthorizationCache } from '../../../../lambdas/adapters/ecr/ecr-authorization.ts';
import { ecrCredentialStore } from '../../../../lambdas/adapters/ecr/ecr-image-source.ts';

const ecr = mockClient(ECRClient);
const ENDPOINT = 'https://111122223333.dkr.ecr.eu-west-1.amazonaws.com';
const token = (password: string): string => Buffer.from(`AWS:${password}`).toString('base64');

afterEach(() => {
  ecr.reset();
});

describe('EcrAuthorizationCache', () => {
  it('decodes AWS:password and takes the registry host from proxyEndpoint', async () => {
    const expiresAt = new Date(Date.now() + 12 * 3600_000);
    ecr.on(GetAuthorizationTokenCommand).resolves({ authorizationData: [{ authorizationToken: token('pa:ss'), expiresAt, proxyEndpoint: ENDPOINT }] });
    const authorization = await new EcrAuthorizationCache(new ECRClient({ region: 'eu-west-1' })).get();
    expect(authorization).toMatchObject({ registry: '111122223333.dkr.ecr.eu-west-1.amazonaws.com', username: 'AWS', password: 'pa:ss', expiresAt });
    expect(ecr.commandCalls(GetAuthorizationTokenCommand)[0]!.args[0].input).toEqual({});
  });

  it('asks once for concurrent scans and again only shortly before the token expires', async () => {
    let now = Date.parse('2026-11-16T00:00:00Z');
    const expiresAt = new Date(now + 12 * 3600_000);
    ecr.on(GetAuthorizationTokenCommand).resolves({ authorizationData: [{ authorizationToken: token('one'), expiresAt, proxyEndpoint: ENDPOINT }] });
    const cache = new EcrAuthorizationCache(new ECRClient({ region: 'eu-west-1' }), { now: () => now, refreshBeforeMs: 5 * 60_000 });
    await Promise.all([cache.get(), cache.get(), cache.get()]);
    now = expiresAt.getTime() - 6 * 60_000;
    await cache.get();
    expect(ecr.commandCalls(GetAuthorizationTokenCommand)).toHaveLength(1);
    now = expiresAt.getTime() - 4 * 60_000;
    await cache.get();
    expect(ecr.commandCalls(GetAuthorizationTokenCommand)).toHaveLength(2);
  });

  it('does not keep a failure: the next scan asks again', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    ecr.on(GetAuthorizationTokenCommand)
      .rejectsOnce(throttled)
      .resolves({ authorizationData: [{ authorizationToken: token('two'), expiresAt: new Date(Date.now() + 3600_000), proxyEndpoint: ENDPOINT }] });
    const cache = new EcrAuthorizationCache(new ECRClient({ region: 'eu-west-1' }));
    await expect(cache.get()).rejects.toMatchObject({ name: 'ThrottlingException' });
    await expect(cache.get()).resolves.toMatchObject({ password: 'two' });
  });

  it.each([
    ['no authorization data', {}],
    ['a token that is not user:password', { authorizationData: [{ authorizationToken: Buffer.from('nocolon').toString('base64'), expiresAt: new Date(), proxyEndpoint: ENDPOINT }] }],
  ])('refuses %s with an auth error that does not quote the token', async (_what, output) => {
    ecr.on(GetAuthorizationTokenCommand).resolves(output);
    const error = await new EcrAuthorizationCache(new ECRClient({ region: 'eu-west-1' })).get().catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'auth' });
    expect(String(error)).not.toContain('bm9jb2xvbg');
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
