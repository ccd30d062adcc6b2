import type { SquashedView } from '../../image/squashed-view.ts';
import type { PackageOwner } from '../../sbom/model.ts';
import { apkDatabaseAnalyzer, type ApkDatabaseFile } from '../apk/apk-database-analyzer.ts';
import { chooseApkDatabase } from '../apk/apk-database-choice.ts';
import { dpkgDatabaseAnalyzer, type DpkgDatabaseFile } from '../dpkg/dpkg-database-analyzer.ts';
import { filePaths } from '../file-list.ts';
import { chooseDatabase, fullVersion } from '../rpm/rpm-cataloger.ts';
import { rpmDatabaseAnalyzer, type RpmDatabaseFile } from '../rpm/rpm-database-analyzer.ts';
import { dpkgFileListsAnalyzer, dpkgListPackage, type DpkgFileList } from './dpkg-file-lists-analyzer.ts';
import type { InstalledOsPackages } from './installed-os-packages.ts';

/** An installed OS package and the paths its database says it installed, as written there. */
export interface OwnerFileList {
  readonly owner: PackageOwner;
  readonly paths: Iterable<string>;
}

/** The file lists of every OS package of the SBOM, read from the squashed view, one package at a time. */
export function* ownerFileLists(view: SquashedView, installed: InstalledOsPackages): Generator<OwnerFileList> {
  yield* dpkgLists(view, installed);
  yield* apkLists(view, installed);
  yield* rpmLists(view, installed);
}

function* dpkgLists(view: SquashedView, installed: InstalledOsPackages): Generator<OwnerFileList> {
  for (const history of view.filesFor(dpkgFileListsAnalyzer.name)) {
    const owner = history.path.endsWith('.md5sums') ? statusDOwner(view, history.path, installed) : infoListOwner(history.path, installed);
    const list = history.versions[0]!.results[dpkgFileListsAnalyzer.name] as DpkgFileList;
    if (owner && list.paths !== '') yield { owner, paths: list.paths.split('\n') };
  }
}

/** `info/NAME[:ARCH].list`: dpkg deletes it on removal, so one left behind names a package no longer installed. */
function infoListOwner(path: string, installed: InstalledOsPackages): PackageOwner | undefined {
  const listed = dpkgListPackage(path);
  if (!listed) return undefined;
  return installed.find('deb', listed.name, (pkg) => listed.architecture === undefined || pkg.architecture === listed.architecture);
}

/** `status.d/X.md5sums` belongs to the package described by `status.d/X`, whatever X is called. */
function statusDOwner(view: SquashedView, path: string, installed: InstalledOsPackages): PackageOwner | undefined {
  const control = view.lookup(path.slice(0, -'.md5sums'.length));
  const records = (control?.versions[0]!.results[dpkgDatabaseAnalyzer.name] as DpkgDatabaseFile | undefined)?.packages;
  if (records?.length !== 1) return undefined;
  const record = records[0]!;
  return installed.find('deb', record.name, (pkg) => pkg.version === record.version && pkg.architecture === record.architecture);
}

function* apkLists(view: SquashedView, installed: InstalledOsPackages): Generator<OwnerFileList> {
  // As for rpm: only the database apk itself would read.
  for (const history of chooseApkDatabase([...view.filesFor(apkDatabaseAnalyzer.name)])) {
    const database = history.versions[0]!.results[apkDatabaseAnalyzer.name] as ApkDatabaseFile;
    for (const record of database.packages) {
      const owner = installed.find('apk', record.name, (pkg) => pkg.version === record.version && pkg.architecture === record.architecture);
      if (owner) yield { owner, paths: filePaths(record.files) };
    }
  }
}

function* rpmLists(view: SquashedView, installed: InstalledOsPackages): Generator<OwnerFileList> {
  // The same database the rpm cataloger reads: stale files of another backend own nothing.
  for (const history of chooseDatabase([...view.filesFor(rpmDatabaseAnalyzer.name)])) {
    const database = history.versions[0]!.results[rpmDatabaseAnalyzer.name] as RpmDatabaseFile;
    for (const header of database.packages) {
      if (!header.files) continue;
      const owner = installed.find('rpm', header.name, (pkg) => pkg.version === fullVersion(header) && pkg.architecture === header.arch);
      if (owner) yield { owner, paths: filePaths(header.files) };
    }
  }
}
