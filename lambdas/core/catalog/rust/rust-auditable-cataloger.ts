import { collectLanguagePackages, type LanguageFile } from '../language-package.ts';
import type { PackageCataloger } from '../package-cataloger.ts';
import { RustAuditableScan } from './rust-auditable-scan.ts';

const EXECUTABLE_BITS = 0o111;
// A stripped, size-optimised Rust hello world is still well over this.
const SMALLEST_RUST_BINARY = 16 * 1024;

/**
 * Rust binaries built with `cargo auditable`: every executable regular file (chosen by its tar
 * header's mode) is scanned as it streams for the embedded dependency list, reported as cargo purls.
 */
export const rustAuditableCataloger: PackageCataloger<LanguageFile> = {
  name: 'rust-binary',
  version: 1,
  patterns: [],
  parse: () => undefined,
  streaming: {
    wants: (entry) => (entry.mode & EXECUTABLE_BITS) !== 0 && entry.size >= SMALLEST_RUST_BINARY,
    open: () => new RustAuditableScan(),
  },
  collect: (view, context) => collectLanguagePackages(view, context, 'rust-binary', 'cargo'),
};
