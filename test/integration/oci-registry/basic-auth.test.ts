import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCredentialStore, type CredentialStore } from '../../../lambdas/adapters/oci-registry/credentials.ts';
import { createRegistrySource } from '../../../lambdas/adapters/oci-registry/registry-source.ts';
import { sha256Of } from '../../../lambdas/core/digest.ts';
import { CustomsError } from '../../../lambdas/core/errors.ts';
import { descriptorSchema } from '../../../lambdas/core/image/manifest-schema.ts';
import type { RegistryReference } from '../../../lambdas/core/image/reference.ts';
import { htpasswdAuthYaml } from '../../support/htpasswd.ts';
import { pushTestImage, type PushedImage } from '../../support/pushed-image.ts';
import { readAll } from '../../support/read-stream.ts';
import { startRegistry, type RunningRegistry } from '../../support/registry.ts';
import { registryReference } from '../../support/expectations.ts';

const fixed = (credential: { username: string; password: string }): CredentialStore => ({ get: async () => credential });

describe('registry source against a docker-registry with htpasswd (Basic) auth', () => {
  let dir: string;
  let registry: RunningRegistry;
  let image: PushedImage;
  let ref: RegistryReference;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'customs-basic-'));
    registry = await startRegistry({ authYaml: await htpasswdAuthYaml(dir, { scanner: 's3cret:with colon' }) });
    image = await pushTestImage(`${registry.host}/private/app:v1`, { destCreds: 'scanner:s3cret:with colon' });
    ref = registryReference(`${registry.host}/private/app:v1`);
  });

  afterAll(async () => {
    image?.cleanup();
    await registry?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads manifest and blobs with credentials from the environment', async () => {
    const credentials = createCredentialStore({
      registry: registry.host,
      env: { CUSTOMS_REGISTRY_USERNAME: 'scanner', CUSTOMS_REGISTRY_PASSWORD: 's3cret:with colon', DOCKER_CONFIG: join(dir, 'no-config') },
    });
    const source = createRegistrySource(ref, { credentials });
    const root = await source.root();
    if (root.kind !== 'document') throw new Error('expected a document');
    expect(sha256Of(await readAll(root.content))).toBe(image.root.digest);
    for (const blob of [image.parts(image.root).config, ...image.parts(image.root).layers]) {
      expect(sha256Of(await readAll(await source.open(descriptorSchema.parse(blob))))).toBe(blob.digest);
    }
    await source.close();
  });

  it('refuses anonymous access with an auth error naming registry and repository', async () => {
    const source = createRegistrySource(ref, { credentials: createCredentialStore({ env: { DOCKER_CONFIG: join(dir, 'no-config') } }) });
    const error = await source.root().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CustomsError);
    expect(error).toMatchObject({ code: 'auth' });
    expect((error as Error).message).toContain(`${registry.host}/private/app`);
    expect((error as Error).message).toContain('none are configured');
  });

  it('reports wrong credentials as an auth error', async () => {
    const source = createRegistrySource(ref, { credentials: fixed({ username: 'scanner', password: 'wrong' }) });
    const error = await source.root().catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'auth' });
    expect((error as Error).message).toContain(`registry ${registry.host} refused the configured credentials to ${registry.host}/private/app`);
  });

  it('does not use CUSTOMS_REGISTRY_* credentials for a registry other than the one being scanned', async () => {
    const credentials = createCredentialStore({
      registry: 'registry.example.com',
      env: { CUSTOMS_REGISTRY_USERNAME: 'scanner', CUSTOMS_REGISTRY_PASSWORD: 's3cret:with colon', DOCKER_CONFIG: join(dir, 'no-config') },
    });
    await expect(createRegistrySource(ref, { credentials }).root()).rejects.toMatchObject({ code: 'auth' });
  });
});
