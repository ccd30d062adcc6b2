import type { Distro, Package, PackageLocation } from '../../sbom/model.ts';
import { formatPurl } from '../../sbom/purl.ts';
import { collectFromDatabases, distroQualifier, type PackageCataloger } from '../package-cataloger.ts';
import { dpkgDatabaseAnalyzer, DPKG_STATUS, type DpkgDatabaseFile, type DpkgRecord } from './dpkg-database-analyzer.ts';

/**
 * Debian-family packages from dpkg's status database and the per-package status.d files distroless
 * images use instead.
 */
export const dpkgCataloger: PackageCataloger<DpkgDatabaseFile> = {
  ...dpkgDatabaseAnalyzer,
  collect: (view, context) =>
    collectFromDatabases(view, context, {
      analyzer: dpkgDatabaseAnalyzer.name,
      entries: (file: DpkgDatabaseFile) => file.packages,
      sameInstall: (a: DpkgRecord, b: DpkgRecord) => a.name === b.name && a.version === b.version && a.architecture === b.architecture,
      toPackage,
      // The status file is authoritative; status.d entries only add what it lacks.
      priority: (path) => (path === DPKG_STATUS ? 0 : 1),
    }),
};

function toPackage(record: DpkgRecord, location: PackageLocation, distro: Distro | undefined): Package {
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
    cataloger: dpkgDatabaseAnalyzer.name,
  };
}

/** A Debian version `[epoch:]upstream[-revision]`: the epoch goes in its own purl qualifier. */
function splitEpoch(version: string): { epoch?: string; upstream: string } {
  const match = /^(\d+):(.+)$/.exec(version);
  return match ? { epoch: match[1]!, upstream: match[2]! } : { upstream: version };
}
