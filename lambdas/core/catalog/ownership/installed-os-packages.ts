import type { Package, PackageOwner } from '../../sbom/model.ts';

export type OsPackageType = PackageOwner['type'];

const OS_TYPES: ReadonlySet<string> = new Set<OsPackageType>(['deb', 'rpm', 'apk']);

export function isOsPackage(pkg: Package): pkg is Package & { type: OsPackageType } {
  return OS_TYPES.has(pkg.type);
}

/**
 * The OS packages of one SBOM, by manager and name. Only these can own files: a file list whose
 * package is not among them (a leftover of a removed package) names no owner.
 */
export class InstalledOsPackages {
  private readonly byName = new Map<string, Package[]>();

  constructor(packages: readonly Package[]) {
    for (const pkg of packages) {
      if (!isOsPackage(pkg)) continue;
      const key = `${pkg.type}\0${pkg.name}`;
      const list = this.byName.get(key) ?? [];
      list.push(pkg);
      this.byName.set(key, list);
    }
    // Deterministic choice between same-named entries; `var/lib/dpkg/status` sorts before its status.d.
    for (const list of this.byName.values()) list.sort((a, b) => compare(a.location.path, b.location.path) || compare(a.id, b.id));
  }

  get size(): number {
    return this.byName.size;
  }

  /** The first installed package of that manager and name that passes the test, as an owner. */
  find(type: OsPackageType, name: string, test: (pkg: Package) => boolean = () => true): PackageOwner | undefined {
    const pkg = this.byName.get(`${type}\0${name}`)?.find(test);
    return pkg ? { id: pkg.id, name: pkg.name, type } : undefined;
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
