import { baseName, joinPath, parentPath } from '../../image/image-path.ts';
import type { SquashedView } from '../../image/squashed-view.ts';
import type { PackageOwner } from '../../sbom/model.ts';
import { rootRelative } from './dpkg-file-lists-analyzer.ts';
import type { OwnerFileList } from './owner-file-lists.ts';

/**
 * The owner of each wanted path (root-relative, as layer paths are written). File lists are streamed
 * and only wanted paths are kept, so the index is as large as the set of language packages, not the
 * tens of thousands of paths an OS installs. A listed directory is resolved through the image's
 * symlinks (`/lib` → `usr/lib` on merged-/usr systems) and its `..` segments (rpm dirnames are not
 * trusted), once per directory; the last component is compared as listed, as dpkg -S does.
 */
export function ownedPaths(view: SquashedView, lists: Iterable<OwnerFileList>, wanted: ReadonlySet<string>, warn: (message: string) => void): Map<string, PackageOwner> {
  const wantedNames = new Set([...wanted].map(baseName));
  const realDirs = new Map<string, string>();
  const candidates = new Map<string, PackageOwner[]>();
  for (const { owner, paths } of lists) {
    for (const listed of paths) {
      const name = baseName(listed);
      if (!wantedNames.has(name)) continue;
      const dir = parentPath(listed);
      let real = realDirs.get(dir);
      if (real === undefined) {
        real = view.resolve(dir) ?? rootRelative(dir);
        realDirs.set(dir, real);
      }
      const path = joinPath(real, name);
      if (!wanted.has(path)) continue;
      const owners = candidates.get(path) ?? [];
      if (!owners.some((other) => other.id === owner.id)) owners.push(owner);
      candidates.set(path, owners);
    }
  }
  const index = new Map<string, PackageOwner>();
  for (const [path, owners] of [...candidates].sort(([a], [b]) => (a < b ? -1 : 1))) {
    owners.sort(compareOwners);
    index.set(path, owners[0]!);
    if (owners.length > 1) warn(`${path} is listed by ${owners.length} installed packages (${owners.map((owner) => `${owner.type} ${owner.name}`).join(', ')}); ${owners[0]!.name} is recorded as its owner`);
  }
  return index;
}

function compareOwners(a: PackageOwner, b: PackageOwner): number {
  const left = `${a.type}\0${a.name}\0${a.id}`;
  const right = `${b.type}\0${b.name}\0${b.id}`;
  return left < right ? -1 : left > right ? 1 : 0;
}
