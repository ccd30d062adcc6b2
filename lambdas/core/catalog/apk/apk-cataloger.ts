import type { Distro, Package, PackageLocation } from '../../sbom/model.ts';
import { formatPurl } from '../../sbom/purl.ts';
import { collectFromDatabases, distroQualifier, type PackageCataloger } from '../package-cataloger.ts';
import { apkDatabaseAnalyzer, type ApkDatabaseFile, type ApkRecord } from './apk-database-analyzer.ts';
import { chooseApkDatabase } from './apk-database-choice.ts';

/** Alpine, Wolfi and Chainguard packages from apk's installed database, at /lib or /usr/lib. */
export const apkCataloger: PackageCataloger<ApkDatabaseFile> = {
  ...apkDatabaseAnalyzer,
  collect: (view, context) =>
    collectFromDatabases(view, context, {
      analyzer: apkDatabaseAnalyzer.name,
      entries: (file: ApkDatabaseFile) => file.packages,
      sameInstall: (a: ApkRecord, b: ApkRecord) => a.name === b.name && a.version === b.version && a.architecture === b.architecture,
      toPackage,
      choose: chooseApkDatabase,
    }),
};

function toPackage(record: ApkRecord, location: PackageLocation, distro: Distro | undefined): Package {
  const purl = formatPurl({
    type: 'apk',
    namespace: distro?.id ?? 'alpine',
    name: record.name,
    version: record.version,
    qualifiers: { arch: record.architecture, distro: distroQualifier(distro) },
  });
  return {
    id: purl,
    type: 'apk',
    name: record.name,
    version: record.version,
    ...(record.architecture ? { architecture: record.architecture } : {}),
    source: { name: record.origin ?? record.name, version: record.version },
    purl,
    location,
    cataloger: apkDatabaseAnalyzer.name,
  };
}
