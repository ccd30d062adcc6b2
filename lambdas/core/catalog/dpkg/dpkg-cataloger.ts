import type { Distro, Package } from '../../sbom/model.ts';
import { formatPurl } from '../../sbom/purl.ts';
import { layerOfOrigin, type PackageCataloger } from '../package-cataloger.ts';
import { dpkgDatabaseAnalyzer, DPKG_STATUS, type DpkgDatabaseFile, type DpkgRecord } from './dpkg-database-analyzer.ts';

/**
 * Debian-family packages from dpkg's status database and the per-package status.d files distroless
 * images use instead.
 */
export const dpkgCataloger: PackageCataloger<DpkgDatabaseFile> = {
  ...dpkgDatabaseAnalyzer,
  collect(view, context) {
    const packages = new Map<string, Package>();
    // The status file is authoritative; status.d entries only add what it lacks.
    const files = [...view.filesFor(dpkgDatabaseAnalyzer.name)].sort((a, b) => Number(b.path === DPKG_STATUS) - Number(a.path === DPKG_STATUS));
    for (const history of files) {
      const resultOf = (results: Readonly<Record<string, unknown>>) => results[dpkgDatabaseAnalyzer.name] as DpkgDatabaseFile | undefined;
      for (const record of resultOf(history.versions[0]!.results)?.packages ?? []) {
        const layerIndex = layerOfOrigin(history, resultOf, (file) => file.packages.some((other) => sameInstall(other, record)));
        const layer = context.layers[layerIndex]!;
        const pkg = toPackage(record, context.distro, { path: history.path, layerIndex, layerDigest: layer.digest, layerDiffId: layer.diffId });
        if (!packages.has(pkg.id)) packages.set(pkg.id, pkg);
      }
    }
    return [...packages.values()];
  },
};

function sameInstall(a: DpkgRecord, b: DpkgRecord): boolean {
  return a.name === b.name && a.version === b.version && a.architecture === b.architecture;
}

function toPackage(record: DpkgRecord, distro: Distro | undefined, location: Package['location']): Package {
  const { epoch, upstream } = splitEpoch(record.version);
  const purl = formatPurl({
    type: 'deb',
    namespace: distro?.id ?? 'debian',
    name: record.name,
    version: upstream,
    qualifiers: { arch: record.architecture, distro: distroQualifier(distro), epoch },
  });
  return {
    id: purl,
    type: 'deb',
    name: record.name,
    version: record.version,
    ...(record.architecture ? { architecture: record.architecture } : {}),
    source: { name: record.sourceName ?? record.name, version: record.sourceVersion ?? record.version },
    purl,
    location,
    cataloger: dpkgCataloger.name,
  };
}

/** A Debian version `[epoch:]upstream[-revision]`: the epoch goes in its own purl qualifier. */
function splitEpoch(version: string): { epoch?: string; upstream: string } {
  const match = /^(\d+):(.+)$/.exec(version);
  return match ? { epoch: match[1]!, upstream: match[2]! } : { upstream: version };
}

export function distroQualifier(distro: Distro | undefined): string | undefined {
  if (!distro) return undefined;
  const release = distro.versionId ?? distro.codename;
  return release ? `${distro.id}-${release}` : distro.id;
}
