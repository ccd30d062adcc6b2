import { isCustomsError } from '../errors.ts';
import { parsePurl as parsePurlStrict } from '../sbom/parse-purl.ts';

/**
 * Package URLs written by others (VEX documents, ignore files) as decoded parts, so they compare
 * with the purls Customs formats however each side chose to percent-encode.
 */
export interface ParsedPurl {
  /** Lowercased. */
  readonly type: string;
  /** Decoded segments joined by `/`. */
  readonly namespace?: string;
  readonly name: string;
  readonly version?: string;
  /** Keys lowercased, values decoded; empty values left out. */
  readonly qualifiers: Readonly<Record<string, string>>;
  readonly subpath?: string;
}

/** The parts of `value`, or undefined when it is not a package URL (a VEX product may be any IRI). */
export function parsePurl(value: string): ParsedPurl | undefined {
  try {
    const parts = parsePurlStrict(value);
    const qualifiers = Object.fromEntries(Object.entries(parts.qualifiers ?? {}).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''));
    return { ...parts, qualifiers };
  } catch (error) {
    if (isCustomsError(error)) return undefined;
    throw error;
  }
}
