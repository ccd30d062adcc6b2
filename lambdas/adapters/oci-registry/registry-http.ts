import { CustomsError } from '../../core/errors.ts';
import { parseAuthChallenges, type AuthChallenge } from './auth-challenge.ts';
import type { CredentialStore, RegistryCredential } from './credentials.ts';
import { send, type HttpPolicy } from './http-request.ts';
import { assertMaySendCredentials, basicAuthorization } from './plain-http-guard.ts';
import { discardBody, errorDetail } from './response-body.ts';
import { fetchToken } from './token-client.ts';

/**
 * Authenticated GETs against one repository of one registry. Requests go out anonymously first;
 * a 401 challenge is answered with Basic credentials or a bearer token, which is then reused for
 * every later request of this client.
 */
export interface RegistryClientOptions {
  /** Registry as named in the reference (`docker.io`, `localhost:5000`), for credentials and messages. */
  readonly registry: string;
  readonly repository: string;
  /** Where the API lives: `https://registry-1.docker.io`, `http://127.0.0.1:5000`. */
  readonly baseUrl: URL;
  readonly credentials?: CredentialStore;
  readonly userAgent: string;
  readonly fetchImpl: typeof fetch;
  readonly retryDelayMs: number;
}

export class RegistryClient {
  private readonly abort = new AbortController();
  private readonly policy: HttpPolicy;
  /** Bearer tokens by `registry scope`, shared by concurrent requests while being fetched. */
  private readonly tokens = new Map<string, Promise<string>>();
  private authorization: string | undefined;
  private credential: Promise<RegistryCredential | undefined> | undefined;
  readonly repositoryName: string;

  constructor(private readonly options: RegistryClientOptions) {
    this.policy = { fetchImpl: options.fetchImpl, signal: this.abort.signal, retryDelayMs: options.retryDelayMs };
    this.repositoryName = `${options.registry}/${options.repository}`;
  }

  /** GETs a path of the API; resolves to a 2xx response whose body the caller must consume or cancel. */
  async get(path: string, accept: string, what: string): Promise<Response> {
    const url = new URL(path, this.options.baseUrl);
    let authorization = this.authorization;
    let answeredChallenge = false;
    for (;;) {
      const headers: Record<string, string> = { 'User-Agent': this.options.userAgent, Accept: accept };
      if (authorization) headers.Authorization = authorization;
      const response = await send({ method: 'GET', url, headers, what }, this.policy);
      if (response.status === 401 && !answeredChallenge && this.isFromRegistry(response)) {
        const challenges = parseAuthChallenges(response.headers.get('www-authenticate') ?? '');
        await discardBody(response);
        authorization = await this.answer(challenges, authorization);
        this.authorization = authorization;
        answeredChallenge = true;
        continue;
      }
      if (response.ok) return response;
      throw await this.failure(response, what, authorization !== undefined);
    }
  }

  /** Aborts requests and body streams still in flight. */
  close(): void {
    this.abort.abort();
  }

  /** Authorization to retry with; `stale` is what the registry just refused, if anything. */
  private async answer(challenges: AuthChallenge[], stale: string | undefined): Promise<string> {
    const bearer = challenges.find((challenge) => challenge.scheme === 'bearer');
    const basic = challenges.find((challenge) => challenge.scheme === 'basic');
    if (bearer?.params.realm) return this.bearer(bearer.params.realm, bearer.params.service, stale);
    if (basic) {
      const credential = await this.lookupCredential();
      if (!credential) throw new CustomsError('auth', `registry ${this.options.registry} requires credentials for ${this.repositoryName} and none are configured`);
      if (!('username' in credential)) {
        throw new CustomsError('auth', `registry ${this.options.registry} asks for a password for ${this.repositoryName}, but only an identity token is configured`);
      }
      assertMaySendCredentials(this.options.baseUrl, this.repositoryName);
      return basicAuthorization(credential);
    }
    const schemes = challenges.map((challenge) => challenge.scheme).join(', ') || 'none';
    throw new CustomsError('auth', `registry ${this.options.registry} requires authentication for ${this.repositoryName} with an unsupported challenge (${schemes})`);
  }

  private async bearer(realm: string, service: string | undefined, stale: string | undefined): Promise<string> {
    const scope = `repository:${this.options.repository}:pull`;
    const key = `${this.options.registry} ${scope}`;
    let pending = this.tokens.get(key);
    // A cached token the registry now refuses has expired: fetch a new one once.
    if (pending && stale === `Bearer ${await pending.catch(() => '')}`) pending = undefined;
    if (!pending) {
      pending = this.fetchBearer(realm, service, scope);
      this.tokens.set(key, pending);
      pending.catch(() => this.tokens.delete(key));
    }
    return `Bearer ${await pending}`;
  }

  private async fetchBearer(realm: string, service: string | undefined, scope: string): Promise<string> {
    const credential = await this.lookupCredential();
    // A token obtained with credentials is as secret as they are.
    if (credential) assertMaySendCredentials(this.options.baseUrl, this.repositoryName);
    return fetchToken(
      { realm, ...(service ? { service } : {}), scope, ...(credential ? { credential } : {}), repositoryName: this.repositoryName, userAgent: this.options.userAgent },
      this.policy,
    );
  }

  private lookupCredential(): Promise<RegistryCredential | undefined> {
    this.credential ??= this.options.credentials?.get(this.options.registry) ?? Promise.resolve(undefined);
    return this.credential;
  }

  /** A 401 from object storage after a redirect is not the registry's challenge to answer. */
  private isFromRegistry(response: Response): boolean {
    if (!response.url) return true;
    return new URL(response.url).origin === this.options.baseUrl.origin;
  }

  private async failure(response: Response, what: string, authenticated: boolean): Promise<CustomsError> {
    const detail = await errorDetail(response);
    const suffix = detail ? ` (${detail})` : '';
    if (response.status === 401 || response.status === 403) {
      const credential = await this.lookupCredential().catch(() => undefined);
      const how = !authenticated ? 'anonymous access' : credential ? 'the configured credentials' : 'anonymous access (no credentials configured)';
      return new CustomsError('auth', `registry ${this.options.registry} refused ${how} to ${this.repositoryName} for ${what}${suffix}`);
    }
    if (response.status === 404) return new CustomsError('not-found', `${what} not found${suffix}`);
    return new CustomsError('network', `${what}: ${this.options.registry} answered HTTP ${response.status}${suffix}`);
  }
}
