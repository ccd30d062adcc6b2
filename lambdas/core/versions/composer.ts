/**
 * Composer (Packagist) versions: normalised as Composer's VersionParser does, then ordered by PHP's
 * version_compare over the normalised strings, as Composer's constraints compare them.
 *
 * Supported: `1`, `v1.2.3.4`, stabilities (`-alpha2`, `b1`, `RC1`, `-patch1`/`pl`/`p`, `-stable`,
 * any of them with `-dev`), dates (`2023-01-31`, `20230131`), build metadata (`+build` dropped),
 * `x as y` aliases and `@dev`-style flags (dropped), numeric branches (`1.x-dev`, `2.1.*-dev`),
 * named branches (`dev-main`, `master`, `trunk`, `default`). Anything VersionParser::normalize
 * throws on is invalid.
 *
 * Named branches: Composer itself never orders a `dev-*` branch against anything (its constraints
 * simply do not match them); here they get version_compare's order, which puts `dev-foo` below
 * every numbered version and orders two branches only coarsely (most names rank alike, so distinct
 * branches can compare 0).
 */
import { CustomsError } from '../errors.ts';
import { normalizeComposer } from './composer-normalize.ts';
import { phpVersionCompare } from './composer-version-compare.ts';
import type { VersionScheme } from './version-scheme.ts';

function normalizeOrThrow(version: string): string {
  const normal = normalizeComposer(version);
  if (normal === undefined) throw new CustomsError('malformed', `not a Composer version: ${JSON.stringify(version)}`);
  return normal;
}

/** PHP compares bytes; decoding UTF-8 as latin1 gives one JavaScript character per byte. */
function bytes(s: string): string {
  return Buffer.from(s, 'utf8').toString('latin1');
}

export const composerScheme: VersionScheme = {
  name: 'composer',
  isValid: (version) => normalizeComposer(version) !== undefined,
  compare: (a, b) => phpVersionCompare(bytes(normalizeOrThrow(a)), bytes(normalizeOrThrow(b))),
};
