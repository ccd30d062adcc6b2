import { openImageSource } from '../adapters/open-image-source.ts';
import { parsePlatform } from '../core/image/platform.ts';
import { parseReference } from '../core/image/reference.ts';
import { withLimits, type ScanLimits } from '../core/limits.ts';
import type { ScanResult } from '../core/sbom/model.ts';
import { buildSbom } from '../core/use-cases/build-sbom.ts';
import { parseSize } from './parse-size.ts';
import { ProgressLine } from './progress.ts';

/** The options `customs sbom` and `customs scan` share for reading an image (node:util parseArgs shape). */
export const IMAGE_OPTIONS = {
  platform: { type: 'string' },
  'plain-http': { type: 'boolean' },
  'max-file-size': { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  debug: { type: 'boolean' },
} as const;

export interface ImageFlags {
  readonly platform?: string | undefined;
  readonly 'plain-http'?: boolean | undefined;
  readonly 'max-file-size'?: string | undefined;
  readonly quiet?: boolean | undefined;
}

export function limitsFrom(flags: ImageFlags): ScanLimits {
  return withLimits(flags['max-file-size'] ? { maxCapturedFileBytes: parseSize(flags['max-file-size'], '--max-file-size') } : {});
}

/** Opens the reference with the adapter its transport needs and inventories it, with a progress line on stderr. */
export async function inventoryImage(reference: string, flags: ImageFlags, limits: ScanLimits = limitsFrom(flags)): Promise<ScanResult> {
  const platform = flags.platform === undefined ? undefined : parsePlatform(flags.platform);
  const parsed = parseReference(reference);
  const progress = ProgressLine.forStderr(!flags.quiet);
  const source = await openImageSource(parsed, { limits, ...(flags['plain-http'] ? { plainHttp: true } : {}) });
  try {
    return await buildSbom(source, {
      ...(platform ? { platform } : {}),
      limits,
      ...(progress ? { onProgress: (event) => progress.update(event) } : {}),
    });
  } finally {
    progress?.clear();
    await source.close();
  }
}
