import type { Digest } from '../digest.ts';
import type { SquashedView, FileHistory } from '../image/squashed-view.ts';
import type { Distro, Package } from '../sbom/model.ts';
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
