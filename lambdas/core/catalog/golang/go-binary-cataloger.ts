import { collectLanguagePackages, type LanguageFile } from '../language-package.ts';
import type { PackageCataloger } from '../package-cataloger.ts';
import { GoBinaryScan } from './go-binary-scan.ts';

const EXECUTABLE_BITS = 0o111;
const SMALLEST_GO_BINARY = 64 * 1024;

/**
 * Go binaries: every executable regular file (chosen from its tar header's mode, whatever its
 * path or size) is scanned as it streams for the build info the Go linker embeds.
 */
export const goBinaryCataloger: PackageCataloger<LanguageFile> = {
  name: 'go-binary',
  version: 2, // 2: pre-1.18 and GOEXPERIMENT builds, -X main versions
  patterns: [],
  parse: () => undefined,
  streaming: {
    wants: (entry) => (entry.mode & EXECUTABLE_BITS) !== 0 && entry.size >= SMALLEST_GO_BINARY,
    open: () => new GoBinaryScan(),
  },
  collect: (view, context) => collectLanguagePackages(view, context, 'go-binary', 'golang'),
};
