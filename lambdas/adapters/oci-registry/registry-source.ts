import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { Descriptor } from '../../core/image/manifest-schema.ts';
import { INDEX_MEDIA_TYPES, MANIFEST_ACCEPT, MANIFEST_MEDIA_TYPES, SCHEMA1_MEDIA_TYPES } from '../../core/image/media-types.ts';
import { DOCKER_HUB, formatReference, isLoopbackRegistry, type RegistryReference } from '../../core/image/reference.ts';
import type { ByteStream, ImageSource, RootDocument } from '../../core/ports.ts';
import type { CredentialStore } from './credentials.ts';
import { RegistryClient } from './registry-http.ts';

/**
 * An ImageSource over the OCI Distribution API v2. Bodies are handed to the core as streams,
 * unread: the core verifies digests and enforces size caps.
 */
export interface RegistrySourceOptions {
  /** Talk HTTP instead of HTTPS; defaults to true for loopback registries only. */
  plainHttp?: boolean;
  credentials?: CredentialStore;
  userAgent?: string;
  fetchImpl?: typeof fetch;
  /** First retry delay for 429/5xx/connection failures (doubled per attempt); 250 ms by default. */
  retryDelayMs?: number;
}

// Schema 1 is asked for only so that the core can name it when refusing it, instead of a 404.
const ROOT_ACCEPT = [MANIFEST_ACCEPT, ...SCHEMA1_MEDIA_TYPES].join(', ');
const DEFAULT_USER_AGENT = 'customs';

export function createRegistrySource(ref: RegistryReference, options: RegistrySourceOptions = {}): ImageSource {
  const plainHttp = options.plainHttp ?? isLoopbackRegistry(ref.registry);
  const client = new RegistryClient({
    registry: ref.registry,
    repository: ref.repository,
    baseUrl: new URL(`${plainHttp ? 'http' : 'https'}://${apiHost(ref.registry)}`),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    userAgent: options.userAgent ?? DEFAULT_USER_AGENT,
    fetchImpl: options.fetchImpl ?? fetch,
    retryDelayMs: options.retryDelayMs ?? 250,
  });
  const name = client.repositoryName;
  const manifestPath = (reference: string): string => `/v2/${ref.repository}/manifests/${reference}`;

  return {
    reference: formatReference(ref),
    repository: name,
    ...(ref.tag ? { tag: ref.tag } : {}),

    async root(): Promise<RootDocument> {
      // A pinned digest wins over the tag: it is what the user promised to scan.
      const reference = ref.digest ?? ref.tag ?? 'latest';
      const response = await client.get(manifestPath(reference), ROOT_ACCEPT, `manifest ${reference} of ${name}`);
      const mediaType = response.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
      return {
        kind: 'document',
        content: toStream(response),
        ...(mediaType ? { mediaType } : {}),
        ...(ref.digest ? { expectedDigest: ref.digest } : {}),
      };
    },

    async open(descriptor: Descriptor): Promise<ByteStream> {
      const { digest, mediaType } = descriptor;
      const isManifest = INDEX_MEDIA_TYPES.has(mediaType) || MANIFEST_MEDIA_TYPES.has(mediaType) || SCHEMA1_MEDIA_TYPES.has(mediaType);
      const response = isManifest
        ? await client.get(manifestPath(digest), ROOT_ACCEPT, `manifest ${digest} of ${name}`)
        : await client.get(`/v2/${ref.repository}/blobs/${digest}`, '*/*', `blob ${digest} of ${name}`);
      return toStream(response);
    },

    async close(): Promise<void> {
      client.close();
    },
  };
}

/** Docker Hub's API is not served at the name users write. */
function apiHost(registry: string): string {
  return registry === DOCKER_HUB ? 'registry-1.docker.io' : registry;
}

function toStream(response: Response): Readable {
  if (!response.body) return Readable.from([]);
  return Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
}
