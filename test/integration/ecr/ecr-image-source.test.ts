import { ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EcrAuthorizationCache } from '../../../lambdas/adapters/ecr/ecr-authorization.ts';
import { RegionalEcrClients } from '../../../lambdas/adapters/ecr/ecr-clients.ts';
import { ecrImageSources, openEcrImageSource } from '../../../lambdas/adapters/ecr/ecr-image-source.ts';
import { parseDigest } from '../../../lambdas/core/digest.ts';
import { buildSbom } from '../../../lambdas/core/use-cases/build-sbom.ts';
import { startEcrLikeRegistry, type EcrLikeRegistry } from '../../support/ecr-like-registry.ts';
import { customsRejection } from '../../support/expectations.ts';
import { pushTestImage, type PushedImage } from '../../support/pushed-image.ts';

/**
 * The ECR image source end to end on loopback: GetAuthorizationToken (stubbed) names the front
 * origin as proxyEndpoint and gives `AWS:password`; manifests come from a real docker-registry with
 * Basic auth, blobs from a second origin that, like S3, refuses a request carrying Authorization.
 * The stand-in serves every registry the tests name, so the cache is told its endpoint.
 */
const ecr = mockClient(ECRClient);
const HOME = { account: '111122223333', region: 'eu-west-1' };

describe('ECR image source through a registry that redirects blobs to storage', () => {
  let fixture: EcrLikeRegistry;
  let image: PushedImage;
  let tokens: EcrAuthorizationCache;

  beforeAll(async () => {
    fixture = await startEcrLikeRegistry();
    image = await pushTestImage(`${fixture.registryHost}/team/app:v1`, { destCreds: `${fixture.username}:${fixture.password}` });
  });

  beforeEach(() => {
    ecr.reset();
    ecr.on(GetAuthorizationTokenCommand).resolves({
      authorizationData: [
        {
          authorizationToken: Buffer.from(`${fixture.username}:${fixture.password}`).toString('base64'),
          expiresAt: new Date(Date.now() + 12 * 3600_000),
          proxyEndpoint: `http://${fixture.host}`,
        },
      ],
    });
    tokens = new EcrAuthorizationCache(new RegionalEcrClients(), { registryEndpointFor: () => `http://${fixture.host}` });
    fixture.storageRequests.length = 0;
    fixture.manifestRequests.length = 0;
    fixture.tampered.clear();
  });

  afterAll(async () => {
    ecr.restore();
    image?.cleanup();
    await fixture?.stop();
  });

  it('scans the pushed digest, every blob fetched from storage without the Authorization header and verified', async () => {
    const digest = parseDigest(image.pushedDigest);
    const source = await ecrImageSources(tokens, { retryDelayMs: 1 }).open({
      ...HOME,
      repository: 'team/app',
      digest,
      tag: 'v1',
      pushedAt: new Date(),
      kind: 'push',
    });
    const result = await buildSbom(source);
    await source.close();

    const { config, layers } = image.parts(image.root);
    expect(result.images).toHaveLength(1);
    expect(result.images[0]!.manifestDigest).toBe(digest);
    expect(result.images[0]!.layers.map((layer) => layer.digest)).toEqual(layers.map((layer) => layer.digest));
    // The config and each layer went to storage once, and storage never saw the registry's credentials.
    expect(fixture.storageRequests.map((request) => request.status)).toEqual(new Array(1 + layers.length).fill(200));
    expect(fixture.storageRequests.map((request) => request.url.split('/').pop()).sort()).toEqual([config.digest, ...layers.map((layer) => layer.digest)].sort());
    for (const request of fixture.storageRequests) expect(request.headers.authorization).toBeUndefined();
    // Manifests were read with ECR's token, answering the registry's Basic challenge.
    expect(fixture.manifestRequests.some((headers) => headers.authorization === `Basic ${Buffer.from(`AWS:${fixture.password}`).toString('base64')}`)).toBe(true);
    expect(ecr.commandCalls(GetAuthorizationTokenCommand).map((call) => call.args[0].input)).toEqual([{ registryIds: [HOME.account] }]);
  });

  it("opens each registry's images with that registry's token, asked of its own Region", async () => {
    const registries = [HOME, { account: '444455556666', region: 'us-east-1' }];
    const sources = ecrImageSources(tokens, { retryDelayMs: 1 });
    for (const registry of registries) {
      const digest = parseDigest(image.pushedDigest);
      const source = await sources.open({ ...registry, repository: 'team/app', digest, pushedAt: new Date(), kind: 'push' });
      const result = await buildSbom(source);
      await source.close();
      expect(result.images.map((scanned) => scanned.manifestDigest)).toEqual([digest]);
    }
    const calls = ecr.commandCalls(GetAuthorizationTokenCommand);
    const asked = await Promise.all(calls.map(async (call) => ({ input: call.args[0].input, region: await (call.thisValue as ECRClient).config.region() })));
    expect(asked).toEqual(registries.map(({ account, region }) => ({ input: { registryIds: [account] }, region })));
  });

  it("sends no credentials when ECR's answer names an endpoint that is not the registry's", async () => {
    // Without the stand-in's endpoint, the loopback proxyEndpoint is not 111122223333.dkr.ecr.eu-west-1.amazonaws.com.
    const strict = new EcrAuthorizationCache(new RegionalEcrClients());
    const error = await customsRejection(openEcrImageSource({ ...HOME, repository: 'team/app', digest: parseDigest(image.pushedDigest) }, strict));
    expect(error.code).toBe('auth');
    expect(error.message).toContain('https://111122223333.dkr.ecr.eu-west-1.amazonaws.com');
    expect(error.message).toContain(`http://${fixture.host}`);
    expect(fixture.manifestRequests).toEqual([]);
  });

  it('fails a layer whose stored bytes were altered with a digest mismatch naming the layer', async () => {
    const layer = image.parts(image.root).layers[1]!;
    fixture.tampered.add(layer.digest);
    const source = await openEcrImageSource({ ...HOME, repository: 'team/app', digest: parseDigest(image.pushedDigest) }, tokens, { retryDelayMs: 1 });
    const error = await customsRejection(buildSbom(source));
    await source.close();
    expect(error.code).toBe('digest-mismatch');
    expect(error.message).toContain(layer.digest);
  });

  it('has a storage origin that refuses the Authorization header beside a signature, as S3 does', async () => {
    const { config } = image.parts(image.root);
    const url = fixture.signedUrl('team/app', config.digest);
    const refused = await fetch(url, { headers: { Authorization: 'Basic eDp5' } });
    await refused.arrayBuffer();
    expect(refused.status).toBe(400);
    const served = await fetch(url);
    expect(Buffer.from(await served.arrayBuffer())).toEqual(image.blob(config.digest));
  });

  it('reads two images with one token: the login is cached across sources', async () => {
    for (let i = 0; i < 2; i++) {
      const source = await openEcrImageSource({ ...HOME, repository: 'team/app', digest: parseDigest(image.pushedDigest) }, tokens);
      const root = await source.root();
      if (root.kind === 'document') for await (const _chunk of root.content) void _chunk;
      await source.close();
    }
    expect(ecr.commandCalls(GetAuthorizationTokenCommand)).toHaveLength(1);
  });
});
