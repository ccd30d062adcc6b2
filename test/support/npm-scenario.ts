import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { z } from 'zod';
import { repoRoot, testCacheDir } from './paths.ts';

/** The pinned npm of devDependencies, not whatever npm is on PATH. */
const NPM_CLI = join(repoRoot, 'node_modules', 'npm', 'bin', 'npm-cli.js');
/** npm 6 is the last to write lockfileVersion 1; it runs on Node 20. */
const NPM6 = 'npm@6.14.18';
const QUIET = ['--ignore-scripts', '--no-audit', '--no-fund', '--no-update-notifier'];

const npm = (cwd: string, args: readonly string[]): string =>
  execFileSync(process.execPath, [NPM_CLI, ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 240_000, maxBuffer: 64 * 1024 * 1024 });

/**
 * The dependencies of the scenario app. Aliases: string-width-cjs holds string-width@4 beside the real
 * string-width@5, and the folder `lodash` holds lodash.get. Local tarballs: prod-lib and dev-lib
 * both need ms@2.0.0 while the app needs ms@2.1.3, so ms@2.0.0 is nested under each, production at
 * one path and dev at the other; the workspace ws-a nests a third copy.
 */
const dependencies = { 'string-width-cjs': 'npm:string-width@^4.2.0', 'string-width': '5.1.2', lodash: 'npm:lodash.get@4.4.2', ms: '2.1.3', 'prod-lib': 'file:prod-lib-1.0.0.tgz' };
const devDependencies = { 'dev-lib': 'file:dev-lib-1.0.0.tgz' };

export interface NpmScenario {
  /** The app installed by npm 11 (workspaces, node_modules, package-lock.json v3). */
  readonly installed: string;
  /** The same app without workspaces, locked by npm 6 (package-lock.json v1, no node_modules). */
  readonly v1: string;
}

/** Builds the scenario once into the test cache (one npm install, one npm 6 lock) and reuses it. */
export function npmScenario(): NpmScenario {
  const dir = testCacheDir('npm-scenario');
  if (!existsSync(`${dir}/.built`)) build(dir);
  return { installed: `${dir}/installed`, v1: `${dir}/v1` };
}

function build(dir: string): void {
  const staging = `${dir}.staging-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  const app = `${staging}/installed`;
  mkdirSync(`${app}/packages/ws-a`, { recursive: true });
  for (const lib of ['prod-lib', 'dev-lib']) {
    const source = `${staging}/src/${lib}`;
    writeJson(`${source}/package.json`, { name: lib, version: '1.0.0', dependencies: { ms: '2.0.0' } });
    npm(source, ['pack', '--pack-destination', app, '--silent']);
  }
  writeJson(`${app}/packages/ws-a/package.json`, { name: 'ws-a', version: '0.1.0', dependencies: { ms: '2.0.0' } });
  writeJson(`${app}/package.json`, { name: 'scenario', version: '1.0.0', private: true, workspaces: ['packages/*'], dependencies, devDependencies });
  npm(app, ['install', ...QUIET]);
  // npm 6 knows no workspaces; the rest of the app is the same.
  const v1 = `${staging}/v1`;
  mkdirSync(v1, { recursive: true });
  for (const lib of ['prod-lib', 'dev-lib']) cpSync(`${app}/${lib}-1.0.0.tgz`, `${v1}/${lib}-1.0.0.tgz`);
  writeJson(`${v1}/package.json`, { name: 'scenario', version: '1.0.0', private: true, dependencies, devDependencies });
  npm(v1, ['exec', '--yes', `--package=${NPM6}`, '--', 'npm', 'install', '--package-lock-only', '--ignore-scripts', '--no-audit']);
  rmSync(`${staging}/src`, { recursive: true, force: true });
  writeFileSync(`${staging}/.built`, '');
  mkdirSync(dirname(dir), { recursive: true });
  rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
}

function writeJson(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

interface LsNode {
  readonly name?: string;
  readonly version?: string;
  readonly path?: string;
  readonly dev?: boolean;
  readonly resolved?: string;
  readonly dependencies?: Readonly<Record<string, LsNode>>;
}

const lsNode: z.ZodType<LsNode> = z.lazy(() =>
  z.looseObject({
    name: z.string().optional(),
    version: z.string().optional(),
    path: z.string().optional(),
    dev: z.boolean().optional(),
    resolved: z.string().optional(),
    dependencies: z.record(z.string(), lsNode).optional(),
  }),
);

/** One install location as npm ls describes it, the install path relative to the app. */
export interface NpmLsInstall {
  readonly name: string;
  readonly version: string;
  readonly location: string;
  readonly dev: boolean;
  /** The folder name when it is not the package's (npm ls keys a node by folder, names it by package). */
  readonly alias?: string;
  readonly resolved?: string;
}

/**
 * Every install location `npm ls --all --json --long` lists, once each (a deduped reference has the
 * same path). A workspace link (node_modules/ws-a → packages/ws-a) is the app's own code, not a
 * dependency, so it is left out; what the workspace depends on is not. `lockOnly` asks npm to read
 * the lockfile alone, as for an app whose node_modules is not in the image.
 */
export function npmLsLocations(dir: string, lockOnly = false): NpmLsInstall[] {
  const output = npm(dir, ['ls', '--all', '--json', '--long', ...(lockOnly ? ['--package-lock-only'] : [])]);
  const installs = new Map<string, NpmLsInstall>();
  const visit = (node: LsNode): void => {
    for (const [key, child] of Object.entries(node.dependencies ?? {})) {
      if (!child.version || !child.path || !child.name) throw new Error(`npm ls lists ${key} without name, version or path`);
      const location = relative(dir, child.path);
      if (!lockOnly && lstatSync(child.path).isSymbolicLink()) {
        visit(child);
        continue;
      }
      installs.set(location, {
        name: child.name,
        version: child.version,
        location,
        dev: child.dev === true,
        ...(key === child.name ? {} : { alias: key }),
        ...(child.resolved ? { resolved: child.resolved } : {}),
      });
      visit(child);
    }
  };
  visit(lsNode.parse(JSON.parse(output)));
  return [...installs.values()];
}
