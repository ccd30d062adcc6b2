import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/**
 * The findings API's `nextToken`: opaque to callers and integrity-protected, so a caller can
 * neither read a table key out of it nor forge one to page through what its query would not
 * reach. A token names the route and the query it continues (a token of one query is refused by
 * another), expires, and carries the store's position (a DynamoDB ExclusiveStartKey, any JSON).
 * Signed with HMAC-SHA256; several keys verify (the first signs), so a key can be rotated without
 * breaking the pages callers are walking.
 */
export interface PageTokenKeys {
  /** The first signs; all verify. Each at least 32 bytes. */
  readonly keys: readonly Uint8Array[];
}

export interface PageScope {
  /** The route, e.g. `GET /images`. */
  readonly route: string;
  /** The query's filters and limit, as validated (key order does not matter). */
  readonly query: Readonly<Record<string, string | number | boolean | undefined>>;
}

/** Why a token is refused; the API answers 400 naming `nextToken`. */
export class PageTokenError extends Error {
  override readonly name = 'PageTokenError';
  readonly field = 'nextToken';
}

const VERSION = 1;
/** API Gateway caps a query string at 10 KB; a position is a few table keys. */
export const MAX_TOKEN_LENGTH = 2048;
const DEFAULT_LIFETIME_MS = 24 * 3_600_000;
const MIN_KEY_BYTES = 32;

const payloadSchema = z.strictObject({
  v: z.literal(VERSION),
  /** Hash of the route and query the token continues. */
  s: z.string().length(43),
  /** Expiry, epoch seconds. */
  e: z.number().int().positive(),
  /** The store's position. */
  p: z.json(),
});

export function encodePageToken(position: z.core.util.JSONType, scope: PageScope, signing: PageTokenKeys, now: Date, lifetimeMs = DEFAULT_LIFETIME_MS): string {
  const [key] = checkedKeys(signing);
  const payload = Buffer.from(JSON.stringify({ v: VERSION, s: scopeHash(scope), e: Math.floor((now.getTime() + lifetimeMs) / 1000), p: position }), 'utf8').toString('base64url');
  const token = `${payload}.${mac(key!, payload)}`;
  if (token.length > MAX_TOKEN_LENGTH) throw new RangeError(`a page token of ${token.length} characters is over the ${MAX_TOKEN_LENGTH}-character cap`);
  return token;
}

/** The position a token carries, once its signature, scope and expiry are checked. */
export function decodePageToken(token: string, scope: PageScope, signing: PageTokenKeys, now: Date): z.core.util.JSONType {
  const keys = checkedKeys(signing);
  if (token.length > MAX_TOKEN_LENGTH) throw new PageTokenError(`nextToken is longer than ${MAX_TOKEN_LENGTH} characters`);
  const match = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match) throw new PageTokenError('nextToken is not a token this API issued');
  const [, payload, signature] = match as unknown as [string, string, string];
  const given = Buffer.from(signature, 'base64url');
  if (!keys.some((key) => timingSafeEqual(Buffer.from(mac(key, payload), 'base64url'), given))) throw new PageTokenError('nextToken was not issued by this API or was altered');
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw new PageTokenError('nextToken is not a token this API issued');
  }
  const parsed = payloadSchema.safeParse(decoded);
  if (!parsed.success) throw new PageTokenError('nextToken is not a token this API issued');
  if (parsed.data.s !== scopeHash(scope)) throw new PageTokenError('nextToken belongs to another route or other filters: repeat the query that returned it');
  if (parsed.data.e * 1000 <= now.getTime()) throw new PageTokenError('nextToken has expired: start the listing again');
  return parsed.data.p;
}

function checkedKeys(signing: PageTokenKeys): readonly Uint8Array[] {
  if (signing.keys.length === 0) throw new RangeError('page tokens need at least one key');
  for (const key of signing.keys) if (key.byteLength < MIN_KEY_BYTES) throw new RangeError(`a page token key must have at least ${MIN_KEY_BYTES} bytes, not ${key.byteLength}`);
  return signing.keys;
}

function mac(key: Uint8Array, payload: string): string {
  return createHmac('sha256', key).update(payload).digest('base64url');
}

/** Route and query, canonical: keys sorted, undefined values left out. */
function scopeHash(scope: PageScope): string {
  const query = Object.keys(scope.query)
    .sort()
    .flatMap((name) => (scope.query[name] === undefined ? [] : [[name, scope.query[name]]]));
  return createHash('sha256').update(JSON.stringify([scope.route, query])).digest('base64url');
}
