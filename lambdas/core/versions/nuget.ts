/**
 * NuGet versions (NuGet.Versioning's NuGetVersion): SemVer 2.0.0 with one to four numeric parts,
 * missing parts read as 0 (`1.0` == `1.0.0.0`), leading zeros tolerated in numbers (`01.2` ==
 * `1.2`) as NuGet's lenient parser does, prerelease labels compared case-insensitively, metadata
 * ignored. A leading `v` and surrounding whitespace are rejected, as NuGetVersion.TryParse rejects
 * them; package metadata (deps.json, .nuspec) never carries either.
 */
import { CustomsError } from '../errors.ts';
import { compareDigits } from './digit-strings.ts';
import { comparePrerelease } from './semver-identifiers.ts';
import type { Ordering, VersionScheme } from './version-scheme.ts';

const ID = '[0-9A-Za-z-]+';
const FULL = new RegExp(`^(\\d+(?:\\.\\d+){0,3})(?:-(${ID}(?:\\.${ID})*))?(?:\\+${ID}(?:\\.${ID})*)?$`);
// NuGet holds each part in a System.Int32.
const INT32_MAX = 2_147_483_647;

interface Parsed {
  readonly parts: readonly string[];
  readonly prerelease: readonly string[];
}

function parse(version: string): Parsed | undefined {
  const match = FULL.exec(version);
  if (!match) return undefined;
  const parts = match[1]!.split('.');
  if (parts.some((part) => Number(part) > INT32_MAX)) return undefined;
  while (parts.length < 4) parts.push('0');
  return { parts, prerelease: match[2] ? match[2].split('.') : [] };
}

function parseOrThrow(version: string): Parsed {
  const parsed = parse(version);
  if (!parsed) throw new CustomsError('malformed', `not a NuGet version: "${version}"`);
  return parsed;
}

export const nugetScheme: VersionScheme = {
  name: 'nuget',
  isValid: (version) => parse(version) !== undefined,
  compare(a, b): Ordering {
    const x = parseOrThrow(a);
    const y = parseOrThrow(b);
    for (let i = 0; i < 4; i++) {
      const order = compareDigits(x.parts[i]!, y.parts[i]!);
      if (order !== 0) return order;
    }
    return comparePrerelease(x.prerelease, y.prerelease, true);
  },
};
