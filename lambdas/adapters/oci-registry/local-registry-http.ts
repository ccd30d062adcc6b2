import { CustomsError, messageOf } from '../../core/errors.ts';
import { assertMaySendCredentials, basicAuthorization } from './plain-http-guard.ts';
import { discardBody, errorDetail } from './response-body.ts';

/**
 * HEAD, GET, PUT and DELETE against a registry Customs runs next to itself (the local stack's
 * docker-registry): anonymous or with Basic credentials, no token service, no redirects, no
 * retries (every caller is itself retried whole, and each of its steps is idempotent).
 */
export interface LocalRegistryEndpoint {
  /** Where the API lives: `http://127.0.0.1:5000`. */
  readonly baseUrl: URL | string;
  /** When the registry's config has an htpasswd `auth:` section. Sent over HTTPS or to loopback only. */
  readonly credential?: { readonly username: string; readonly password: string };
  readonly fetchImpl?: typeof fetch;
  /** Per request; 10 s by default. */
  readonly timeoutMs?: number;
}

export interface LocalRequest {
  readonly method: 'HEAD' | 'GET' | 'PUT' | 'DELETE';
  /** `/v2/…`, already made of validated names. */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Uint8Array;
  /** For messages: `manifest sha256:… of app`. */
  readonly what: string;
  /** Statuses answered as they are instead of as errors (404 for "is it there?"). */
  readonly accept?: readonly number[];
}

export class LocalRegistryHttp {
  private readonly baseUrl: URL;
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;
  private readonly authorization: string | undefined;

  constructor(endpoint: LocalRegistryEndpoint) {
    this.baseUrl = new URL(endpoint.baseUrl);
    if (this.baseUrl.protocol !== 'http:' && this.baseUrl.protocol !== 'https:') {
      throw new CustomsError('usage', `registry URL ${this.baseUrl.href} is neither http nor https`);
    }
    this.fetchImpl = endpoint.fetchImpl ?? fetch;
    this.timeoutMs = endpoint.timeoutMs ?? 10_000;
    if (endpoint.credential) assertMaySendCredentials(this.baseUrl, this.baseUrl.host);
    this.authorization = endpoint.credential ? basicAuthorization(endpoint.credential) : undefined;
  }

  get host(): string {
    return this.baseUrl.host;
  }

  /** A 2xx response (or one of `accept`) whose body the caller must consume or discard. */
  async send(request: LocalRequest): Promise<Response> {
    const url = new URL(request.path, this.baseUrl);
    const headers: Record<string, string> = { 'User-Agent': 'customs', ...request.headers };
    if (this.authorization) headers.Authorization = this.authorization;
    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        method: request.method,
        headers,
        ...(request.body ? { body: request.body } : {}),
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new CustomsError('network', `${request.what}: cannot reach ${url.host}: ${messageOf(error)}`, { cause: error });
    }
    if ((response.status >= 200 && response.status < 300) || request.accept?.includes(response.status)) return response;
    const detail = request.method === 'HEAD' ? '' : await errorDetail(response);
    await discardBody(response);
    const suffix = detail ? ` (${detail})` : '';
    if (response.status === 401 || response.status === 403) throw new CustomsError('auth', `registry ${url.host} refused ${request.method} of ${request.what}${suffix}`);
    if (response.status === 404) throw new CustomsError('not-found', `${request.what} not found${suffix}`);
    throw new CustomsError('network', `${request.method} of ${request.what}: ${url.host} answered HTTP ${response.status}${suffix}`);
  }
}
