/**
 * Go module versions, ordered as golang.org/x/mod/semver orders them: `v` required, shorthand `v1`
 * and `v1.2` read as v1.0.0 and v1.2.0 (but take no prerelease or build), numbers of any size, and
 * invalid versions sorting below every valid one and equal to each other, so compare never throws.
 *
 * Two spellings are accepted before that, matching what Customs' Go cataloger reports: a missing
 * `v` is added (`1.2.3` → `v1.2.3`), and a toolchain name reads as a version (`go1.21.3` →
 * `v1.21.3`, `go1.21` → `v1.21.0`, `go1.22rc1` → `v1.22.0-rc1`).
 */
import { compareDigits } from './digit-strings.ts';
import { comparePrerelease } from './semver-identifiers.ts';
import type { Ordering, VersionScheme } from './version-scheme.ts';

const NUMBER = '0|[1-9]\\d*';
const PRE_ID = `(?:${NUMBER}|\\d*[a-zA-Z-][a-zA-Z0-9-]*)`;
const BUILD_ID = '[a-zA-Z0-9-]+';
const VERSION = new RegExp(
  `^v(${NUMBER})(?:\\.(${NUMBER})(?:\\.(${NUMBER})(?:-(${PRE_ID}(?:\\.${PRE_ID})*))?(?:\\+${BUILD_ID}(?:\\.${BUILD_ID})*)?)?)?$`,
);
const TOOLCHAIN = /^go(\d+)(?:\.(\d+))?(?:\.(\d+))?((?:rc|beta)\d+)?$/;

interface Parsed {
  readonly main: readonly [string, string, string];
  readonly prerelease: readonly string[];
}

/** The spelling golang.org/x/mod/semver would be handed. */
function spelling(version: string): string {
  const toolchain = TOOLCHAIN.exec(version);
  if (toolchain) {
    const [, major, minor = '0', patch = '0', pre] = toolchain;
    return `v${major}.${minor}.${patch}${pre ? `-${pre}` : ''}`;
  }
  return version.startsWith('v') ? version : `v${version}`;
}

function parse(version: string): Parsed | undefined {
  const match = VERSION.exec(spelling(version));
  if (!match) return undefined;
  return { main: [match[1]!, match[2] ?? '0', match[3] ?? '0'], prerelease: match[4] ? match[4].split('.') : [] };
}

/** x/mod/semver's Canonical: `vMAJOR.MINOR.PATCH[-pre]`, build dropped; '' when invalid. */
export function canonicalGo(version: string): string {
  const parsed = parse(version);
  if (!parsed) return '';
  const pre = parsed.prerelease.length > 0 ? `-${parsed.prerelease.join('.')}` : '';
  return `v${parsed.main.join('.')}${pre}`;
}

export const goScheme: VersionScheme = {
  name: 'go',
  isValid: (version) => parse(version) !== undefined,
  compare(a, b): Ordering {
    const x = parse(a);
    const y = parse(b);
    if (!x || !y) return x ? 1 : y ? -1 : 0;
    for (let i = 0; i < 3; i++) {
      const order = compareDigits(x.main[i]!, y.main[i]!);
      if (order !== 0) return order;
    }
    return comparePrerelease(x.prerelease, y.prerelease);
  },
};
