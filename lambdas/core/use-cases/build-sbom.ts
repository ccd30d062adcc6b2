import { analyzerFingerprint } from '../catalog/file-analyzer.ts';
import { defaultCatalogers, supportAnalyzers } from '../catalog/catalogers.ts';
import { assignOwners } from '../catalog/ownership/assign-owners.ts';
import type { PackageCataloger } from '../catalog/package-cataloger.ts';
import { PathMatcher } from '../catalog/path-matcher.ts';
import { detectDistro } from '../distro/detect-distro.ts';
import { CustomsError, isCustomsError, messageOf } from '../errors.ts';
import { analyzeLayer } from '../image/analyze-layer.ts';
import type { LayerAnalysis } from '../image/layer-analysis.ts';
import { layerKind } from '../image/media-types.ts';
import { MemoryLayerCache } from '../image/memory-layer-cache.ts';
import type { Platform } from '../image/platform.ts';
import { formatPlatform } from '../image/platform.ts';
import { resolveImages, type ResolvedImage } from '../image/resolve-images.ts';
import { SquashedView } from '../image/squashed-view.ts';
import { withLimits, type ScanLimits } from '../limits.ts';
import type { ImageSource, LayerAnalysisCache } from '../ports.ts';
import type { ImageFailure, ImageSbom, LayerSummary, Package, ScanResult } from '../sbom/model.ts';
import { mapLimit } from '../util/map-limit.ts';

export type ProgressEvent =
  | { readonly type: 'image'; readonly platform: Platform; readonly layers: number; readonly bytes: number }
  | { readonly type: 'bytes'; readonly bytes: number }
  | { readonly type: 'layer-done'; readonly index: number; readonly cached: boolean };

export interface BuildSbomOptions {
  readonly platform?: Platform;
  readonly limits?: Partial<ScanLimits>;
  readonly cache?: LayerAnalysisCache;
  readonly catalogers?: readonly PackageCataloger[];
  readonly onProgress?: (event: ProgressEvent) => void;
}

/**
 * The inventory use case: resolve the reference to its platform images, analyze each layer once
 * (streaming, verified, cached by digest), squash, detect the distribution, and run the catalogers.
 * A platform image that fails (a tampered blob, a bad diffID) is reported as a failure without
 * losing the other platforms' results.
 */
export async function buildSbom(source: ImageSource, options: BuildSbomOptions = {}): Promise<ScanResult> {
  const limits = withLimits(options.limits);
  const catalogers = options.catalogers ?? defaultCatalogers;
  const analyzers = [...supportAnalyzers, ...catalogers];
  const matcher = new PathMatcher(analyzers);
  const fingerprint = analyzerFingerprint(analyzers);
  const cache = options.cache ?? new MemoryLayerCache();
  const { images, notes } = await resolveImages(source, { ...(options.platform ? { platform: options.platform } : {}), limits });
  const results: ImageSbom[] = [];
  const failures: ImageFailure[] = [];
  for (const image of images) {
    try {
      results.push(await inventoryImage(source, image, { limits, catalogers, matcher, fingerprint, cache, notes, onProgress: options.onProgress }));
    } catch (error) {
      const customs = isCustomsError(error) ? error : new CustomsError('malformed', messageOf(error), { cause: error });
      if (images.length === 1) throw customs;
      failures.push({ platform: image.platform, ...(image.manifestDigest ? { manifestDigest: image.manifestDigest } : {}), code: customs.code, message: customs.message });
    }
  }
  return { reference: source.reference, images: results, ...(failures.length > 0 ? { failures } : {}) };
}

interface InventoryContext {
  readonly limits: ScanLimits;
  readonly catalogers: readonly PackageCataloger[];
  readonly matcher: PathMatcher;
  readonly fingerprint: string;
  readonly cache: LayerAnalysisCache;
  readonly notes: readonly string[];
  readonly onProgress: ((event: ProgressEvent) => void) | undefined;
}

