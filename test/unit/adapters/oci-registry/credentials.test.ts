import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCredentialStore } from '../../../../lambdas/adapters/oci-registry/credentials.ts';
import { customsRejection } from '../../../support/expectations.ts';

// A stand-in credential helper speaking Docker's protocol: `get`, server URL on stdin, JSON out.
const HELPER = `#!/bin/sh
read -r url
case "$1:$url" in
  get:helped.example:5000) echo '{"ServerURL":"helped.example:5000","Username":"helper-user","Secret":"helper-pass"}' ;;
  get:https://index.docker.io/v1/) echo '{"Username":"<token>","Secret":"identity-xyz"}' ;;
  get:store.example) echo '{"Username":"store-user","Secret":"store-pass"}' ;;
  get:broken.example) echo 'not json' ;;
  get:failing.example) echo 'keychain locked' >&2; exit 3 ;;
  *) echo 'credentials not found in native keychain'; exit 1 ;;
esac
`;

const b64 = (text: string): string => Buffer.from(text).toString('base64');

describe('createCredentialStore', () => {
  let root: string;
  let bin: string;
  let count = 0;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'customs-creds-'));
    bin = join(root, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'docker-credential-test'), HELPER);
    writeFileSync(join(bin, 'docker-credential-slow'), '#!/bin/sh\nsleep 5\n');
    chmodSync(join(bin, 'docker-credential-test'), 0o755);
    chmodSync(join(bin, 'docker-credential-slow'), 0o755);
  });

  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  /** A DOCKER_CONFIG directory holding `config` (an object, or raw text). */
  function configDir(config: unknown): string {
    const dir = join(root, `config-${count++}`);
    mkdirSync(dir);
    writeFileSync(join(dir, 'config.json'), typeof config === 'string' ? config : JSON.stringify(config));
    return dir;
  }

  function env(dockerConfig: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return { DOCKER_CONFIG: dockerConfig, PATH: `${bin}:/usr/bin:/bin`, ...extra };
  }


  it('uses CUSTOMS_REGISTRY_* only for the registry being scanned', async () => {
    const vars = { CUSTOMS_REGISTRY_USERNAME: 'env-user', CUSTOMS_REGISTRY_PASSWORD: 'env-pass' };
    const store = createCredentialStore({ registry: 'registry.example:5000', env: env(join(root, 'none'), vars) });
    expect(await store.get('registry.example:5000')).toEqual({ username: 'env-user', password: 'env-pass' });
    expect(await store.get('registry.example')).toBeUndefined();
    expect(await store.get('other.example')).toBeUndefined();
    const unscoped = createCredentialStore({ env: env(join(root, 'none'), vars) });
    expect(await unscoped.get('registry.example:5000')).toBeUndefined();
  });

  it('prefers the environment over the Docker config for the scanned registry', async () => {
    const dir = configDir({ auths: { 'registry.example': { auth: b64('file-user:file-pass') } } });
    const vars = { CUSTOMS_REGISTRY_USERNAME: 'env-user', CUSTOMS_REGISTRY_PASSWORD: 'env-pass' };
    const store = createCredentialStore({ registry: 'registry.example', env: env(dir, vars) });
    expect(await store.get('registry.example')).toEqual({ username: 'env-user', password: 'env-pass' });
  });

  it('has nothing when there is no config file', async () => {
    expect(await createCredentialStore({ env: env(join(root, 'none')) }).get('registry.example')).toBeUndefined();
  });

  it('falls back to ~/.docker/config.json without DOCKER_CONFIG', async () => {
    const home = join(root, 'home');
    mkdirSync(join(home, '.docker'), { recursive: true });
    writeFileSync(join(home, '.docker', 'config.json'), JSON.stringify({ auths: { 'home.example': { auth: b64('h:p') } } }));
    const store = createCredentialStore({ env: { HOME: home, PATH: '/usr/bin:/bin' } });
    expect(await store.get('home.example')).toEqual({ username: 'h', password: 'p' });
  });

  it('reads inline auths under every key spelling', async () => {
    const dir = configDir({
      auths: {
        'https://index.docker.io/v1/': { auth: b64('hub-user:hub:pass') },
        'registry.example:5000': { auth: b64('port-user:port-pass') },
        'https://url.example/v2/': { username: 'url-user', password: 'url-pass' },
        'token.example': { identitytoken: 'refresh-123' },
        'empty.example': {},
        'http://Mixed.Example': { auth: b64('mixed:case') },
      },
    });
    const store = createCredentialStore({ env: env(dir) });
    expect(await store.get('docker.io')).toEqual({ username: 'hub-user', password: 'hub:pass' });
    expect(await store.get('registry.example:5000')).toEqual({ username: 'port-user', password: 'port-pass' });
    expect(await store.get('registry.example')).toBeUndefined();
    expect(await store.get('url.example')).toEqual({ username: 'url-user', password: 'url-pass' });
    expect(await store.get('token.example')).toEqual({ identityToken: 'refresh-123' });
    expect(await store.get('empty.example')).toBeUndefined();
    expect(await store.get('mixed.example')).toEqual({ username: 'mixed', password: 'case' });
  });

  it('prefers the exact host key over a URL spelling of it', async () => {
    const dir = configDir({ auths: { 'docker.io': { auth: b64('exact:1') }, 'https://index.docker.io/v1/': { auth: b64('url:2') } } });
    expect(await createCredentialStore({ env: env(dir) }).get('docker.io')).toEqual({ username: 'exact', password: '1' });
  });

  it('asks a credential helper named in credHelpers, before inline auths', async () => {
    const dir = configDir({
      auths: { 'helped.example:5000': { auth: b64('inline:inline') } },
      credHelpers: { 'helped.example:5000': 'test', 'https://index.docker.io/v1/': 'test', 'unknown.example': 'test' },
    });
    const store = createCredentialStore({ env: env(dir) });
    expect(await store.get('helped.example:5000')).toEqual({ username: 'helper-user', password: 'helper-pass' });
    // Docker Hub's server URL goes to the helper; `<token>` means an identity token.
    expect(await store.get('docker.io')).toEqual({ identityToken: 'identity-xyz' });
    // "credentials not found" is no credentials, not an error.
    expect(await store.get('unknown.example')).toBeUndefined();
  });

  it('uses credsStore for registries without a helper or inline entry', async () => {
    const dir = configDir({ credsStore: 'test', auths: { 'inline.example': { auth: b64('i:p') }, 'store.example': {} } });
    const store = createCredentialStore({ env: env(dir) });
    expect(await store.get('store.example')).toEqual({ username: 'store-user', password: 'store-pass' });
    expect(await store.get('inline.example')).toEqual({ username: 'i', password: 'p' });
    expect(await store.get('nothing.example')).toBeUndefined();
  });

  it('reports a failing, silent, garbled or missing helper as an auth error', async () => {
    const dir = configDir({ credHelpers: { 'failing.example': 'test', 'broken.example': 'test', 'slow.example': 'slow', 'missing.example': 'absent' } });
    const store = createCredentialStore({ env: env(dir), helperTimeoutMs: 300 });
    const failing = await customsRejection(store.get('failing.example'));
    expect(failing.code).toBe('auth');
    expect(failing.message).toBe('credential helper docker-credential-test failed for failing.example (exit 3): keychain locked');
    expect(await customsRejection(store.get('broken.example'))).toMatchObject({ code: 'auth', message: expect.stringContaining('other than JSON') });
    const started = Date.now();
    expect(await customsRejection(store.get('slow.example'))).toMatchObject({ code: 'auth', message: expect.stringContaining('did not answer within 0.3 s') });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await customsRejection(store.get('missing.example'))).toMatchObject({ code: 'auth', message: expect.stringContaining('docker-credential-absent is not installed') });
  });

  it.each([
    ['not JSON', '{"auths": ', /is not valid JSON/],
    ['auths of the wrong type', { auths: [] }, /is malformed at auths/],
    ['a non-string password', { auths: { 'x.example': { username: 'u', password: 5 } } }, /is malformed at auths\.x\.example\.password/],
    ['a helper name that is a path', { credHelpers: { 'x.example': '../../bin/sh' } }, /is malformed at credHelpers\.x\.example: not a valid credential helper name/],
    ['auth that is not base64 of user:password', { auths: { 'x.example': { auth: b64('no-colon') } } }, /auth entry for x\.example that is not base64/],
  ])('rejects a config with %s as a usage error naming the file', async (_name, config, message) => {
    const dir = configDir(config);
    const error = await customsRejection(createCredentialStore({ env: env(dir) }).get('x.example'));
    expect(error.code).toBe('usage');
    expect(error.message).toContain(join(dir, 'config.json'));
    expect(error.message).toMatch(message);
  });

  it('ignores fields it does not use', async () => {
    const dir = configDir({ auths: { 'x.example': { auth: b64('u:p'), email: 'e@example.com' } }, psFormat: 'table', experimental: 'enabled' });
    expect(await createCredentialStore({ env: env(dir) }).get('x.example')).toEqual({ username: 'u', password: 'p' });
  });
});
