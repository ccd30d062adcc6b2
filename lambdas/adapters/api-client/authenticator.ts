/** The request as it will be sent, for an authenticator to sign. */
export interface OutgoingRequest {
  readonly method: string;
  readonly url: URL;
  /** Lower-case names; `host` is left to the HTTP client (it sends `url.host`). */
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** Adds the credentials a door expects: SigV4 for API Gateway's IAM authorization, a bearer token locally. */
export interface Authenticator {
  /** The headers to send: the given ones plus the authenticator's. */
  authenticate(request: OutgoingRequest): Promise<Record<string, string>>;
}
