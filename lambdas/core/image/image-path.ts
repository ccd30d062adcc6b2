import { CustomsError } from '../errors.ts';

/**
 * Paths inside an image are kept relative to its root, without leading slash or `.` segments:
 * `etc/os-release`. The root itself is the empty string.
 */

/**
 * Normalises a tar entry name. A leading `/` is dropped (runtimes extract absolute names below the
 * root too); `..` segments are resolved, and one that would climb above the root is refused, since
 * a runtime refuses to extract such an entry.
 */
export function normalizeEntryPath(name: string, what = 'tar entry'): string {
  const segments: string[] = [];
  for (const segment of name.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (segments.length === 0) throw new CustomsError('unsafe', `${what} ${JSON.stringify(name)} escapes the image root`);
      segments.pop();
    } else {
      segments.push(segment);
    }
  }
  return segments.join('/');
}

/**
 * Resolves a symlink target against the directory holding the link, the way the kernel does inside a
 * container's root: absolute targets start at the image root and `..` never climbs above it.
 */
export function resolveSymlinkTarget(linkPath: string, target: string): string {
  const base = target.startsWith('/') ? [] : parentSegments(linkPath);
  for (const segment of target.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') base.pop();
    else base.push(segment);
  }
  return base.join('/');
}

export function parentPath(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function joinPath(directory: string, name: string): string {
  return directory === '' ? name : `${directory}/${name}`;
}

/** Proper ancestors of a path, nearest to the root first: `a/b/c` → `a`, `a/b`. */
export function* ancestorsOf(path: string): Generator<string> {
  let slash = path.indexOf('/');
  while (slash >= 0) {
    yield path.slice(0, slash);
    slash = path.indexOf('/', slash + 1);
  }
}

function parentSegments(path: string): string[] {
  const parent = parentPath(path);
  return parent === '' ? [] : parent.split('/');
}
