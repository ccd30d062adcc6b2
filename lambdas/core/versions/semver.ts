/**
 * SemVer 2.0.0 (npm and most language ecosystems), reading exactly what node-semver's strict
 * (non-loose) parser reads: surrounding whitespace trimmed, one optional leading `v`, at most 256
 * characters, version numbers no larger than Number.MAX_SAFE_INTEGER. Build metadata is ignored
 * for precedence. One deliberate difference: numeric prerelease identifiers past 2^53 compare
 * exactly, where node-semver rounds them through floats.
 */
import { CustomsError } from '../errors.ts';
import { compareDigits } from './digit-strings.ts';
import { comparePrerelease } from './semver-identifiers.ts';
import type { Ordering, VersionScheme } from './version-scheme.ts';

const MAX_LENGTH = 256;
const NUMBER = '0|[1-9]\\d*';
const PRE_ID = `(?:${NUMBER}|\\d*[a-zA-Z-][a-zA-Z0-9-]*)`;
const BUILD_ID = '[a-zA-Z0-9-]+';
const FULL = new RegExp(
  `^v?(${NUMBER})\\.(${NUMBER})\\.(${NUMBER})(?:-(${PRE_ID}(?:\\.${PRE_ID})*))?(?:\\+${BUILD_ID}(?:\\.${BUILD_ID})*)?$`,
);

interface Parsed {
  readonly main: readonly [string, string, string];
  readonly prerelease: readonly string[];
}

function parse(version: string): Parsed | undefined {
  if (version.length > MAX_LENGTH) return undefined;
  const match = FULL.exec(version.trim());
  if (!match) return undefined;
  const main = [match[1]!, match[2]!, match[3]!] as const;
  // node-semver rejects numbers it cannot hold exactly; agreeing keeps isValid in step with npm.
  if (main.some((part) => Number(part) > Number.MAX_SAFE_INTEGER)) return undefined;
  return { main, prerelease: match[4] ? match[4].split('.') : [] };
}

function parseOrThrow(version: string): Parsed {
  const parsed = parse(version);
  if (!parsed) throw new CustomsError('malformed', `not a semantic version: "${version}"`);
  return parsed;
}

export const semverScheme: VersionScheme = {
  name: 'semver',
  isValid: (version) => parse(version) !== undefined,
  compare(a, b): Ordering {
    const x = parseOrThrow(a);
    const y = parseOrThrow(b);
    for (let i = 0; i < 3; i++) {
      const order = compareDigits(x.main[i]!, y.main[i]!);
      if (order !== 0) return order;
    }
    return comparePrerelease(x.prerelease, y.prerelease);
  },
};
