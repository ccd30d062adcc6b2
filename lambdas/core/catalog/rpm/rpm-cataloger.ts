import type { FileHistory } from '../../image/squashed-view.ts';
import type { Distro, Package, PackageLocation } from '../../sbom/model.ts';
import { formatPurl } from '../../sbom/purl.ts';
import { collectFromDatabases, distroQualifier, type PackageCataloger } from '../package-cataloger.ts';
import { rpmDatabaseAnalyzer, rpmDatabaseFormat, RPM_DIRECTORIES, type RpmDatabaseFile } from './rpm-database-analyzer.ts';
import type { RpmHeaderInfo } from './rpm-types.ts';

/** Red Hat family and SUSE packages from rpm's database (SQLite, NDB or BerkeleyDB). */
export const rpmCataloger: PackageCataloger<RpmDatabaseFile> = {
  ...rpmDatabaseAnalyzer,
  collect: (view, context) =>
    collectFromDatabases(view, context, {
      analyzer: rpmDatabaseAnalyzer.name,
      entries: (file: RpmDatabaseFile) => file.packages,
      sameInstall: (a: RpmHeaderInfo, b: RpmHeaderInfo) => a.name === b.name && fullVersion(a) === fullVersion(b) && a.arch === b.arch,
      toPackage,
      choose: chooseDatabase,
    }),
};

const FORMAT_PREFERENCE = ['sqlite', 'ndb', 'bdb'];

/**
 * rpm uses one database. After a backend migration the old files can linger, so only the newest
 * format present is read, from /usr/lib/sysimage/rpm before /var/lib/rpm.
 */
export function chooseDatabase(files: readonly FileHistory[]): readonly FileHistory[] {
  const rank = (file: FileHistory): number => {
    const directory = RPM_DIRECTORIES.findIndex((prefix) => file.path.startsWith(`${prefix}/`));
    return FORMAT_PREFERENCE.indexOf(rpmDatabaseFormat(file.path) ?? '') * RPM_DIRECTORIES.length + directory;
  };
  const best = [...files].sort((a, b) => rank(a) - rank(b))[0];
  return best ? [best] : [];
}

/** rpm's own notation: `[epoch:]version-release`. */
export function fullVersion(header: RpmHeaderInfo): string {
  const versionRelease = `${header.version}-${header.release}`;
  return header.epoch !== undefined ? `${header.epoch}:${versionRelease}` : versionRelease;
}

function toPackage(header: RpmHeaderInfo, location: PackageLocation, distro: Distro | undefined): Package {
  const purl = formatPurl({
    type: 'rpm',
    namespace: distro?.id,
    name: header.name,
    version: `${header.version}-${header.release}`,
    qualifiers: { arch: header.arch, distro: distroQualifier(distro), epoch: header.epoch === undefined ? undefined : String(header.epoch) },
  });
  return {
    id: purl,
    type: 'rpm',
    name: header.name,
    version: fullVersion(header),
    ...(header.arch ? { architecture: header.arch } : {}),
    source: sourceOf(header),
    purl,
    location,
    cataloger: rpmDatabaseAnalyzer.name,
  };
}

/** `openssl-3.0.7-27.el9.src.rpm` → openssl, 3.0.7-27.el9 (epoch is not part of the file name). */
function sourceOf(header: RpmHeaderInfo): { name: string; version: string } {
  const match = header.sourceRpm ? /^(.+)-([^-]+)-([^-]+)\.(?:no)?src\.rpm$/.exec(header.sourceRpm) : null;
  if (!match) return { name: header.name, version: fullVersion(header) };
  const versionRelease = `${match[2]}-${match[3]}`;
  return { name: match[1]!, version: header.epoch !== undefined ? `${header.epoch}:${versionRelease}` : versionRelease };
}
