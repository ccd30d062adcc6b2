/**
 * The files a package owns, kept the compact way rpm stores them: each directory once, and per file
 * its base name and the index of its directory. apk's `F:`/`R:` lines map onto the same shape.
 * Paths are relative to the image root (no leading slash) so they compare with layer paths.
 */
export interface FileList {
  readonly dirs: readonly string[];
  readonly names: readonly string[];
  readonly dirIndexes: readonly number[];
}

/** Expands a file list to full paths (for ownership lookups; not for storage). */
export function* filePaths(list: FileList): Generator<string> {
  for (let i = 0; i < list.names.length; i++) {
    const dir = list.dirs[list.dirIndexes[i]!] ?? '';
    yield dir === '' ? list.names[i]! : `${dir}/${list.names[i]!}`;
  }
}
