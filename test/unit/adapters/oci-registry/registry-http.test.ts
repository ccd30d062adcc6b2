import { describe, it, expect } from 'vitest';
import type { CredentialStore, RegistryCredential } from '../../../../lambdas/adapters/oci-registry/credentials.ts';
import { createRegistrySource } from '../../../../lambdas/adapters/oci-registry/registry-source.ts';


import { customsRejection, registryReference } from '../../../support/expectations.ts';

/**
 * Client behaviour a real registry cannot be made to show on demand: non-loopback hosts, expired
 * tokens, odd challenges. The registry itself is exercised in test/integration/oci-registry.
 */
interface Seen {
  url: string;
  method: string;
  authorization: string | null;
}

type Responder = (request: Seen) => Response;

function fakeFetch(responder: Responder): { fetchImpl: typeof fetch; seen: Seen[] } {
  const seen: Seen[] = [];
  const fetchImpl = (async (input: string | URL | Request, init?: RequestInit) => {
    const headers = new Headers(init?.headers);
    const request = { url: String(input), method: init?.method ?? 'GET', authorization: headers.get('authorization') };
    seen.push(request);
    return responder(request);
  }) as typeof fetch;
  return { fetchImpl, seen };
}

const store = (credential: RegistryCredential): CredentialStore => ({ get: async () => credential });


