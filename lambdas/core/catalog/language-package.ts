import type { Distro, Package, PackageLocation, PackageType } from '../sbom/model.ts';
import { formatPurl } from '../sbom/purl.ts';
import { collectFromDatabases, type CatalogContext } from './package-cataloger.ts';
import type { SquashedView } from '../image/squashed-view.ts';

/**
 * What a language cataloger's parse step records for one package found in one file: installed
 * metadata (package.json, METADATA, pom.properties…) or a lockfile entry.
 */
export interface LanguageRecord {
  readonly name: string;
  readonly version: string;
  /** purl namespace where the ecosystem has one (npm scope, Maven group, Go module path prefix). */
  readonly namespace?: string;
  /** Extra purl qualifiers (e.g. PyPI has none; Maven may carry `type=jar`). */
  readonly qualifiers?: Readonly<Record<string, string>>;
  /** Where inside the image this package lives when it is not the file itself (a jar nested in a war: `app.war!/WEB-INF/lib/x.jar`). */
  readonly path?: string;
  readonly dev?: boolean;
  /** See Package.alias. */
  readonly alias?: string;
  /** See Package.versionInferred. */
  readonly versionInferred?: boolean;
  /** How people write the name when it differs from `namespace/name` (Maven's `group:artifact`). */
  readonly displayName?: string;
}

export interface LanguageFile {
  readonly packages: readonly LanguageRecord[];
}

/**
 * Language packages from the squashed view: every visible file's records, each attributed to the
 * layer that introduced that file at that version. Unlike OS databases, one package may be installed
 * at many paths (nested node_modules, several virtualenvs), so the id includes the path.
 */
export function collectLanguagePackages(view: SquashedView, context: CatalogContext, analyzer: string, type: PackageType): Package[] {
  return collectFromDatabases(view, context, {
    analyzer,
    entries: (file: LanguageFile) => file.packages,
    sameInstall: (a: LanguageRecord, b: LanguageRecord) => a.name === b.name && a.version === b.version && a.namespace === b.namespace && a.path === b.path,
    toPackage: (record: LanguageRecord, location: PackageLocation, _distro: Distro | undefined) => toLanguagePackage(record, location, analyzer, type),
  });
}

export function toLanguagePackage(record: LanguageRecord, location: PackageLocation, cataloger: string, type: PackageType): Package {
  const purl = formatPurl({ type, ...(record.namespace ? { namespace: record.namespace } : {}), name: record.name, version: record.version, ...(record.qualifiers ? { qualifiers: record.qualifiers } : {}) });
  const path = record.path ?? location.path;
  return {
    id: `${purl}#${path}`,
    type,
    name: record.displayName ?? (record.namespace ? `${record.namespace}/${record.name}` : record.name),
    version: record.version,
    purl,
    location: { ...location, path },
    cataloger,
    ...(record.dev ? { dev: true } : {}),
    ...(record.alias ? { alias: record.alias } : {}),
    ...(record.versionInferred ? { versionInferred: true } : {}),
  };
}
