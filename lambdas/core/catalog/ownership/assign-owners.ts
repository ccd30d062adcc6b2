import type { SquashedView } from '../../image/squashed-view.ts';
import type { Package } from '../../sbom/model.ts';
import { rootRelative } from './dpkg-file-lists-analyzer.ts';
import { InstalledOsPackages, isOsPackage } from './installed-os-packages.ts';
import { ownedPaths } from './owned-paths.ts';
import { ownerFileLists } from './owner-file-lists.ts';

/**
 * Records on each language package the OS package that installed its file (python3-jinja2 installs
 * `Jinja2-3.1.2.egg-info`), so that matching can use the distribution's advisories for it rather than
 * the language ecosystem's. A package inside an archive (`app.war!/WEB-INF/lib/x.jar`) is owned by
 * whoever owns the outer file. Only packages of the SBOM can be owners.
 */
export function assignOwners(view: SquashedView, packages: readonly Package[], warn: (message: string) => void): Package[] {
  const installed = new InstalledOsPackages(packages);
  const wanted = new Set(packages.filter((pkg) => !isOsPackage(pkg)).map(ownedFileOf));
  if (installed.size === 0 || wanted.size === 0) return [...packages];
  const owners = ownedPaths(view, ownerFileLists(view, installed), wanted, warn);
  if (owners.size === 0) return [...packages];
  return packages.map((pkg) => {
    const owner = isOsPackage(pkg) ? undefined : owners.get(ownedFileOf(pkg));
    return owner ? { ...pkg, owner } : pkg;
  });
}

/** The image file a package manager would list for this package: the outermost archive's path. */
export function ownedFileOf(pkg: Package): string {
  const bang = pkg.location.path.indexOf('!');
  return rootRelative(bang < 0 ? pkg.location.path : pkg.location.path.slice(0, bang));
}
