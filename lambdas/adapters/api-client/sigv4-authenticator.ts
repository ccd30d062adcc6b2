import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { Authenticator, OutgoingRequest } from './authenticator.ts';
import { NodeSha256 } from './node-sha256.ts';

export interface SigV4AuthenticatorOptions {
  /** Default: parsed from an `*.execute-api.<region>.amazonaws.com` host at signing time. */
  readonly region?: string;
  /** Default: the standard chain (environment, SSO, shared files, container, instance metadata). */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
}

const EXECUTE_API_HOST = /\.execute-api\.([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com(?:\.cn)?$/;

/** The region an API Gateway endpoint lives in, from its host name; undefined for a custom domain. */
export function regionOfHost(hostname: string): string | undefined {
  return EXECUTE_API_HOST.exec(hostname.toLowerCase())?.[1];
}

/** SigV4 for API Gateway's IAM authorization (service `execute-api`), as the AWS SDK signs. */
export class SigV4Authenticator implements Authenticator {
  private readonly credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  private readonly signers = new Map<string, SignatureV4>();

  constructor(private readonly options: SigV4AuthenticatorOptions = {}) {
    this.credentials = options.credentials ?? fromNodeProviderChain();
  }

  async authenticate(request: OutgoingRequest): Promise<Record<string, string>> {
    const region = this.options.region ?? regionOfHost(request.url.hostname);
    if (region === undefined) throw new Error(`cannot tell the region of ${request.url.hostname}: give it (--region)`);
    const query: Record<string, string> = {};
    for (const [key, value] of request.url.searchParams) query[key] = value;
    const signed = await this.signer(region).sign({
      method: request.method,
      protocol: request.url.protocol,
      hostname: request.url.hostname,
      ...(request.url.port === '' ? {} : { port: Number(request.url.port) }),
      // Sent as encoded; the signer encodes each segment once more, as API Gateway's canonical form does.
      path: request.url.pathname,
      query,
      headers: { ...request.headers, host: request.url.host },
      ...(request.body === undefined ? {} : { body: request.body }),
    });
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(signed.headers)) if (name.toLowerCase() !== 'host') headers[name.toLowerCase()] = value;
    return headers;
  }

  private signer(region: string): SignatureV4 {
    let signer = this.signers.get(region);
    if (signer === undefined) {
      signer = new SignatureV4({ service: 'execute-api', region, credentials: this.credentials, sha256: NodeSha256 });
      this.signers.set(region, signer);
    }
    return signer;
  }
}