async function inventoryImage(source: ImageSource, image: ResolvedImage, context: InventoryContext): Promise<ImageSbom> {
  const { manifest, config } = image;
  const warnings: string[] = [...context.notes, ...image.notes];
  const totalBytes = manifest.layers.reduce((sum, layer) => sum + layer.size, 0);
  context.onProgress?.({ type: 'image', platform: image.platform, layers: manifest.layers.length, bytes: totalBytes });
  const outcomes = await mapLimit(manifest.layers, context.limits.layerConcurrency, async (descriptor, index) => {
    const diffId = config.rootfs.diff_ids[index]!;
    if (layerKind(descriptor.mediaType) === 'nondistributable') {
      context.onProgress?.({ type: 'layer-done', index, cached: false });
      return { analysis: emptyAnalysis(descriptor.digest, diffId, context.fingerprint), status: 'skipped' as const, note: 'non-distributable layer: not pulled, as runtimes fetch it from its own URLs' };
    }
    const { analysis, cached } = await analyzeLayer({
      source,
      descriptor,
      diffId,
      matcher: context.matcher,
      fingerprint: context.fingerprint,
      limits: context.limits,
      cache: context.cache,
      onBytes: (bytes) => context.onProgress?.({ type: 'bytes', bytes }),
    });
    context.onProgress?.({ type: 'layer-done', index, cached });
    return { analysis, status: cached ? ('cached' as const) : ('read' as const) };
  });
  const analyses = outcomes.map((outcome) => outcome.analysis);
  const layers: LayerSummary[] = outcomes.map((outcome, index) => ({
    index,
    digest: manifest.layers[index]!.digest,
    diffId: config.rootfs.diff_ids[index]!,
    mediaType: manifest.layers[index]!.mediaType,
    size: manifest.layers[index]!.size,
    status: outcome.status,
    ...('note' in outcome ? { note: outcome.note } : {}),
  }));
  for (const layer of layers) if (layer.note) warnings.push(`layer ${layer.index + 1} (${layer.digest}) skipped: ${layer.note}`);
  analyses.forEach((analysis, index) => warnings.push(...analysis.warnings.map((warning) => `layer ${index + 1}: ${warning}`)));
  const view = new SquashedView(analyses, context.limits.maxSymlinkHops);
  const distro = detectDistro(view);
  const packages: Package[] = [];
  const catalogContext = { distro, layers: analyses.map(({ digest, diffId }) => ({ digest, diffId })), warn: (message: string) => warnings.push(message) };
  for (const cataloger of context.catalogers) packages.push(...cataloger.collect(view, catalogContext));
  const owned = assignOwners(view, packages, catalogContext.warn);
  warnings.push(...view.warnings);
  if (!distro) warnings.push(`no operating system release file found in ${formatPlatform(image.platform)} image`);
  return {
    reference: source.reference,
    repository: source.repository,
    ...(source.tag ? { tag: source.tag } : {}),
    platform: image.platform,
    ...(image.indexDigest ? { indexDigest: image.indexDigest } : {}),
    ...(image.manifestDigest ? { manifestDigest: image.manifestDigest } : {}),
    configDigest: image.configDigest,
    ...(config.created ? { created: config.created } : {}),
    ...(distro ? { distro } : {}),
    layers,
    packages: owned.sort(comparePackages),
    warnings,
  };
}

function emptyAnalysis(digest: LayerAnalysis['digest'], diffId: LayerAnalysis['diffId'], analyzers: string): LayerAnalysis {
  return { digest, diffId, analyzers, records: [], warnings: [], compressedBytes: 0, uncompressedBytes: 0, entries: 0 };
}

function comparePackages(a: Package, b: Package): number {
  return a.name.localeCompare(b.name, 'en') || (a.architecture ?? '').localeCompare(b.architecture ?? '', 'en') || a.version.localeCompare(b.version, 'en');
}
