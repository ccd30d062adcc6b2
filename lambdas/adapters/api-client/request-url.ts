import type { RouteDefinition } from '../../core/api/route-definition.ts';

/**
 * How the client puts a route's request on the wire. Path parameters (digests: `sha256:…`) are
 * percent-encoded into their segment; query values (repository names hold `/`) are encoded as
 * SigV4's canonical form encodes them (RFC 3986: everything but A-Z a-z 0-9 - _ . ~), so the URL
 * sent is the one signed, whichever implementation checks it.
 */
export function encodeRfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

export type QueryValues = Readonly<Record<string, string | undefined>>;

/** The route's path with each `{name}` replaced by its encoded value; a missing one is a caller bug. */
export function routePath(template: string, parameters: Readonly<Record<string, string>>): string {
  return template.replace(/\{([A-Za-z0-9_]+)\}/g, (_, name: string) => {
    const value = parameters[name];
    if (value === undefined || value === '') throw new Error(`path parameter ${name} is missing for ${template}`);
    return encodeRfc3986(value);
  });
}

/** `a=1&b=x%2Fy`: the defined values, in the order given. */
export function queryString(query: QueryValues): string {
  return Object.entries(query)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([key, value]) => `${encodeRfc3986(key)}=${encodeRfc3986(value)}`)
    .join('&');
}

/** The request URL: the base (which may carry a stage path) joined with the route's path and query. */
export function requestUrl(baseUrl: string, route: Pick<RouteDefinition, 'path'>, path: Readonly<Record<string, string>>, query: QueryValues): URL {
  const base = new URL(baseUrl);
  if (base.protocol !== 'https:' && base.protocol !== 'http:') throw new Error(`the API URL must be http or https, got ${base.protocol}`);
  if (base.search !== '' || base.hash !== '') throw new Error('the API URL must not carry a query or fragment');
  const prefix = base.pathname.replace(/\/+$/, '');
  const search = queryString(query);
  return new URL(`${base.origin}${prefix}${routePath(route.path, path)}${search === '' ? '' : `?${search}`}`);
}
