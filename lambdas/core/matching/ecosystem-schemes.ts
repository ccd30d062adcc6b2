import { parseEcosystem } from '../advisories/ecosystem.ts';
import type { RangeSchemes } from '../advisories/affected.ts';
import { schemeNamed } from '../versions/schemes.ts';
import type { SchemeName, VersionScheme } from '../versions/version-scheme.ts';

/** How each OSV ecosystem (by base name) orders its versions. */
const SCHEME_OF_BASE: Readonly<Record<string, SchemeName>> = {
  Debian: 'dpkg',
  Ubuntu: 'dpkg',
  Alpine: 'apk',
  Wolfi: 'apk',
  Chainguard: 'apk',
  'Red Hat': 'rpm',
  'Rocky Linux': 'rpm',
  AlmaLinux: 'rpm',
  SUSE: 'rpm',
  openSUSE: 'rpm',
  Mariner: 'rpm',
  'Azure Linux': 'rpm',
  'Photon OS': 'rpm',
  npm: 'semver',
  'crates.io': 'semver',
  PyPI: 'pep440',
  Go: 'go',
  Maven: 'maven',
  RubyGems: 'gem',
  NuGet: 'nuget',
  Packagist: 'composer',
};

/** The scheme of an OSV ecosystem (`Debian:12`, `npm`), or undefined when Customs has none for it. */
export function schemeForEcosystem(ecosystem: string): VersionScheme | undefined {
  const name = SCHEME_OF_BASE[parseEcosystem(ecosystem).base];
  return name === undefined ? undefined : schemeNamed(name);
}

// One object per base, so compiled ranges (cached by scheme choice) are shared by every release.
const rangeSchemes = new Map<string, RangeSchemes>();

/** The schemes an `affected` entry of `ecosystem` is evaluated with: ECOSYSTEM and SEMVER ranges. */
export function rangeSchemesOf(ecosystem: string): RangeSchemes {
  const { base } = parseEcosystem(ecosystem);
  let schemes = rangeSchemes.get(base);
  if (!schemes) {
    const scheme = schemeForEcosystem(base);
    schemes = { ...(scheme ? { ecosystem: scheme } : {}), semver: schemeNamed(base === 'Go' ? 'go' : 'semver') };
    rangeSchemes.set(base, schemes);
  }
  return schemes;
}
