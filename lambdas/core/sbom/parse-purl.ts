import { CustomsError } from '../errors.ts';
import type { PurlParts } from './purl.ts';

const TYPE = /^[a-z.+-][a-z0-9.+-]*$/;
const QUALIFIER_KEY = /^[a-z._-][a-z0-9._-]*$/;
const MAX_PURL_LENGTH = 64 * 1024;

/**
 * Reads a package URL (purl-spec), the inverse of formatPurl: the type and qualifier keys are
 * lowercased, every component is percent-decoded, empty namespace and subpath segments are dropped.
 * The version is taken after the last `@` of the last path segment only, so a scope written
 * unencoded (`pkg:npm/@babel/core`) is not mistaken for one.
 */
export function parsePurl(text: string): PurlParts {
  const fail = (reason: string): CustomsError => new CustomsError('malformed', `purl ${JSON.stringify(shorten(text))} is malformed: ${reason}`);
  if (text.length > MAX_PURL_LENGTH) throw fail(`longer than ${MAX_PURL_LENGTH} characters`);

  let rest = text.trim();
  let subpath: string | undefined;
  const hash = rest.indexOf('#');
  if (hash >= 0) {
    subpath = cleanSegments(rest.slice(hash + 1), fail, true).join('/') || undefined;
    rest = rest.slice(0, hash);
  }

  let qualifiers: Record<string, string> | undefined;
  const question = rest.indexOf('?');
  if (question >= 0) {
    qualifiers = parseQualifiers(rest.slice(question + 1), fail);
    rest = rest.slice(0, question);
  }

  const colon = rest.indexOf(':');
  if (colon < 0 || rest.slice(0, colon).toLowerCase() !== 'pkg') throw fail('it does not start with pkg:');
  // purl-spec tolerates `pkg://type/...` and trailing slashes.
  rest = rest.slice(colon + 1).replace(/^\/+/, '').replace(/\/+$/, '');

  const slash = rest.indexOf('/');
  if (slash <= 0) throw fail('it has no type/name');
  const type = rest.slice(0, slash).toLowerCase();
  if (!TYPE.test(type) || /^[0-9]/.test(type)) throw fail(`type ${JSON.stringify(type)} is not a valid purl type`);
  rest = rest.slice(slash + 1);

  const lastSlash = rest.lastIndexOf('/');
  let last = rest.slice(lastSlash + 1);
  let version: string | undefined;
  const at = last.lastIndexOf('@');
  if (at >= 0) {
    version = decode(last.slice(at + 1), fail) || undefined;
    last = last.slice(0, at);
  }
  const name = decode(last, fail);
  if (!name) throw fail('it has no name');
  const namespace = lastSlash >= 0 ? cleanSegments(rest.slice(0, lastSlash), fail, false).join('/') || undefined : undefined;

  return {
    type,
    ...(namespace ? { namespace } : {}),
    name,
    ...(version ? { version } : {}),
    ...(qualifiers && Object.keys(qualifiers).length > 0 ? { qualifiers } : {}),
    ...(subpath ? { subpath } : {}),
  };
}

function parseQualifiers(text: string, fail: (reason: string) => CustomsError): Record<string, string> {
  const entries: [string, string][] = [];
  const seen = new Set<string>();
  for (const pair of text.split('&')) {
    if (!pair) continue;
    const equals = pair.indexOf('=');
    if (equals <= 0) throw fail(`qualifier ${JSON.stringify(shorten(pair))} is not key=value`);
    const key = pair.slice(0, equals).toLowerCase();
    if (!QUALIFIER_KEY.test(key)) throw fail(`qualifier key ${JSON.stringify(shorten(key))} is not valid`);
    if (seen.has(key)) throw fail(`qualifier ${key} is repeated`);
    seen.add(key);
    const value = decode(pair.slice(equals + 1), fail);
    if (value) entries.push([key, value]);
  }
  // fromEntries defines own properties, so a `__proto__` key stays an ordinary key.
  return Object.fromEntries(entries);
}

/** Namespace and subpath segments; the subpath also drops `.` and `..` as purl-spec asks. */
function cleanSegments(text: string, fail: (reason: string) => CustomsError, subpath: boolean): string[] {
  return text
    .split('/')
    .filter((segment) => segment && !(subpath && (segment === '.' || segment === '..')))
    .map((segment) => decode(segment, fail))
    .filter((segment) => segment && !(subpath && (segment === '.' || segment === '..')));
}

function decode(text: string, fail: (reason: string) => CustomsError): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw fail(`${JSON.stringify(shorten(text))} has a bad percent-encoding`);
  }
}

function shorten(text: string): string {
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
