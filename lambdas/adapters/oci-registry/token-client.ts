import { z } from 'zod';
import { CustomsError } from '../../core/errors.ts';
import type { RegistryCredential } from './credentials.ts';
import { send, type HttpPolicy } from './http-request.ts';
import { assertMaySendCredentials, basicAuthorization } from './plain-http-guard.ts';
import { errorDetail, readCapped } from './response-body.ts';

/**
 * Obtains a bearer token from the realm a registry's `Bearer` challenge names (the Docker token
 * protocol, or its OAuth2 form when the credential is an identity token).
 */
export interface TokenRequest {
  readonly realm: string;
  readonly service?: string;
  readonly scope: string;
  readonly credential?: RegistryCredential;
  /** For messages: `registry.example/team/app`. */
  readonly repositoryName: string;
  readonly userAgent: string;
}

const MAX_TOKEN_RESPONSE_BYTES = 1024 * 1024;
// The token goes into a header verbatim, so it must be printable ASCII without spaces.
const tokenValue = z.string().regex(/^[\x21-\x7e]+$/);
const tokenResponseSchema = z
  .object({ token: tokenValue.optional().catch(undefined), access_token: tokenValue.optional().catch(undefined) })
  .refine((body) => body.token || body.access_token, { message: 'neither token nor access_token is present' });

export async function fetchToken(request: TokenRequest, policy: HttpPolicy): Promise<string> {
  const realm = parseRealm(request.realm, request.repositoryName);
  const { credential } = request;
  const headers: Record<string, string> = { 'User-Agent': request.userAgent, Accept: 'application/json' };
  const what = `token for ${request.repositoryName} from ${realm.host}`;
  if (credential) assertMaySendCredentials(realm, request.repositoryName);
  let response: Response;
  if (credential && 'identityToken' in credential) {
    const form = new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: credential.identityToken,
      ...(request.service ? { service: request.service } : {}),
      scope: request.scope,
      client_id: 'customs',
    });
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    response = await send({ method: 'POST', url: realm, headers, body: form.toString(), what }, policy);
  } else {
    if (request.service) realm.searchParams.append('service', request.service);
    realm.searchParams.append('scope', request.scope);
    if (credential) headers.Authorization = basicAuthorization(credential);
    response = await send({ method: 'GET', url: realm, headers, what }, policy);
  }

  if (response.status === 401 || response.status === 403) {
    const detail = await errorDetail(response);
    const who = credential ? 'the configured credentials' : 'anonymous access';
    throw new CustomsError('auth', `token service ${realm.host} refused ${who} to ${request.repositoryName}${detail ? ` (${detail})` : ''}`);
  }
  if (!response.ok) {
    const detail = await errorDetail(response);
    throw new CustomsError('network', `${what}: HTTP ${response.status}${detail ? ` (${detail})` : ''}`);
  }
  const body = await readCapped(response, MAX_TOKEN_RESPONSE_BYTES, `token response from ${realm.host}`);
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw new CustomsError('auth', `token service ${realm.host} answered with something other than JSON`);
  }
  const parsed = tokenResponseSchema.safeParse(json);
  if (!parsed.success) throw new CustomsError('auth', `token service ${realm.host} answered without a usable token`);
  return (parsed.data.token || parsed.data.access_token)!;
}

function parseRealm(realm: string, repositoryName: string): URL {
  let url: URL;
  try {
    url = new URL(realm);
  } catch {
    throw new CustomsError('auth', `registry for ${repositoryName} names an invalid token realm ${JSON.stringify(realm.slice(0, 200))}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new CustomsError('auth', `registry for ${repositoryName} names a token realm with unsupported scheme ${url.protocol}`);
  }
  return url;
}
