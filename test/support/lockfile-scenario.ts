import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { repoRoot, testCacheDir } from './paths.ts';

/** What a package manager says about one package: its real name, version, dev-only, and the one other name it is installed under. */
export interface ToolPackage {
  readonly name: string;
  readonly version: string;
  readonly dev: boolean;
  readonly alias?: string;
}

/** The app both yarns and pnpm lock: an alias used alone (lodash → lodash.get), one beside its real name (string-width-cjs), shared and dev-only packages, a local tarball and a local directory. */
export const SCENARIO_MANIFEST = {
  name: 'root',
  version: '1.0.0',
  private: true,
  dependencies: { ms: '2.1.3', 'string-width-cjs': 'npm:string-width@^4.2.0', lodash: 'npm:lodash.get@4.4.2', 'wrap-ansi': '7.0.0' },
  devDependencies: { debug: '4.3.4', 'strip-ansi': '6.0.1', tarpkg: 'file:vendor/tarpkg-1.0.0.tgz', 'local-dir': 'file:local-dir' },
};

/** Runs a pinned tool from node_modules (a script path relative to the repository) with node. */
export function runTool(script: string, cwd: string, args: readonly string[], env: Readonly<Record<string, string>> = {}): string {
  return execFileSync(process.execPath, [resolve(repoRoot, script), ...args], { cwd, encoding: 'utf8', env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 240_000, maxBuffer: 64 * 1024 * 1024 });
}

export function writeJson(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** Writes the scenario app into a directory: manifest, the local directory package and the tarball packed by the pinned npm. */
export function writeScenarioApp(app: string): void {
  writeJson(`${app}/local-dir/package.json`, { name: 'local-dir', version: '2.0.0', dependencies: { 'is-odd': '3.0.1' } });
  const source = `${app}.tarpkg`;
  writeJson(`${source}/package.json`, { name: 'tarpkg', version: '1.0.0', dependencies: { 'is-number': '7.0.0' } });
  mkdirSync(`${app}/vendor`, { recursive: true });
  runTool('node_modules/npm/bin/npm-cli.js', source, ['pack', '--pack-destination', `${app}/vendor`, '--silent']);
  rmSync(source, { recursive: true, force: true });
  writeJson(`${app}/package.json`, SCENARIO_MANIFEST);
}

/**
 * A scenario built once into the test cache: `build` installs into `app` and returns what the tool
 * says is there, which is saved beside it, so later runs need neither the tool nor the network.
 */
export function cachedScenario(name: string, build: (app: string) => readonly ToolPackage[]): { app: string; expected: ToolPackage[] } {
  const dir = testCacheDir('lockfile-scenarios', name);
  if (!existsSync(`${dir}/expected.json`)) {
    const staging = `${dir}.staging-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(`${staging}/app`, { recursive: true });
    const expected = build(`${staging}/app`);
    writeJson(`${staging}/expected.json`, expected);
    mkdirSync(dirname(dir), { recursive: true });
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
  }
  return { app: `${dir}/app`, expected: z.array(toolPackage).parse(JSON.parse(readFileSync(`${dir}/expected.json`, 'utf8'))) };
}

const toolPackage = z.object({ name: z.string(), version: z.string(), dev: z.boolean(), alias: z.string().optional() });

/**
 * Merges what a tool lists per install (real name, version, the name it sits under) into one entry
 * per package and version, by the rule Customs reports: dev-only when absent from the production
 * listing, and an alias only when every install uses the same other name.
 */
export function byPackage(all: ReadonlyArray<{ name: string; version: string; installedAs: string }>, production: ReadonlySet<string>): ToolPackage[] {
  const names = new Map<string, Set<string>>();
  for (const { name, version, installedAs } of all) names.set(`${name}@${version}`, (names.get(`${name}@${version}`) ?? new Set<string>()).add(installedAs));
  return [...names].map(([key, installedAs]) => {
    const at = key.lastIndexOf('@');
    const [name, version] = [key.slice(0, at), key.slice(at + 1)];
    const [only] = installedAs;
    return { name, version, dev: !production.has(key), ...(installedAs.size === 1 && only !== name ? { alias: only } : {}) };
  });
}

/** Every package a node_modules tree holds, by its own package.json, with the folder it sits in. */
export function nodeModulesPackages(app: string): Array<{ name: string; version: string; installedAs: string }> {
  const found: Array<{ name: string; version: string; installedAs: string }> = [];
  const manifest = z.looseObject({ name: z.string(), version: z.string() });
  const visit = (nodeModules: string): void => {
    if (!existsSync(nodeModules)) return;
    for (const entry of readdirSync(nodeModules)) {
      if (entry.startsWith('.')) continue;
      const folders = entry.startsWith('@') ? readdirSync(join(nodeModules, entry)).map((name) => `${entry}/${name}`) : [entry];
      for (const folder of folders) {
        const { name, version } = manifest.parse(JSON.parse(readFileSync(join(nodeModules, folder, 'package.json'), 'utf8')));
        found.push({ name, version, installedAs: folder });
        visit(join(nodeModules, folder, 'node_modules'));
      }
    }
  };
  visit(join(app, 'node_modules'));
  return found;
}
