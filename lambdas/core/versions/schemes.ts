import { CustomsError } from '../errors.ts';
import { apkScheme } from './apk.ts';
import { composerScheme } from './composer.ts';
import { dpkgScheme } from './dpkg.ts';
import { gemScheme } from './gem.ts';
import { goScheme } from './go.ts';
import { mavenScheme } from './maven.ts';
import { nugetScheme } from './nuget.ts';
import { pep440Scheme } from './pep440.ts';
import { rpmScheme } from './rpm.ts';
import { semverScheme } from './semver.ts';
import type { SchemeName, VersionScheme } from './version-scheme.ts';

const SCHEMES: Readonly<Record<SchemeName, VersionScheme>> = {
  dpkg: dpkgScheme,
  apk: apkScheme,
  rpm: rpmScheme,
  semver: semverScheme,
  nuget: nugetScheme,
  pep440: pep440Scheme,
  go: goScheme,
  maven: mavenScheme,
  gem: gemScheme,
  composer: composerScheme,
};

export const SCHEME_NAMES = Object.keys(SCHEMES) as SchemeName[];

export function schemeNamed(name: string): VersionScheme {
  const scheme = (SCHEMES as Record<string, VersionScheme | undefined>)[name];
  if (!scheme) throw new CustomsError('usage', `unknown version scheme ${JSON.stringify(name)} (one of ${SCHEME_NAMES.join(', ')})`);
  return scheme;
}
