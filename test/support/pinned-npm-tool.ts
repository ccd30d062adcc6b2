import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { repoRoot, testCacheDir } from './paths.ts';

/**
 * A package manager pinned to an exact version but installed into the test cache on first use, not
 * from package.json: pnpm 12 lists platform binaries as optional dependencies that the registry
 * does not serve for every platform, which `npm install` skips but `npm ci` refuses. Returns the
 * absolute path of its entry script.
 */
export function pinnedNpmTool(name: string, version: string, entry: string): string {
  const dir = testCacheDir('tools', `${name}-${version}`);
  const script = join(dir, 'node_modules', name, entry);
  if (existsSync(script)) return script;
  const staging = `${dir}.staging-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const npm = join(repoRoot, 'node_modules', 'npm', 'bin', 'npm-cli.js');
  const args = ['install', '--prefix', staging, '--no-save', '--no-package-lock', '--ignore-scripts', '--no-audit', '--no-fund', '--no-update-notifier', `${name}@${version}`];
  execFileSync(process.execPath, [npm, ...args], { stdio: 'pipe', timeout: 240_000 });
  mkdirSync(dirname(dir), { recursive: true });
  rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
  return script;
}
