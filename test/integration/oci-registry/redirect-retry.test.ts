import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CredentialStore } from '../../../lambdas/adapters/oci-registry/credentials.ts';
import { createRegistrySource } from '../../../lambdas/adapters/oci-registry/registry-source.ts';
import { sha256Of } from '../../../lambdas/core/digest.ts';
import { CustomsError } from '../../../lambdas/core/errors.ts';
import { descriptorSchema } from '../../../lambdas/core/image/manifest-schema.ts';
import type { RegistryReference } from '../../../lambdas/core/image/reference.ts';
import { htpasswdAuthYaml } from '../../support/htpasswd.ts';
import { closeServer, listenOnLoopback } from '../../support/http-server.ts';
import { pushTestImage, type PushedImage } from '../../support/pushed-image.ts';
import { readAll } from '../../support/read-stream.ts';
import { startRegistry, type RunningRegistry } from '../../support/registry.ts';
import { startRegistryProxy, type RunningProxy } from '../../support/registry-proxy.ts';
import { registryReference } from '../../support/expectations.ts';

/**
 * A proxy in front of a real (Basic-auth) registry answers blob downloads the way registries backed
 * by object storage do: 307 to a same-origin hop, then 307 to a storage server on another port.
 * It also injects 503s for the retry tests and a redirect loop.
 */
const credentials: CredentialStore = { get: async () => ({ username: 'scanner', password: 'pw' }) };

describe('registry source through redirects and transient failures', () => {
  let dir: string;
  let registry: RunningRegistry;
  let image: PushedImage;
  let proxy: RunningProxy;
  let storage: Server;
  let storageHost: string;
  const storageRequests: IncomingHttpHeaders[] = [];
  const hopRequests: IncomingHttpHeaders[] = [];
  const failures = { flaky: 0, down: 0 };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'customs-redirect-'));
    registry = await startRegistry({ authYaml: await htpasswdAuthYaml(dir, { scanner: 'pw' }) });
    image = await pushTestImage(`${registry.host}/private/app:v1`, { destCreds: 'scanner:pw' });

    storage = createServer((request, response) => {
      storageRequests.push(request.headers);
      const digest = /^\/storage\/(sha256:[0-9a-f]{64})$/.exec(request.url ?? '')?.[1];
      if (!digest) return void response.writeHead(404).end();
      response.writeHead(200, { 'Content-Type': 'application/octet-stream' }).end(image.blob(digest));
    });
    storageHost = await listenOnLoopback(storage);

    proxy = await startRegistryProxy(registry.host, async (request, response, context) => {
      const url = request.url ?? '/';
      const hop = /^\/hop\/(sha256:[0-9a-f]{64})$/.exec(url);
      if (hop) {
        hopRequests.push(request.headers);
        response.writeHead(307, { Location: `http://${storageHost}/storage/${hop[1]}` }).end();
        return true;
      }
      if (url.startsWith('/v2/loop/')) {
        response.writeHead(302, { Location: url }).end();
        return true;
      }
      if (url.startsWith('/v2/down/')) {
        failures.down++;
        response.writeHead(503).end();
        return true;
      }
      if (url.startsWith('/v2/flaky/') && failures.flaky++ < 2) {
        response.writeHead(failures.flaky === 1 ? 503 : 429, { 'Retry-After': '0' }).end();
        return true;
      }
      const path = url.replace(/^\/v2\/flaky\//, '/v2/private/');
      const blob = /^\/v2\/private\/app\/blobs\/(sha256:[0-9a-f]{64})$/.exec(path);
      const upstream = await context.forward(path);
      if (blob && upstream.statusCode === 200) {
        // The registry authorized the download; hand it off the way S3-backed registries do.
        upstream.resume();
        response.writeHead(307, { Location: `/hop/${blob[1]}` }).end();
        return true;
      }
      context.relay(upstream);
      return true;
    });
  });

  beforeEach(() => {
    storageRequests.length = 0;
    hopRequests.length = 0;
  });

  afterAll(async () => {
    await proxy?.stop();
    if (storage) await closeServer(storage);
    image?.cleanup();
    await registry?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const ref = (path: string): RegistryReference => registryReference(`${proxy.host}/${path}`);

  it('follows blob redirects to storage without sending it the Authorization header', async () => {
    const source = createRegistrySource(ref('private/app:v1'), { credentials });
    const root = await source.root();
    if (root.kind !== 'document') throw new Error('expected a document');
    expect(sha256Of(await readAll(root.content))).toBe(image.root.digest);
    const { config, layers } = image.parts(image.root);
    for (const blob of [config, ...layers]) {
      const bytes = await readAll(await source.open(descriptorSchema.parse(blob)));
      expect(sha256Of(bytes)).toBe(blob.digest);
    }
    await source.close();

    expect(storageRequests).toHaveLength(1 + layers.length);
    for (const headers of storageRequests) expect(headers.authorization).toBeUndefined();
    // The same-origin hop is still the registry and keeps the credentials.
    expect(hopRequests).toHaveLength(1 + layers.length);
    for (const headers of hopRequests) expect(headers.authorization).toMatch(/^Basic /);
  });

  it('gives up on a redirect loop with a network error', async () => {
    const source = createRegistrySource(ref('loop/app:v1'), { credentials, retryDelayMs: 1 });
    const error = await source.root().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CustomsError);
    expect(error).toMatchObject({ code: 'network' });
    expect((error as Error).message).toContain('more than 5 redirects');
  });

  it('retries 503 and 429 and then succeeds', async () => {
    failures.flaky = 0;
    const source = createRegistrySource(ref('flaky/app:v1'), { credentials, retryDelayMs: 1 });
    const root = await source.root();
    if (root.kind !== 'document') throw new Error('expected a document');
    expect(sha256Of(await readAll(root.content))).toBe(image.root.digest);
    expect(failures.flaky).toBeGreaterThanOrEqual(3);
  });

  it('stops after three attempts with a network error', async () => {
    failures.down = 0;
    const source = createRegistrySource(ref('down/app:v1'), { credentials, retryDelayMs: 1 });
    const error = await source.root().catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'network' });
    expect((error as Error).message).toContain('HTTP 503 3 times');
    expect(failures.down).toBe(3);
  });
});
