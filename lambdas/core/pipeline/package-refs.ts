import { distroEcosystem } from '../matching/distro-ecosystem.ts';
import { packageQuery } from '../matching/package-query.ts';
import type { ImageSbom } from '../sbom/model.ts';
import type { PackageRef } from './model.ts';

/**
 * The (ecosystem, name) pairs an image would be looked up by, as advisories name them (`Debian:12` +
 * the source package), distinct and sorted: what the package index needs so a changed advisory finds
 * the digests to re-evaluate.
 */
export function packageRefs(sbom: ImageSbom): PackageRef[] {
  const os = distroEcosystem(sbom.distro);
  const osEcosystem = 'ecosystem' in os ? os.ecosystem : undefined;
  const seen = new Map<string, PackageRef>();
  for (const pkg of sbom.packages) {
    const query = packageQuery(pkg, osEcosystem);
    if (query) seen.set(`${query.ecosystem}\0${query.name}`, { ecosystem: query.ecosystem, name: query.name });
  }
  return [...seen.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, ref]) => ref);
}
