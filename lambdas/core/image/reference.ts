import { isDigest, type Digest } from '../digest.ts';
import { CustomsError } from '../errors.ts';

/**
 * Image references as users write them: Docker's `[host[:port]/]path[:tag][@digest]` for registries,
 * and skopeo's `transport:…` forms for local layouts and archives. Pure parsing, no I/O.
 */
export type ImageReference =
  | { transport: 'registry'; registry: string; repository: string; tag?: string; digest?: Digest }
  | { transport: 'oci'; path: string; tag?: string }
  | { transport: 'oci-archive'; path: string; tag?: string }
  | { transport: 'docker-archive'; path: string; selector?: string };

export type RegistryReference = Extract<ImageReference, { transport: 'registry' }>;

export const DOCKER_HUB = 'docker.io';

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const HOST_LABEL = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const HOST = new RegExp(`^(?:${HOST_LABEL}(?:\\.${HOST_LABEL})*|\\[[0-9a-fA-F:.]+\\])(?::[0-9]{1,5})?$`);
// Docker caps the whole name (host and path) at 255 characters.
const MAX_NAME_LENGTH = 255;
// Aliases of Docker Hub that Docker itself folds into `docker.io`.
const HUB_ALIASES: ReadonlySet<string> = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);
// skopeo transports Customs does not read: named so the error says why rather than "bad host".
const UNSUPPORTED_TRANSPORTS = ['dir', 'containers-storage', 'docker-daemon', 'ostree', 'sif', 'tarball'];

export function parseReference(text: string): ImageReference {
  if (text.length === 0) throw usage(text, 'is empty');
  // Paths may hold spaces, but no part of a reference may hold control characters.
  if (/\p{Cc}/u.test(text)) throw usage(text, 'contains control characters');
  if (text.startsWith('oci:')) return { transport: 'oci', ...parseLocal(text, 'oci:') };
  if (text.startsWith('oci-archive:')) return { transport: 'oci-archive', ...parseLocal(text, 'oci-archive:') };
  if (text.startsWith('docker-archive:')) return parseDockerArchive(text);
  if (text.startsWith('docker://')) return parseRegistry(text, text.slice('docker://'.length));
  const transport = UNSUPPORTED_TRANSPORTS.find((name) => text.startsWith(`${name}:`));
  if (transport) throw usage(text, `uses the ${transport}: transport, which Customs does not read (use docker://, oci:, oci-archive: or docker-archive:)`);
  return parseRegistry(text, text);
}

export function formatReference(ref: ImageReference): string {
  switch (ref.transport) {
    case 'registry':
      return `${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
    case 'oci':
    case 'oci-archive':
      return `${ref.transport}:${ref.path}${ref.tag ? `:${ref.tag}` : ''}`;
    case 'docker-archive':
      return `docker-archive:${ref.path}${ref.selector ? `:${ref.selector}` : ''}`;
  }
}

/** Whether a registry host (with or without port) is on this machine, where plain HTTP is acceptable. */
export function isLoopbackRegistry(registry: string): boolean {
  const host = /^(\[[^\]]*\]|[^:[\]]*)(?::[0-9]+)?$/.exec(registry)?.[1];
  if (host === undefined) return false;
  if (host.toLowerCase() === 'localhost' || host === '[::1]') return true;
  const octets = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return !!octets && octets.slice(1).every((octet) => Number(octet) <= 255);
}

function parseRegistry(text: string, body: string): RegistryReference {
  let name = body;
  let digest: Digest | undefined;
  const at = body.indexOf('@');
  if (at >= 0) {
    const digestText = body.slice(at + 1);
    if (!isDigest(digestText)) throw usage(text, `has digest ${JSON.stringify(digestText)}, which is not a valid sha256 or sha512 digest`);
    digest = digestText;
    name = body.slice(0, at);
  }
  let tag: string | undefined;
  const colon = name.lastIndexOf(':');
  if (colon > name.lastIndexOf('/')) {
    tag = name.slice(colon + 1);
    if (!TAG.test(tag)) throw usage(text, `has tag ${JSON.stringify(tag)}; tags are up to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'`);
    name = name.slice(0, colon);
  }
  if (name.length === 0) throw usage(text, 'has no repository name');
  if (name.length > MAX_NAME_LENGTH) throw usage(text, `has a name longer than ${MAX_NAME_LENGTH} characters`);

  let registry = DOCKER_HUB;
  let path = name;
  const slash = name.indexOf('/');
  const first = slash >= 0 ? name.slice(0, slash) : '';
  // Docker's rule for telling a host from the first path component.
  if (slash >= 0 && (/[.:]/.test(first) || first === 'localhost' || first !== first.toLowerCase())) {
    if (!HOST.test(first)) throw usage(text, `has registry host ${JSON.stringify(first)}, which is not a valid host[:port]`);
    registry = HUB_ALIASES.has(first.toLowerCase()) ? DOCKER_HUB : first;
    path = name.slice(slash + 1);
  }
  const components = path.split('/');
  const bad = components.find((component) => !COMPONENT.test(component));
  if (bad !== undefined) {
    throw usage(text, `has repository path component ${JSON.stringify(bad)}; components are lowercase letters and digits separated by '.', '_', '__' or '-'`);
  }
  if (registry === DOCKER_HUB && components.length === 1) path = `library/${path}`;
  if (!tag && !digest) tag = 'latest';
  return { transport: 'registry', registry, repository: path, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** `oci:DIR[:tag]` and `oci-archive:FILE[:tag]`: the path ends at the first colon, as in skopeo. */
function parseLocal(text: string, prefix: string): { path: string; tag?: string } {
  const rest = text.slice(prefix.length);
  const colon = rest.indexOf(':');
  const path = colon >= 0 ? rest.slice(0, colon) : rest;
  if (path.length === 0) throw usage(text, `has no path after ${prefix}`);
  if (colon < 0) return { path };
  const tag = rest.slice(colon + 1);
  if (tag.length === 0) throw usage(text, 'has an empty tag after the path');
  return { path, tag };
}

/** `docker-archive:FILE[:repo:tag]` or `docker-archive:FILE[:@N]` (the N-th image in the archive). */
function parseDockerArchive(text: string): ImageReference {
  const rest = text.slice('docker-archive:'.length);
  const colon = rest.indexOf(':');
  const path = colon >= 0 ? rest.slice(0, colon) : rest;
  if (path.length === 0) throw usage(text, 'has no path after docker-archive:');
  if (colon < 0) return { transport: 'docker-archive', path };
  const selector = rest.slice(colon + 1);
  if (/^@[0-9]+$/.test(selector)) return { transport: 'docker-archive', path, selector };
  if (!selector.startsWith('@')) {
    // skopeo requires a tagged name without digest here; validate it with the registry grammar.
    const named = tryParseRegistry(selector);
    if (named && !named.digest && hasExplicitTag(selector)) return { transport: 'docker-archive', path, selector };
  }
  throw usage(text, `has image selector ${JSON.stringify(selector)}; expected repo:tag or @N (the N-th image in the archive)`);
}

function tryParseRegistry(text: string): RegistryReference | undefined {
  try {
    return parseRegistry(text, text);
  } catch {
    return undefined;
  }
}

function hasExplicitTag(name: string): boolean {
  return name.lastIndexOf(':') > name.lastIndexOf('/');
}

function usage(text: string, problem: string): CustomsError {
  const shown = text.length > 120 ? `${text.slice(0, 117)}...` : text;
  return new CustomsError('usage', `image reference ${JSON.stringify(shown)} ${problem}`);
}
