import type { Digest } from '../../core/digest.ts';
import type { ImageSource, ImageSourceFactory } from '../../core/ports.ts';
import type { CredentialStore } from '../oci-registry/credentials.ts';
import { registryKey } from '../oci-registry/docker-config.ts';
import { createRegistrySource } from '../oci-registry/registry-source.ts';
import type { EcrAuthorization, EcrAuthorizationCache } from './ecr-authorization.ts';
import type { EcrRegistry } from './ecr-registry.ts';

/**
 * An image in ECR, read through the tested OCI registry adapter with ECR's login token. ECR answers
 * manifests itself and redirects blob downloads to S3 presigned URLs; the adapter drops the
 * Authorization header on a redirect to another origin, which S3 would refuse beside a signature.
 * The core verifies every byte against its digest, as for any registry. Each image is read with the
 * token of its own registry (account and Region), so one scanner serves events from several.
 */
export interface EcrImageId extends EcrRegistry {
  readonly repository: string;
  readonly digest: Digest;
  /** The tag the event named, for reports; the digest is what is read. */
  readonly tag?: string;
}

export interface EcrImageSourceOptions {
  readonly fetchImpl?: typeof fetch;
  readonly retryDelayMs?: number;
  readonly userAgent?: string;
}

export async function openEcrImageSource(id: EcrImageId, tokens: EcrAuthorizationCache, options: EcrImageSourceOptions = {}): Promise<ImageSource> {
  const authorization = await tokens.get({ account: id.account, region: id.region });
  return createRegistrySource(
    { transport: 'registry', registry: authorization.registry, repository: id.repository, digest: id.digest, ...(id.tag ? { tag: id.tag } : {}) },
    {
      // ECR's endpoints are HTTPS; a test registry on loopback says http:// in its proxyEndpoint.
      plainHttp: authorization.endpoint.protocol === 'http:',
      credentials: ecrCredentialStore(authorization),
      userAgent: options.userAgent ?? 'customs-scanner',
      ...(options.fetchImpl ? { fetchImpl: options.fetchImpl } : {}),
      ...(options.retryDelayMs !== undefined ? { retryDelayMs: options.retryDelayMs } : {}),
    },
  );
}

/** The scan use case's image sources, each request read with its registry's cached login. */
export function ecrImageSources(tokens: EcrAuthorizationCache, options: EcrImageSourceOptions = {}): ImageSourceFactory {
  return { open: (request) => openEcrImageSource(request, tokens, options) };
}

/** The token's credentials, for the token's registry only. */
export function ecrCredentialStore(authorization: EcrAuthorization): CredentialStore {
  const key = registryKey(authorization.registry);
  return {
    get: async (registry) => (registryKey(registry) === key ? { username: authorization.username, password: authorization.password } : undefined),
  };
}
