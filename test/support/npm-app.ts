import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { z } from 'zod';
import { testCacheDir } from './paths.ts';

/** An app whose tree nests duplicates: express@4.17.1 pulls debug@2.6.9 below a top-level debug@4.3.4. */
export const NPM_APP_PACKAGES = ['express@4.17.1', 'lodash@4.17.15', 'minimist@1.2.0', '@babel/code-frame@7.0.0', 'debug@4.3.4'];

/** Runs the real `npm install` once into the test cache and returns the app directory. */
export function installedNpmApp(): string {
  const dir = testCacheDir('npm-app');
  if (existsSync(`${dir}/.installed`)) return dir;
  const staging = `${dir}.staging-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  writeFileSync(`${staging}/package.json`, JSON.stringify({ name: 'customs-npm-app', version: '1.0.0', private: true }, null, 2));
  execFileSync('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--no-update-notifier', ...NPM_APP_PACKAGES], { cwd: staging, stdio: 'pipe', timeout: 240_000 });
  writeFileSync(`${staging}/.installed`, '');
  mkdirSync(dirname(dir), { recursive: true });
  rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
  return dir;
}

interface LsNode {
  readonly name?: string;
  readonly version?: string;
  readonly path?: string;
  readonly dependencies?: Readonly<Record<string, LsNode>>;
}

const lsNode: z.ZodType<LsNode> = z.lazy(() =>
  z.looseObject({ name: z.string().optional(), version: z.string().optional(), path: z.string().optional(), dependencies: z.record(z.string(), lsNode).optional() }),
);

/**
 * What `npm ls --all --json --long` says is installed, as `name@version <manifest path>` with the
 * path relative to the app (prefixed as in the image). A package listed again as a dedupe reference
 * has the same path, so each install counts once.
 */
export function npmLsInstalls(dir: string, prefix: string): string[] {
  const output = execFileSync('npm', ['ls', '--all', '--json', '--long'], { cwd: dir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const installs = new Set<string>();
  const visit = (node: LsNode): void => {
    for (const [key, child] of Object.entries(node.dependencies ?? {})) {
      if (!child.version || !child.path) throw new Error(`npm ls lists ${key} without version or path`);
      installs.add(`${child.name ?? key}@${child.version} ${prefix}/${relative(dir, child.path)}/package.json`);
      visit(child);
    }
  };
  visit(lsNode.parse(JSON.parse(output)));
  return [...installs].sort();
}
