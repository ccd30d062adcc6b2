/**
 * Package URLs (https://github.com/package-url/purl-spec). Components are percent-encoded except for
 * the unreserved characters, so `+` in a Debian version becomes `%2B`; qualifiers are written in
 * canonical (sorted) order and empty ones are left out.
 */
export interface PurlParts {
  readonly type: string;
  readonly namespace?: string;
  readonly name: string;
  readonly version?: string;
  readonly qualifiers?: Readonly<Record<string, string | undefined>>;
  readonly subpath?: string;
}

export function formatPurl(parts: PurlParts): string {
  let purl = `pkg:${parts.type.toLowerCase()}/`;
  if (parts.namespace) purl += `${parts.namespace.split('/').map(encodeSegment).join('/')}/`;
  purl += encodeSegment(parts.name);
  if (parts.version) purl += `@${encodeSegment(parts.version)}`;
  const qualifiers = Object.entries(parts.qualifiers ?? {})
    .filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '')
    .map(([key, value]) => [key.toLowerCase(), value] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (qualifiers.length > 0) purl += `?${qualifiers.map(([key, value]) => `${key}=${encodeQualifierValue(value)}`).join('&')}`;
  if (parts.subpath) purl += `#${parts.subpath.split('/').filter((segment) => segment && segment !== '.' && segment !== '..').map(encodeSegment).join('/')}`;
  return purl;
}

const UNRESERVED = /[A-Za-z0-9._~-]/;

function encodeSegment(value: string): string {
  let out = '';
  for (const char of value) out += UNRESERVED.test(char) ? char : percentEncode(char);
  return out;
}

/** Qualifier values may keep `/` and `:` readable (e.g. `repository_url=registry.example/team/app`). */
function encodeQualifierValue(value: string): string {
  let out = '';
  for (const char of value) out += UNRESERVED.test(char) || char === '/' || char === ':' ? char : percentEncode(char);
  return out;
}

function percentEncode(char: string): string {
  let out = '';
  for (const byte of Buffer.from(char, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  return out;
}
