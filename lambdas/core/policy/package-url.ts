/**
 * Reads package URLs written by others (VEX documents, ignore files) into decoded parts, so they can be
 * compared with the purls Customs formats however each side chose to percent-encode.
 */
export interface ParsedPurl {
  /** Lowercased. */
  readonly type: string;
  /** Decoded segments joined by `/`. */
  readonly namespace?: string;
  readonly name: string;
  readonly version?: string;
  /** Keys lowercased, values decoded. */
  readonly qualifiers: Readonly<Record<string, string>>;
  readonly subpath?: string;
}

/** The parts of `value`, or undefined when it is not a package URL. */
export function parsePurl(value: string): ParsedPurl | undefined {
  if (!/^pkg:/i.test(value)) return undefined;
  let rest = value.slice(4).replace(/^\/+/, '');
  let subpath: string | undefined;
  const hash = rest.indexOf('#');
  if (hash >= 0) {
    subpath = rest.slice(hash + 1);
    rest = rest.slice(0, hash);
  }
  let query = '';
  const question = rest.indexOf('?');
  if (question >= 0) {
    query = rest.slice(question + 1);
    rest = rest.slice(0, question);
  }
  // The version follows the last `@` of the last segment: an unencoded npm `@scope` precedes it.
  let version: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at > rest.lastIndexOf('/')) {
    version = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const segments = rest.split('/').filter((segment) => segment !== '');
  const type = segments.shift();
  const name = segments.pop();
  if (!type || !/^[A-Za-z][A-Za-z0-9.+-]*$/.test(type) || !name) return undefined;
  try {
    const qualifiers: Record<string, string> = Object.create(null) as Record<string, string>;
    for (const pair of query.split('&')) {
      const equals = pair.indexOf('=');
      if (equals <= 0) continue;
      const qualifierValue = decode(pair.slice(equals + 1));
      if (qualifierValue !== '') qualifiers[pair.slice(0, equals).toLowerCase()] = qualifierValue;
    }
    const decodedSubpath = subpath?.split('/').filter((segment) => segment && segment !== '.' && segment !== '..').map(decode).join('/');
    return {
      type: type.toLowerCase(),
      ...(segments.length > 0 ? { namespace: segments.map(decode).join('/') } : {}),
      name: decode(name),
      ...(version ? { version: decode(version) } : {}),
      qualifiers,
      ...(decodedSubpath ? { subpath: decodedSubpath } : {}),
    };
  } catch {
    return undefined; // a malformed percent-escape
  }
}

function decode(component: string): string {
  return decodeURIComponent(component);
}
