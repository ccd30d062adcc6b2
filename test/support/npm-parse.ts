import type { CapturedFile, IssueSink } from '../../lambdas/core/catalog/file-analyzer.ts';

/** Runs a parser on literal text at an image path, collecting its warnings. */
export function parseText<R>(parse: (file: CapturedFile, issues: IssueSink) => R, path: string, text: string): { result: R; warnings: string[] } {
  const warnings: string[] = [];
  const result = parse({ path, bytes: Buffer.from(text) }, { warn: (message) => warnings.push(message) });
  return { result, warnings };
}
