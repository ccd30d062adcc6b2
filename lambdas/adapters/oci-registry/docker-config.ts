import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { CustomsError, messageOf } from '../../core/errors.ts';

/**
 * Reads the registry credentials part of Docker's config.json: inline `auths` entries and the names
 * of credential helpers. Only these fields are validated; the rest of the file is Docker's business.
 */
const authEntrySchema = z.object({
  auth: z.string().optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  identitytoken: z.string().optional(),
});

// A helper name becomes part of an executable name, so it must not be able to name a path.
const helperName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'not a valid credential helper name');

const dockerConfigSchema = z.object({
  auths: z.record(z.string(), authEntrySchema).optional(),
  credHelpers: z.record(z.string(), helperName).optional(),
  credsStore: helperName.or(z.literal('')).optional(),
});

export type AuthEntry = z.infer<typeof authEntrySchema>;

export interface DockerConfig {
  readonly file: string;
  readonly auths: ReadonlyMap<string, AuthEntry>;
  readonly credHelpers: ReadonlyMap<string, string>;
  readonly credsStore?: string;
}

const HUB_HOSTS: ReadonlySet<string> = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

/** The server URL Docker files Docker Hub credentials under. */
export const DOCKER_HUB_SERVER = 'https://index.docker.io/v1/';

/** `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`. */
export function dockerConfigPath(env: NodeJS.ProcessEnv): string {
  if (env.DOCKER_CONFIG) return join(env.DOCKER_CONFIG, 'config.json');
  return join(env.HOME || homedir(), '.docker', 'config.json');
}

/** Loads and validates the config; undefined when there is none. */
export async function loadDockerConfig(file: string): Promise<DockerConfig | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw new CustomsError('usage', `cannot read Docker config ${file}: ${messageOf(error)}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CustomsError('usage', `Docker config ${file} is not valid JSON: ${messageOf(error)}`, { cause: error });
  }
  const parsed = dockerConfigSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
    throw new CustomsError('usage', `Docker config ${file} is malformed${where}: ${issue?.message ?? 'unexpected shape'}`);
  }
  const { auths = {}, credHelpers = {}, credsStore } = parsed.data;
  return {
    file,
    auths: byRegistry(auths),
    credHelpers: byRegistry(credHelpers),
    ...(credsStore ? { credsStore } : {}),
  };
}

/**
 * The registry host a config key names: keys may be `host`, `host:port`, or URLs such as
 * `https://host/v1/`; every spelling of Docker Hub becomes `docker.io`.
 */
export function registryKey(key: string): string {
  const host = key.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').split('/')[0]!.toLowerCase();
  return HUB_HOSTS.has(host) ? 'docker.io' : host;
}

/** The server URL to hand a credential helper for a registry, as `docker login` stored it. */
export function helperServerUrl(registry: string): string {
  return registryKey(registry) === 'docker.io' ? DOCKER_HUB_SERVER : registry;
}

/** Keys by registry; an exact spelling wins over a URL form of the same registry. */
function byRegistry<T>(record: Record<string, T>): Map<string, T> {
  const map = new Map<string, T>();
  const entries = Object.entries(record).sort(([a], [b]) => Number(registryKey(a) === a.toLowerCase()) - Number(registryKey(b) === b.toLowerCase()));
  for (const [key, value] of entries) map.set(registryKey(key), value);
  return map;
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
