import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Maven coordinates as a pom.properties gives them. */
export interface MavenCoordinates {
  readonly group: string;
  readonly artifact: string;
  readonly version: string;
}

/** A jar a Debian package installed under /usr/share/java, read through its symlinks. */
export function debianJar(name: string): Uint8Array {
  return readFileSync(realpathSync(join('/usr/share/java', name)));
}

/** Every pom.properties in a jar as Info-ZIP's `unzip` reads it: the oracle our reader is checked against. */
export function pomPropertiesByUnzip(jar: string): MavenCoordinates[] {
  const names = execFileSync('unzip', ['-Z1', jar], { encoding: 'utf8' })
    .split('\n')
    .filter((name) => /^META-INF\/maven\/[^/]+\/[^/]+\/pom\.properties$/.test(name));
  return names.map((name) => {
    const text = execFileSync('unzip', ['-p', jar, name], { encoding: 'latin1' });
    const field = (key: string) => new RegExp(`^${key}=(.*)$`, 'm').exec(text)?.[1]?.trim() ?? '';
    return { group: field('groupId'), artifact: field('artifactId'), version: field('version') };
  });
}

/** Files to place in an archive: bytes, text, or a file to copy. */
export type ArchiveContent = Uint8Array | string | { readonly copyOf: string };

/** Builds an archive with Info-ZIP's `zip`, so nesting tests read archives a real tool wrote. */
export function zipWithCli(files: Readonly<Record<string, ArchiveContent>>, options: { store?: boolean; zip64?: boolean } = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'customs-zip-'));
  const tree = join(root, 'tree');
  for (const [path, content] of Object.entries(files)) {
    const target = join(tree, path);
    mkdirSync(dirname(target), { recursive: true });
    if (typeof content === 'object' && 'copyOf' in content) cpSync(content.copyOf, target, { dereference: true });
    else writeFileSync(target, content);
  }
  const archive = join(root, 'out.zip');
  execFileSync('zip', ['-q', '-r', '-X', ...(options.store ? ['-0'] : []), ...(options.zip64 ? ['-fz'] : []), archive, '.'], { cwd: tree });
  return archive;
}
