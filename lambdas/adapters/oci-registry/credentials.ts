import { CustomsError } from '../../core/errors.ts';
import { runCredentialHelper } from './credential-helper.ts';
import { dockerConfigPath, helperServerUrl, loadDockerConfig, registryKey, type AuthEntry, type DockerConfig } from './docker-config.ts';

/**
 * Where registry credentials come from, in order: CUSTOMS_REGISTRY_USERNAME/PASSWORD (for the
 * registry being scanned only, so they never leak to another host), then Docker's config.json:
 * a credential helper named for the registry, an inline `auths` entry, the default `credsStore`.
 */
export type RegistryCredential =
  | { readonly username: string; readonly password: string }
  /** An OAuth2 refresh token (`docker login` with an identity provider), exchanged at the token realm. */
  | { readonly identityToken: string };

export interface CredentialStore {
  /** Credentials for a registry host (`host[:port]`, `docker.io` for Docker Hub), if any are configured. */
  get(registry: string): Promise<RegistryCredential | undefined>;
}

export interface CredentialStoreOptions {
  /** The registry being scanned: the only one the CUSTOMS_REGISTRY_* variables apply to. */
  registry?: string;
  /** Environment to read (variables, DOCKER_CONFIG, HOME, PATH for helpers); defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** How long a credential helper may take; 10 s by default. */
  helperTimeoutMs?: number;
}

// Credential helpers report an identity token with this user name.
const IDENTITY_TOKEN_USER = '<token>';

export function createCredentialStore(options: CredentialStoreOptions = {}): CredentialStore {
  const env = options.env ?? process.env;
  const timeoutMs = options.helperTimeoutMs ?? 10_000;
  let config: Promise<DockerConfig | undefined> | undefined;
  return {
    async get(registry) {
      const key = registryKey(registry);
      const fromEnv = envCredential(env, options.registry, key);
      if (fromEnv) return fromEnv;
      config ??= loadDockerConfig(dockerConfigPath(env));
      const docker = await config;
      if (!docker) return undefined;
      const helper = docker.credHelpers.get(key);
      if (helper) return fromHelper(helper, registry, env, timeoutMs);
      const entry = docker.auths.get(key);
      const inline = entry && fromAuthEntry(entry, docker.file, key);
      if (inline) return inline;
      if (docker.credsStore) return fromHelper(docker.credsStore, registry, env, timeoutMs);
      return undefined;
    },
  };
}

function envCredential(env: NodeJS.ProcessEnv, scanned: string | undefined, key: string): RegistryCredential | undefined {
  const username = env.CUSTOMS_REGISTRY_USERNAME;
  const password = env.CUSTOMS_REGISTRY_PASSWORD;
  if (!scanned || registryKey(scanned) !== key || !username || password === undefined) return undefined;
  return { username, password };
}

function fromAuthEntry(entry: AuthEntry, file: string, key: string): RegistryCredential | undefined {
  if (entry.identitytoken) return { identityToken: entry.identitytoken };
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(entry.auth) || colon <= 0) {
      throw new CustomsError('usage', `Docker config ${file} has an auth entry for ${key} that is not base64 of user:password`);
    }
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  if (entry.username && entry.password !== undefined) return { username: entry.username, password: entry.password };
  return undefined;
}

async function fromHelper(name: string, registry: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<RegistryCredential | undefined> {
  const stored = await runCredentialHelper(name, helperServerUrl(registry), { env, timeoutMs });
  if (!stored || (!stored.username && !stored.secret)) return undefined;
  if (stored.username === IDENTITY_TOKEN_USER) return { identityToken: stored.secret };
  return { username: stored.username, password: stored.secret };
}
