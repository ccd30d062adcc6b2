import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CredentialStore, RegistryCredential } from '../../../lambdas/adapters/oci-registry/credentials.ts';
import { createRegistrySource } from '../../../lambdas/adapters/oci-registry/registry-source.ts';
import { sha256Of } from '../../../lambdas/core/digest.ts';
import { CustomsError } from '../../../lambdas/core/errors.ts';
import { descriptorSchema } from '../../../lambdas/core/image/manifest-schema.ts';
import type { RegistryReference } from '../../../lambdas/core/image/reference.ts';
import { pushTestImage, type PushedImage } from '../../support/pushed-image.ts';
import { readAll } from '../../support/read-stream.ts';
import { startRegistry, type RunningRegistry } from '../../support/registry.ts';
import { startTokenServer, type RunningTokenServer } from '../../support/token-server.ts';
import { registryReference } from '../../support/expectations.ts';

const fixed = (credential: RegistryCredential): CredentialStore => ({ get: async () => credential });

describe('registry source against a docker-registry with bearer token auth', () => {
  let tokens: RunningTokenServer;
  let registry: RunningRegistry;
  let image: PushedImage;
  let ref: RegistryReference;

  beforeAll(async () => {
    tokens = await startTokenServer({ users: { scanner: 'token-pass' }, refreshTokens: { 'refresh-abc': 'scanner' } });
    registry = await startRegistry({ authYaml: tokens.authYaml });
    image = await pushTestImage(`${registry.host}/team/app:v1`, { destCreds: 'scanner:token-pass' });
    ref = registryReference(`${registry.host}/team/app:v1`);
  });

  beforeEach(() => {
    tokens.requests.length = 0;
  });

  afterAll(async () => {
    image?.cleanup();
    await registry?.stop();
    await tokens?.stop();
  });

  async function readWholeImage(credential: RegistryCredential): Promise<void> {
    const source = createRegistrySource(ref, { credentials: fixed(credential) });
    const root = await source.root();
    if (root.kind !== 'document') throw new Error('expected a document');
    expect(sha256Of(await readAll(root.content))).toBe(image.root.digest);
    const { config, layers } = image.parts(image.root);
    // Concurrent opens, as the core reads layers, must share one token.
    const blobs = await Promise.all([config, ...layers].map(async (blob) => sha256Of(await readAll(await source.open(descriptorSchema.parse(blob))))));
    expect(blobs).toEqual([config, ...layers].map((blob) => blob.digest));
    await source.close();
  }

  it('fetches one token with Basic credentials and reuses it for every request', async () => {
    await readWholeImage({ username: 'scanner', password: 'token-pass' });
    expect(tokens.requests).toEqual([{ method: 'GET', user: 'scanner', scopes: ['repository:team/app:pull'] }]);
  });

  it('exchanges an identity token with an OAuth2 refresh_token grant', async () => {
    await readWholeImage({ identityToken: 'refresh-abc' });
    expect(tokens.requests).toEqual([{ method: 'POST', user: 'scanner', scopes: ['repository:team/app:pull'] }]);
  });

  it('fails anonymous access with an auth error after trying an anonymous token', async () => {
    const source = createRegistrySource(ref);
    const error = await source.root().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CustomsError);
    expect(error).toMatchObject({ code: 'auth' });
    expect((error as Error).message).toContain(`${registry.host}/team/app`);
    expect(tokens.requests).toEqual([{ method: 'GET', scopes: ['repository:team/app:pull'] }]);
  });

  it('reports credentials the token service refuses as an auth error', async () => {
    const source = createRegistrySource(ref, { credentials: fixed({ username: 'scanner', password: 'nope' }) });
    const error = await source.root().catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'auth' });
    expect((error as Error).message).toMatch(/token service 127\.0\.0\.1:\d+ refused the configured credentials to 127\.0\.0\.1:\d+\/team\/app/);
  });

  it('reports a missing tag behind token auth as not-found', async () => {
    const source = createRegistrySource(
      { ...ref, tag: 'absent' },
      { credentials: fixed({ username: 'scanner', password: 'token-pass' }) },
    );
    await expect(source.root()).rejects.toMatchObject({ code: 'not-found' });
  });
});
