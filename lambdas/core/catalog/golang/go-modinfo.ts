import type { LanguageRecord } from '../language-package.ts';

/** What `go version -m` prints: the toolchain and the module text (markers removed). */
export interface GoBuildInfo {
  readonly goVersion?: string;
  readonly modinfo: string;
  /** The main module's version read from the binary (-ldflags -X) when the module text says `(devel)`. */
  readonly mainVersion?: string;
}

// The linker wraps runtime/debug's module text in these 16-byte markers.
export const MODINFO_START = Buffer.from('3077af0c9274080241e1c107e6d618e6', 'hex');
export const MODINFO_END = Buffer.from('f932433186182072008242104116d8f2', 'hex');

/**
 * Turns build info into packages: the toolchain as `stdlib`, the main module, and every dependency.
 * A dependency replaced by another module (`=>` with a version) is reported as the module actually
 * linked; one replaced by a local directory keeps its required path and version.
 */
export function goModules(info: GoBuildInfo): LanguageRecord[] {
  const records: LanguageRecord[] = [];
  const version = info.goVersion ? toolchainVersion(info.goVersion) : undefined;
  if (version) records.push({ name: 'stdlib', version });
  const lines = info.modinfo.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const [kind, path, moduleVersion] = lines[i]!.split('\t');
    if ((kind !== 'mod' && kind !== 'dep') || !path || !moduleVersion) continue;
    if (kind === 'mod' && moduleVersion === DEVEL && info.mainVersion) {
      records.push({ ...moduleRecord(path, info.mainVersion), versionInferred: true });
      continue;
    }
    const [nextKind, replacementPath, replacementVersion] = (lines[i + 1] ?? '').split('\t');
    const replaced = nextKind === '=>' && replacementPath && replacementVersion && !isLocalPath(replacementPath);
    records.push(moduleRecord(replaced ? replacementPath : path, replaced ? replacementVersion : moduleVersion));
  }
  return records;
}

/** The main module's path and version, from its `mod` line. */
export function mainModule(modinfo: string): { path: string; version: string } | undefined {
  const line = modinfo.split('\n').find((text) => text.startsWith('mod\t'));
  const [, path, version] = line?.split('\t') ?? [];
  return path && version ? { path, version } : undefined;
}

/** What cmd/go records as the main module's version when it has none (always, before Go 1.24). */
export const DEVEL = '(devel)';

/**
 * `go1.21.3` → `v1.21.3`; `go1.21` → `v1.21.0`; `go1.22rc1` → `v1.22.0-rc1`: the Go scheme's spelling.
 * A GOEXPERIMENT suffix (`go1.22.1 X:loopvar,boringcrypto`) is dropped: the standard library's
 * version is the release's, and advisories are keyed by it; the package model has no place for
 * experiments yet (`go version -m` shows them, and the `build GOEXPERIMENT=` setting keeps them).
 */
export function toolchainVersion(goVersion: string): string | undefined {
  const match = /^go(\d+)\.(\d+)(?:\.(\d+))?((?:rc|beta)\d+)?/.exec(goVersion);
  if (!match) return undefined;
  return `v${match[1]}.${match[2]}.${match[3] ?? '0'}${match[4] ? `-${match[4]}` : ''}`;
}

function moduleRecord(path: string, version: string): LanguageRecord {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? { name: path, version } : { namespace: path.slice(0, slash), name: path.slice(slash + 1), version, displayName: path };
}

function isLocalPath(path: string): boolean {
  return path.startsWith('./') || path.startsWith('../') || path.startsWith('/') || path === '.' || path === '..';
}
