import { GetAuthorizationTokenCommand, type ECRClient } from '@aws-sdk/client-ecr';
import { z } from 'zod';
import { CustomsError } from '../../core/errors.ts';

/**
 * ECR's registry login: `ecr:GetAuthorizationToken` gives a base64 `AWS:password` valid for 12 hours
 * and the registry's endpoint. One token serves every scan of a warm Lambda until shortly before it
 * expires; concurrent scans share one request. The password is never logged or put in a message.
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
}

const authorizationDataSchema = z.object({
  authorizationToken: z.string().min(1),
  expiresAt: z.date(),
  proxyEndpoint: z.url({ protocol: /^https?$/ }),
});

export class EcrAuthorizationCache {
  private pending: Promise<EcrAuthorization> | undefined;
  private readonly now: () => number;
  private readonly refreshBeforeMs: number;

  constructor(
    private readonly ecr: ECRClient,
    options: EcrAuthorizationOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.refreshBeforeMs = options.refreshBeforeMs ?? 5 * 60_000;
  }

  async get(): Promise<EcrAuthorization> {
    const cached = this.pending;
    if (cached) {
      const current = await cached.catch(() => undefined);
      if (current && current.expiresAt.getTime() - this.refreshBeforeMs > this.now()) return current;
      // Another caller replaced the stale or failed token meanwhile: share theirs.
      if (this.pending !== cached) return this.get();
    }
    const pending = this.fetch();
    this.pending = pending;
    // A failure is not kept: the next scan asks again.
    pending.catch(() => {
      if (this.pending === pending) this.pending = undefined;
    });
    return pending;
  }

  private async fetch(): Promise<EcrAuthorization> {
    // SDK errors go up as they are, so throttling and 5xx are told apart from a refusal.
    const output = await this.ecr.send(new GetAuthorizationTokenCommand({}));
    const parsed = authorizationDataSchema.safeParse(output.authorizationData?.[0]);
    if (!parsed.success) throw new CustomsError('auth', 'ECR GetAuthorizationToken returned no usable authorization data');
    const { authorizationToken, expiresAt, proxyEndpoint } = parsed.data;
    const decoded = Buffer.from(authorizationToken, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) throw new CustomsError('auth', 'ECR GetAuthorizationToken returned a token that is not base64 of user:password');
    const endpoint = new URL(proxyEndpoint);
    return { registry: endpoint.host, endpoint, username: decoded.slice(0, colon), password: decoded.slice(colon + 1), expiresAt };
  }
}
