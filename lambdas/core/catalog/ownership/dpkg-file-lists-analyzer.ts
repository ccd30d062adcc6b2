import { resolveSymlinkTarget } from '../../image/image-path.ts';
import { DPKG_STATUS_D } from '../dpkg/dpkg-database-analyzer.ts';
import type { CapturedFile, FileAnalyzer, IssueSink } from '../file-analyzer.ts';

/**
 * The paths one dpkg package installed, root-relative and newline-joined: one string per package
 * keeps a layer's cached analysis small (a Debian base image lists tens of thousands of paths).
 */
export interface DpkgFileList {
  readonly paths: string;
}

export const DPKG_INFO = 'var/lib/dpkg/info';

/** `python3-jinja2.list`, or `libc6:amd64.list` for a Multi-Arch: same package. */
const LIST_NAME = /^([^/:]+)(?::([^/:]+))?\.list$/;
/** A line of a status.d `.md5sums` file: digest, two spaces, path relative to the root. */
const MD5SUMS_LINE = /^[0-9a-fA-F]{32} [ *](.+)$/;

/** The package a `var/lib/dpkg/info/*.list` file belongs to, from its name. */
export function dpkgListPackage(path: string): { readonly name: string; readonly architecture?: string } | undefined {
  if (!path.startsWith(`${DPKG_INFO}/`)) return undefined;
  const match = LIST_NAME.exec(path.slice(DPKG_INFO.length + 1));
  if (!match) return undefined;
  return { name: match[1]!, ...(match[2] ? { architecture: match[2] } : {}) };
}

/**
 * Reads dpkg's per-package file lists: `info/NAME.list` (absolute paths, directories included) and
 * the `status.d/NAME.md5sums` distroless images carry instead (files only, relative paths). Lines
 * that are not paths are skipped with one warning; the rest of the list is kept.
 */
export function parseDpkgFileList(file: CapturedFile, issues: IssueSink): DpkgFileList | undefined {
  const md5sums = file.path.endsWith('.md5sums');
  if (!md5sums && !dpkgListPackage(file.path)) return undefined;
  if (file.bytes.includes(0)) {
    issues.warn('holds NUL bytes, so it is not a file list; ignored');
    return undefined;
  }
  const paths: string[] = [];
  let damaged = 0;
  for (const line of new TextDecoder('utf-8').decode(file.bytes).split('\n')) {
    if (line === '') continue;
    const raw = md5sums ? MD5SUMS_LINE.exec(line)?.[1] : line.startsWith('/') ? line : undefined;
    if (raw === undefined) {
      damaged++;
      continue;
    }
    const path = rootRelative(raw);
    // dpkg lists the root itself as `/.`.
    if (path !== '') paths.push(path);
  }
  if (damaged > 0) issues.warn(`skipped ${damaged} damaged line${damaged === 1 ? '' : 's'} (each line should be ${md5sums ? '`md5  path`' : 'an absolute path'})`);
  return { paths: paths.join('\n') };
}

/** `/usr/./lib/x` → `usr/lib/x`, the way layer paths are written; `..` never climbs above the root. */
export function rootRelative(path: string): string {
  return resolveSymlinkTarget('', `/${path}`);
}

export const dpkgFileListsAnalyzer: FileAnalyzer<DpkgFileList> = {
  name: 'dpkg-files',
  version: 1,
  patterns: [`${DPKG_INFO}/*.list`, `${DPKG_STATUS_D}/*.md5sums`],
  parse: parseDpkgFileList,
};
