import { GoBinaryScan } from '../../lambdas/core/catalog/golang/go-binary-scan.ts';
import { toolchainVersion } from '../../lambdas/core/catalog/golang/go-modinfo.ts';
import type { LanguageFile } from '../../lambdas/core/catalog/language-package.ts';

/** What `go version -m` printed, read as the rows Customs should report. */
export interface VersionM {
  /** The first line's toolchain, whole (`go1.19.8 X:boringcrypto`). */
  readonly goVersion: string;
  readonly mainPath: string | undefined;
  /** name@version, sorted, the main module as the toolchain printed it. */
  readonly rows: string[];
}

/** `go version -m` output → name@version rows as Customs reports them (replacements followed). */
export function readVersionM(text: string): VersionM {
  const lines = text.split('\n');
  const goVersion = /^[^\n]*?: (go.*)$/.exec(lines[0]!)![1]!.trim();
  const rows = [`stdlib@${toolchainVersion(goVersion)}`];
  let mainPath: string | undefined;
  for (let i = 1; i < lines.length; i++) {
    const [kind, path, version] = lines[i]!.trim().split('\t');
    if (kind !== 'mod' && kind !== 'dep') continue;
    if (kind === 'mod') mainPath = path;
    const replacement = lines[i + 1]?.trim().split('\t');
    const replaced = replacement?.[0] === '=>' && replacement[2] && !replacement[1]!.startsWith('.');
    rows.push(replaced ? `${replacement[1]}@${replacement[2]}` : `${path}@${version}`);
  }
  return { goVersion, mainPath, rows: rows.sort() };
}

/** Streams `bytes` through the scanner in `chunk`-sized writes, as a layer's tar would. */
export function scanGoBytes(bytes: Uint8Array, chunk: number): { result: LanguageFile | undefined; warnings: string[] } {
  const scanner = new GoBinaryScan();
  const warnings: string[] = [];
  for (let offset = 0; offset < bytes.length; offset += chunk) if (!scanner.write(bytes.subarray(offset, offset + chunk))) break;
  return { result: scanner.end({ warn: (message) => warnings.push(message) }), warnings };
}

/** The scan's packages as name@version rows, sorted. */
export function goRows(result: LanguageFile | undefined): string[] {
  return (result?.packages ?? []).map((pkg) => `${pkg.displayName ?? pkg.name}@${pkg.version}`).sort();
}