const challenge = (value: string): Response => new Response('{}', { status: 401, headers: { 'WWW-Authenticate': value } });
const manifest = (): Response => new Response('{"schemaVersion":2}', { headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json; charset=utf-8' } });


describe('registry client', () => {
  it('uses HTTPS for remote registries and registry-1.docker.io for Docker Hub', async () => {
    const { fetchImpl, seen } = fakeFetch(() => manifest());
    const root = await createRegistrySource(registryReference('ubuntu:22.04'), { fetchImpl }).root();
    expect(seen[0]?.url).toBe('https://registry-1.docker.io/v2/library/ubuntu/manifests/22.04');
    expect(root).toMatchObject({ kind: 'document', mediaType: 'application/vnd.oci.image.manifest.v1+json' });
    await createRegistrySource(registryReference('registry.example/app:v1'), { fetchImpl, plainHttp: true }).root();
    expect(seen[1]?.url).toBe('http://registry.example/v2/app/manifests/v1');
  });

  it('refuses to send Basic credentials over plain HTTP to a remote host', async () => {
    const { fetchImpl, seen } = fakeFetch(() => challenge('Basic realm="r"'));
    const source = createRegistrySource(registryReference('registry.example/app:v1'), { fetchImpl, plainHttp: true, credentials: store({ username: 'u', password: 'p' }) });
    const error = await customsRejection(source.root());
    expect(error.code).toBe('usage');
    expect(error.message).toContain('refusing to send credentials for registry.example/app over plain HTTP');
    expect(seen.every((request) => request.authorization === null)).toBe(true);
  });

  it('refuses to send credentials to a plain HTTP token realm', async () => {
    const { fetchImpl, seen } = fakeFetch(() => challenge('Bearer realm="http://auth.example/token",service="s"'));
    const source = createRegistrySource(registryReference('registry.example/app:v1'), { fetchImpl, credentials: store({ username: 'u', password: 'p' }) });
    expect(await customsRejection(source.root())).toMatchObject({ code: 'usage', message: expect.stringContaining('plain HTTP to auth.example') });
    expect(seen.map((request) => request.url)).toEqual(['https://registry.example/v2/app/manifests/v1']);
  });

  it('fetches a new token once when the cached one is refused', async () => {
    let issued = 0;
    const { fetchImpl, seen } = fakeFetch((request) => {
      if (request.url.startsWith('https://auth.example/token')) return Response.json({ access_token: `t${++issued}` });
      // The registry accepts each token for one request only, as if it expired at once.
      if (request.authorization === `Bearer t${issued}` && !seen.some((earlier) => earlier !== request && earlier.authorization === request.authorization)) return manifest();
      return challenge('Bearer realm="https://auth.example/token",service="svc"');
    });
    const source = createRegistrySource(registryReference('registry.example/app:v1'), { fetchImpl });
    await source.root();
    await source.root();
    expect(issued).toBe(2);
    const tokenRequest = seen.find((request) => request.url.startsWith('https://auth.example/'));
    expect(tokenRequest?.url).toBe('https://auth.example/token?service=svc&scope=repository%3Aapp%3Apull');
  });

  it('reports a registry that keeps refusing a fresh token as an auth error', async () => {
    const { fetchImpl } = fakeFetch((request) =>
      request.url.startsWith('https://auth.example/') ? Response.json({ token: 'anon' }) : challenge('Bearer realm="https://auth.example/token"'),
    );
    const error = await customsRejection(createRegistrySource(registryReference('registry.example/team/app:v1'), { fetchImpl }).root());
    expect(error.code).toBe('auth');
    expect(error.message).toBe(
      'registry registry.example refused anonymous access (no credentials configured) to registry.example/team/app for manifest v1 of registry.example/team/app',
    );
  });

  it('explains challenges it cannot answer', async () => {
    const basicOnly = fakeFetch(() => challenge('Basic realm="r"'));
    const withToken = createRegistrySource(registryReference('registry.example/app:v1'), { fetchImpl: basicOnly.fetchImpl, credentials: store({ identityToken: 'x' }) });
    expect(await customsRejection(withToken.root())).toMatchObject({ code: 'auth', message: expect.stringContaining('only an identity token is configured') });
    const negotiate = fakeFetch(() => challenge('Negotiate'));
    expect(await customsRejection(createRegistrySource(registryReference('registry.example/app:v1'), { fetchImpl: negotiate.fetchImpl }).root())).toMatchObject({
      code: 'auth',
      message: expect.stringContaining('unsupported challenge (negotiate)'),
    });
  });

  it('rejects token responses without a usable token', async () => {
    const { fetchImpl } = fakeFetch((request) =>
      request.url.startsWith('https://auth.example/') ? Response.json({ token: 'has spaces\r\nX-Injected: 1' }) : challenge('Bearer realm="https://auth.example/token"'),
    );
    expect(await customsRejection(createRegistrySource(registryReference('registry.example/app:v1'), { fetchImpl }).root())).toMatchObject({
      code: 'auth',
      message: expect.stringContaining('without a usable token'),
    });
  });

  it('caps error bodies and names the registry error code', async () => {
    const huge = JSON.stringify({ padding: 'x'.repeat(1 << 20), errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] });
    const { fetchImpl } = fakeFetch(() => new Response(huge, { status: 404 }));
    const error = await customsRejection(createRegistrySource(registryReference('registry.example/app:v1'), { fetchImpl }).root());
    expect(error.code).toBe('not-found');
    // The body is cut at 64 KiB, so the JSON no longer parses and no detail is claimed.
    expect(error.message).toBe('manifest v1 of registry.example/app not found');
    const small = fakeFetch(() => new Response(JSON.stringify({ errors: [{ code: 'NAME_UNKNOWN', message: 'repository name not known to registry' }] }), { status: 404 }));
    const named = await customsRejection(createRegistrySource(registryReference('registry.example/app:v1'), { fetchImpl: small.fetchImpl }).root());
    expect(named.message).toBe('manifest v1 of registry.example/app not found (NAME_UNKNOWN: repository name not known to registry)');
  });

  it('does not retry a redirect to a non-HTTP scheme', async () => {
    const { fetchImpl, seen } = fakeFetch(() => new Response(null, { status: 302, headers: { Location: 'file:///etc/passwd' } }));
    const error = await customsRejection(createRegistrySource(registryReference('registry.example/app:v1'), { fetchImpl }).root());
    expect(error).toMatchObject({ code: 'network', message: expect.stringContaining('redirected to a file: URL') });
    expect(seen).toHaveLength(1);
  });
});
