import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { TarInput } from './tar-writer.ts';

/** Lists a directory tree as tar entries (files, directories, symlinks), sorted for reproducible layers. */
export function directoryEntries(root: string, prefix = ''): TarInput[] {
  const entries: TarInput[] = [];
  const visit = (relative: string): void => {
    for (const name of readdirSync(join(root, relative)).sort()) {
      const path = relative ? `${relative}/${name}` : name;
      const full = join(root, path);
      const info = lstatSync(full);
      const inImage = prefix ? `${prefix}/${path}` : path;
      if (info.isSymbolicLink()) entries.push({ type: 'symlink', path: inImage, target: readlinkSync(full) });
      else if (info.isDirectory()) {
        entries.push({ type: 'dir', path: inImage });
        visit(path);
      } else if (info.isFile()) entries.push({ type: 'file', path: inImage, content: readFileSync(full) });
    }
  };
  visit('');
  return entries;
}
