import type { Digest } from '../digest.ts';
import type { FileHistory, SquashedView } from '../image/squashed-view.ts';
import type { Distro, Package, PackageLocation } from '../sbom/model.ts';
import type { FileAnalyzer } from './file-analyzer.ts';

export interface LayerRef {
  readonly digest: Digest;
  readonly diffId: Digest;
}

export interface CatalogContext {
  readonly distro: Distro | undefined;
  /** The image's layers in order; a package's layerIndex points into this list. */
  readonly layers: readonly LayerRef[];
  warn(message: string): void;
}

/**
 * A cataloger: a file analyzer (paths wanted, per-layer parse) plus the step that turns the squashed
 * view's parsed files into packages, with each package's layer of origin.
 */
export interface PackageCataloger<R = unknown> extends FileAnalyzer<R> {
  collect(view: SquashedView, context: CatalogContext): Package[];
}

/**
 * The layer a record comes from: the oldest copy in the file's unbroken history (newest first, back
 * to its last deletion) from which every newer copy still contains it. A package removed and later
 * reinstalled therefore belongs to the layer that reinstalled it.
 */
export function layerOfOrigin<R>(history: FileHistory, resultOf: (results: Readonly<Record<string, unknown>>) => R | undefined, contains: (result: R) => boolean): number {
  let origin = history.versions[0]!.layerIndex;
  for (const version of history.versions) {
    const result = resultOf(version.results);
    if (result === undefined || !contains(result)) break;
    origin = version.layerIndex;
  }
  return origin;
}

/** How a package database's parse results become packages. */
export interface DatabaseRules<Result, Entry> {
  readonly analyzer: string;
  entries(result: Result): readonly Entry[];
  /** Whether two entries are the same installation (same name, version, architecture). */
  sameInstall(a: Entry, b: Entry): boolean;
  toPackage(entry: Entry, location: PackageLocation, distro: Distro | undefined): Package;
  /** Databases read first win when the same package id appears in several (lower sorts first). */
  priority?(path: string): number;
  /** Narrows the visible databases to the ones the package manager would use. */
  choose?(files: readonly FileHistory[]): readonly FileHistory[];
}

/** Packages from every visible copy of a database, each attributed to its layer of origin. */
export function collectFromDatabases<Result, Entry>(view: SquashedView, context: CatalogContext, rules: DatabaseRules<Result, Entry>): Package[] {
  const packages = new Map<string, Package>();
  const visible = [...view.filesFor(rules.analyzer)];
  const files = rules.choose ? [...rules.choose(visible)] : visible;
  if (rules.priority) files.sort((a, b) => rules.priority!(a.path) - rules.priority!(b.path));
  const resultOf = (results: Readonly<Record<string, unknown>>) => results[rules.analyzer] as Result | undefined;
  for (const history of files) {
    for (const entry of rules.entries(resultOf(history.versions[0]!.results)!)) {
      const layerIndex = layerOfOrigin(history, resultOf, (result) => rules.entries(result).some((other) => rules.sameInstall(other, entry)));
      const layer = context.layers[layerIndex]!;
      const pkg = rules.toPackage(entry, { path: history.path, layerIndex, layerDigest: layer.digest, layerDiffId: layer.diffId }, context.distro);
      const first = packages.get(pkg.id);
      if (!first) packages.set(pkg.id, pkg);
      // The first copy wins, but stays dev only if every copy is: dev must never hide production.
      else if (first.dev && !pkg.dev) packages.set(pkg.id, production(first));
    }
  }
  return [...packages.values()];
}

function production(pkg: Package): Package {
  const copy: { -readonly [K in keyof Package]: Package[K] } = { ...pkg };
  delete copy.dev;
  return copy;
}

/** The purl `distro` qualifier: `debian-12`, `alpine-3.20.3`, or the codename on rolling releases. */
export function distroQualifier(distro: Distro | undefined): string | undefined {
  if (!distro) return undefined;
  const release = distro.versionId ?? distro.codename;
  return release ? `${distro.id}-${release}` : distro.id;
}
