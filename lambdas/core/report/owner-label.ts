import type { PackageOwner } from '../sbom/model.ts';

/** The package manager that keeps each OS package type's database: what a reader knows it by. */
export const OWNER_MANAGERS: Readonly<Record<PackageOwner['type'], string>> = { deb: 'dpkg', rpm: 'rpm', apk: 'apk' };

/** `python3-jinja2 (dpkg)`: the OS package and the manager that installed a language package. */
export function ownerLabel(owner: PackageOwner): string {
  return `${owner.name} (${OWNER_MANAGERS[owner.type]})`;
}
