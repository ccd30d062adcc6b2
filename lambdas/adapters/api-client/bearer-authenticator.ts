import type { Authenticator, OutgoingRequest } from './authenticator.ts';

/** The local stack's door: `Authorization: Bearer <token>`. */
export class BearerAuthenticator implements Authenticator {
  constructor(private readonly token: string) {
    if (!/^[\x21-\x7e]+$/.test(token)) throw new Error('a bearer token is printable ASCII without spaces');
  }

  authenticate(request: OutgoingRequest): Promise<Record<string, string>> {
    return Promise.resolve({ ...request.headers, authorization: `Bearer ${this.token}` });
  }
}
