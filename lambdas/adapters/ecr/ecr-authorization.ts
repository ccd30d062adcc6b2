import { GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { z } from 'zod';
import { CustomsError } from '../../core/errors.ts';
import type { EcrClients } from './ecr-clients.ts';
import { checkedEcrRegistry, ecrRegistryKey, ecrRegistryOrigin, type EcrRegistry } from './ecr-registry.ts';

/**
 * ECR's registry login: `ecr:GetAuthorizationToken` gives a base64 `AWS:password` valid for 12 hours
 * and the registry's endpoint. Tokens are per registry (account and Region): each is asked of its
 * Region's API with `registryIds: [account]`, and serves every scan of that registry in a warm Lambda
 * until shortly before it expires; concurrent scans share one request. A token whose endpoint names
 * another registry is refused. The password is never logged or put in a message.
 */
export interface EcrAuthorization {
  /** The registry host (`111122223333.dkr.ecr.eu-west-1.amazonaws.com`), from proxyEndpoint. */
  readonly registry: string;
  /** proxyEndpoint as a URL; its scheme says whether the registry speaks HTTPS. */
  readonly endpoint: URL;
  readonly username: string;
  readonly password: string;
  readonly expiresAt: Date;
}

export interface EcrAuthorizationOptions {
  readonly now?: () => number;
  /** Fetch a new token this long before the old one expires; 5 minutes by default. */
  readonly refreshBeforeMs?: number;
  /**
   * The origin a registry's token must name. ECR's own (`https://<account>.dkr.ecr.<region>.amazonaws.com`)
   * by default; a loopback stand-in for ECR says where it listens.
   */
  readonly registryEndpointFor?: (registry: EcrRegistry) => string;
}

const authorizationDataSchema = z.object({
  authorizationToken: z.string().min(1),
  expiresAt: z.date(),
  proxyEndpoint: z.url({ protocol: /^https?$/ }),
});

export class EcrAuthorizationCache {
  private readonly pending = new Map<string, Promise<EcrAuthorization>>();
  private readonly now: () => number;
  private readonly refreshBeforeMs: number;
  private readonly registryEndpointFor: (registry: EcrRegistry) => string;

  /** One token per registry, each asked of its Region's client. */
  constructor(
    private readonly clients: EcrClients,
    options: EcrAuthorizationOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.refreshBeforeMs = options.refreshBeforeMs ?? 5 * 60_000;
    this.registryEndpointFor = options.registryEndpointFor ?? ecrRegistryOrigin;
  }

  async get(registry: EcrRegistry): Promise<EcrAuthorization> {
    const key = ecrRegistryKey(checkedEcrRegistry(registry));
    const cached = this.pending.get(key);
    if (cached) {
      const current = await cached.catch(() => undefined);
      if (current && current.expiresAt.getTime() - this.refreshBeforeMs > this.now()) return current;
      // Another caller replaced the stale or failed token meanwhile: share theirs.
      if (this.pending.get(key) !== cached) return this.get(registry);
    }
    const pending = this.fetch(registry);
    this.pending.set(key, pending);
    // A failure is not kept: the next scan asks again.
    pending.catch(() => {
      if (this.pending.get(key) === pending) this.pending.delete(key);
    });
    return pending;
  }

  private async fetch(registry: EcrRegistry): Promise<EcrAuthorization> {
    // SDK errors go up as they are, so throttling and 5xx are told apart from a refusal.
    const output = await this.clients.forRegion(registry.region).send(new GetAuthorizationTokenCommand({ registryIds: [registry.account] }));
    const authorization = decode(output);
    const expected = new URL(this.registryEndpointFor(registry)).origin;
    if (authorization.endpoint.origin !== expected) {
      throw new CustomsError(
        'auth',
        `ECR GetAuthorizationToken for registry ${registry.account} in ${registry.region} returned a token for ${authorization.endpoint.origin}, not ${expected}`,
      );
    }
    return authorization;
  }
}

function decode(output: { authorizationData?: unknown[] | undefined }): EcrAuthorization {
  const parsed = authorizationDataSchema.safeParse(output.authorizationData?.[0]);
  if (!parsed.success) throw new CustomsError('auth', 'ECR GetAuthorizationToken returned no usable authorization data');
  const { authorizationToken, expiresAt, proxyEndpoint } = parsed.data;
  const decoded = Buffer.from(authorizationToken, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) throw new CustomsError('auth', 'ECR GetAuthorizationToken returned a token that is not base64 of user:password');
  const endpoint = new URL(proxyEndpoint);
  return { registry: endpoint.host, endpoint, username: decoded.slice(0, colon), password: decoded.slice(colon + 1), expiresAt };
}
