import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { repoRoot, testCacheDir } from './paths.ts';

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
  const tree = treeOf(files);
  const archive = join(mkdtempSync(join(tmpdir(), 'customs-zip-')), 'out.zip');
  execFileSync('zip', ['-q', '-r', '-X', ...(options.store ? ['-0'] : []), ...(options.zip64 ? ['-fz'] : []), archive, '.'], { cwd: tree });
  return archive;
}

/** Whether every command runs and exits 0 with `--version`: the tools an oracle needs are installed. */
export function toolsRun(...commands: readonly string[]): boolean {
  return commands.every((command) => spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0);
}

/** Whether the JDK's `javac`, `java` and `jar` are on the PATH. */
export const jdkAvailable = (): boolean => toolsRun('javac', 'java', 'jar');

/** Writes files into a fresh directory and returns it. */
function treeOf(files: Readonly<Record<string, ArchiveContent>>): string {
  const tree = mkdtempSync(join(tmpdir(), 'customs-jar-tree-'));
  for (const [path, content] of Object.entries(files)) {
    const target = join(tree, path);
    mkdirSync(dirname(target), { recursive: true });
    if (typeof content === 'object' && 'copyOf' in content) cpSync(content.copyOf, target, { dereference: true });
    else writeFileSync(target, content);
  }
  return tree;
}

/**
 * Builds an archive with the JDK's `jar` tool, which writes the manifest itself (wrapping long
 * attributes at 72 bytes as java.util.jar does) from the given main attributes.
 */
export function jarWithTool(name: string, files: Readonly<Record<string, ArchiveContent>>, manifest: Readonly<Record<string, string>> = {}): string {
  const tree = treeOf(files);
  const out = join(mkdtempSync(join(tmpdir(), 'customs-jar-')), name);
  const manifestFile = join(dirname(out), 'manifest.txt');
  writeFileSync(manifestFile, Object.entries(manifest).map(([key, value]) => `${key}: ${value}\n`).join(''));
  execFileSync('jar', ['--create', '--file', out, '--manifest', manifestFile, '-C', tree, '.'], { stdio: ['ignore', 'ignore', 'inherit'] });
  return out;
}

/** One archive as the JDK reads it. */
export interface JdkArchiveView {
  /** Every entry named `pom.properties`, wherever it sits, as java.util.Properties loads it. */
  readonly pomProperties: ReadonlyArray<MavenCoordinates & { readonly entry: string }>;
  /** The manifest's main attributes as java.util.jar.Manifest parses them, keyed as the archive spells them. */
  readonly manifest: Readonly<Record<string, string>>;
}

/** Compiles JavaArchiveOracle.java once per source version, in the test cache. */
function compiledOracle(): string {
  const source = join(repoRoot, 'test', 'support', 'JavaArchiveOracle.java');
  const dir = testCacheDir('java-archive-oracle', createHash('sha256').update(readFileSync(source)).digest('hex').slice(0, 16));
  if (existsSync(join(dir, 'JavaArchiveOracle.class'))) return dir;
  const staging = `${dir}.${process.pid}`;
  mkdirSync(staging, { recursive: true });
  execFileSync('javac', ['-d', staging, source], { stdio: ['ignore', 'ignore', 'inherit'] });
  rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
  return dir;
}

const unescape = (value: string) => value.replace(/\\([\\tnr])/g, (_match, char: string) => ({ t: '\t', n: '\n', r: '\r' })[char] ?? char);

/** Reads archives with java.util.jar and java.util.Properties, in one JVM run: the oracle for coordinates. */
export function readArchivesWithJdk(paths: readonly string[]): Map<string, JdkArchiveView> {
  const output = execFileSync('java', ['-cp', compiledOracle(), 'JavaArchiveOracle', ...paths], { encoding: 'utf8' });
  const views = new Map(paths.map((path) => [path, { pomProperties: [] as Array<MavenCoordinates & { entry: string }>, manifest: {} as Record<string, string> }]));
  for (const line of output.split('\n').filter(Boolean)) {
    const [kind, path, ...fields] = line.split('\t');
    const view = views.get(path!);
    if (!view) throw new Error(`Java oracle named an archive it was not given: ${line}`);
    const [a, b, c, d] = fields.map(unescape);
    if (kind === 'properties') view.pomProperties.push({ entry: a!, group: b!, artifact: c!, version: d! });
    else view.manifest[a!] = b!;
  }
  return views;
}
