import { baseName, joinPath, parentPath } from './image-path.ts';

const WHITEOUT_PREFIX = '.wh.';
const OPAQUE_MARKER = '.wh..wh..opq';
const AUFS_METADATA_PREFIX = '.wh..wh.';

/** What an entry name means under the OCI whiteout convention. */
export type WhiteoutMeaning =
  | { kind: 'none' }
  | { kind: 'delete'; target: string } // `.wh.NAME`: NAME is deleted from lower layers
  | { kind: 'opaque'; directory: string } // `.wh..wh..opq`: lower layers' content of the directory is hidden
  | { kind: 'ignore' }; // other AUFS bookkeeping (`.wh..wh.plnk`), never part of the filesystem

export function whiteoutMeaning(path: string): WhiteoutMeaning {
  const name = baseName(path);
  if (!name.startsWith(WHITEOUT_PREFIX)) return { kind: 'none' };
  if (name === OPAQUE_MARKER) return { kind: 'opaque', directory: parentPath(path) };
  if (name.startsWith(AUFS_METADATA_PREFIX)) return { kind: 'ignore' };
  const target = name.slice(WHITEOUT_PREFIX.length);
  if (target === '' || target === '.' || target === '..') return { kind: 'ignore' };
  return { kind: 'delete', target: joinPath(parentPath(path), target) };
}
