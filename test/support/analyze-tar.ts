import { defaultCatalogers, supportAnalyzers } from '../../lambdas/core/catalog/catalogers.ts';
import type { FileAnalyzer } from '../../lambdas/core/catalog/file-analyzer.ts';
import { PathMatcher } from '../../lambdas/core/catalog/path-matcher.ts';
import type { Digest } from '../../lambdas/core/digest.ts';
import type { LayerAnalysis } from '../../lambdas/core/image/layer-analysis.ts';
import { LayerWalker } from '../../lambdas/core/image/layer-walker.ts';
import { TarStreamParser } from '../../lambdas/core/image/tar/tar-stream-parser.ts';
import { withLimits, type ScanLimits } from '../../lambdas/core/limits.ts';

/** Walks an uncompressed layer tar in memory, as the scanner does, without digests or transport. */
export function analyzeTar(tar: Uint8Array, options: { analyzers?: readonly FileAnalyzer[]; limits?: Partial<ScanLimits>; chunkSize?: number } = {}): LayerAnalysis {
  const limits = withLimits(options.limits);
  const walker = new LayerWalker(new PathMatcher(options.analyzers ?? [...supportAnalyzers, ...defaultCatalogers]), limits);
  const parser = new TarStreamParser(walker, { maxMetadataBytes: limits.maxTarMetadataBytes });
  const chunkSize = options.chunkSize ?? tar.length;
  for (let offset = 0; offset < tar.length; offset += chunkSize) parser.write(tar.subarray(offset, offset + chunkSize));
  parser.end();
  const fake = `sha256:${'0'.repeat(64)}` as Digest;
  return { digest: fake, diffId: fake, analyzers: 'test', records: walker.records, warnings: walker.warnings, compressedBytes: tar.length, uncompressedBytes: tar.length, entries: walker.entries };
}
