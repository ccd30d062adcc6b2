import type { AdvisoryQuery } from '../ports.ts';
import { parseEcosystem } from '../advisories/ecosystem.ts';
import type { ImageSbom, Package, PackageType } from '../sbom/model.ts';
import { distroEcosystem, type DistroEcosystem, type OsPackageType } from './distro-ecosystem.ts';

/** What one package is looked up and compared as. */
export interface PackageQuery extends AdvisoryQuery {
  /** The version compared with the advisories' ranges. */
  readonly version: string;
}

/** Language package types (purl types) → their OSV ecosystem. */
export const LANGUAGE_ECOSYSTEMS: Readonly<Record<Exclude<PackageType, OsPackageType>, string>> = {
  npm: 'npm',
  pypi: 'PyPI',
  golang: 'Go',
  maven: 'Maven',
  gem: 'RubyGems',
  cargo: 'crates.io',
  nuget: 'NuGet',
  composer: 'Packagist',
};

export function isOsPackage(pkg: Package): pkg is Package & { type: OsPackageType } {
  return pkg.type === 'deb' || pkg.type === 'rpm' || pkg.type === 'apk';
}

export interface QueryOptions {
  /**
   * Also match language packages an OS package installed against their language's advisories. Off
   * by default: the distribution backports fixes without changing the upstream version, so those
   * advisories report fixed vulnerabilities as open, and the owner's own findings already cover them.
   */
  readonly matchOsOwned?: boolean;
}

/**
 * The query for a package: OS packages only in their distribution's ecosystem (undefined when the
 * image has none, or the package is of another manager's type), language packages only in their
 * language's ecosystem, so a deb named like an npm module never meets the module's advisories.
 * Language packages owned by an OS package are left to its advisories unless asked otherwise.
 */
export function packageQuery(pkg: Package, os: DistroEcosystem | undefined, options: QueryOptions = {}): PackageQuery | undefined {
  if (isOsPackage(pkg)) {
    if (!os || os.packageType !== pkg.type) return undefined;
    if (os.naming === 'source') return { ecosystem: os.ecosystem, name: pkg.source?.name ?? pkg.name, version: pkg.source?.version ?? pkg.version };
    if (os.naming === 'origin') return { ecosystem: os.ecosystem, name: pkg.source?.name ?? pkg.name, version: pkg.version };
    return { ecosystem: os.ecosystem, name: pkg.name, version: pkg.version };
  }
  if (pkg.owner && !options.matchOsOwned) return undefined;
  const ecosystem = LANGUAGE_ECOSYSTEMS[pkg.type as Exclude<PackageType, OsPackageType>];
  // The Go cataloger writes `v1.21.3`; Go advisories write versions without the `v`, and `versions`
  // lists are matched exactly.
  const version = pkg.type === 'golang' ? pkg.version.replace(/^v(?=\d)/, '') : pkg.version;
  return { ecosystem, name: pkg.name, version };
}

/**
 * The OSV ecosystems (base names, as osv.dev's bucket is laid out: `Debian`, `Red Hat`, `npm`) the
 * images' packages would be looked up in, sorted, so a loader fetches only those.
 */
export function advisoryEcosystemsFor(images: readonly ImageSbom[], options: QueryOptions = {}): string[] {
  const bases = new Set<string>();
  for (const image of images) {
    const os = distroEcosystem(image.distro);
    const ecosystem = 'ecosystem' in os ? os.ecosystem : undefined;
    for (const pkg of image.packages) {
      const query = packageQuery(pkg, ecosystem, options);
      if (query) bases.add(parseEcosystem(query.ecosystem).base);
    }
  }
  return [...bases].sort();
}
