import { openImageSource } from '../../lambdas/adapters/open-image-source.ts';
import { parseReference } from '../../lambdas/core/image/reference.ts';
import { withLimits } from '../../lambdas/core/limits.ts';
import type { ScanResult } from '../../lambdas/core/sbom/model.ts';
import { buildSbom, type BuildSbomOptions } from '../../lambdas/core/use-cases/build-sbom.ts';

/** Scans a reference the way the CLI does (same adapters, same use case). */
export async function scan(reference: string, options: BuildSbomOptions = {}): Promise<ScanResult> {
  const limits = withLimits(options.limits);
  const source = await openImageSource(parseReference(reference), { limits });
  try {
    return await buildSbom(source, { ...options, limits });
  } finally {
    await source.close();
  }
}

/** name@version for every package of every image, sorted: the shape most assertions compare. */
export function packageList(result: ScanResult): string[][] {
  return result.images.map((image) => image.packages.map((pkg) => `${pkg.name}@${pkg.version}`).sort());
}
