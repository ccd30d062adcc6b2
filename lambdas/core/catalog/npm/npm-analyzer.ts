import type { CapturedFile, FileAnalyzer, IssueSink } from '../file-analyzer.ts';
import { appDirectoryOf, isUnderNodeModules, joinPath } from './npm-path.ts';
import type { NpmFile } from './npm-record.ts';
import { parsePackageJson } from './package-json.ts';
import { parsePackageLock } from './package-lock.ts';
import { parsePnpmLock } from './pnpm-lock.ts';
import { parseYarnLock } from './yarn-lock.ts';

/**
 * Files the npm cataloger reads. `**\/package.json` is deliberately broad: it takes every installed
 * package's own manifest (under any node_modules, global installs in usr/lib and usr/local/lib
 * included) and the application manifests that sit beside lockfiles, whose devDependencies decide
 * what yarn.lock entries are dev-only. A glob cannot say "a package's own manifest" or "next to a
 * lockfile", so parse() drops the rest (package.json in a package's subfolders) by path. The hidden
 * lockfile npm keeps in node_modules tells installed packages' dev flags when package-lock.json is absent.
 */
export const NPM_PATTERNS = ['**/package.json', '**/package-lock.json', '**/node_modules/.package-lock.json', '**/yarn.lock', '**/pnpm-lock.yaml'] as const;

/** Lockfiles inside node_modules belong to a dependency's own development, not to what is installed. */
export function parseNpmFile(file: CapturedFile, issues: IssueSink): NpmFile | undefined {
  const name = file.path.slice(file.path.lastIndexOf('/') + 1);
  if (name === 'package.json') return parsePackageJson(file, issues);
  if (name === '.package-lock.json') return parseHiddenLockfile(file, issues);
  if (isUnderNodeModules(file.path)) return undefined;
  if (name === 'package-lock.json') return parsePackageLock(file, issues);
  if (name === 'yarn.lock') return parseYarnLock(file, issues);
  if (name === 'pnpm-lock.yaml') return parsePnpmLock(file, issues);
  return undefined;
}

/**
 * npm's hidden lockfile, `app/node_modules/.package-lock.json`: what npm wrote about the tree it
 * installed, keyed relative to `app`. Only an app's own (its first node_modules) is one; the cataloger
 * reads it for installed packages' dev flags.
 */
function parseHiddenLockfile(file: CapturedFile, issues: IssueSink): NpmFile | undefined {
  const app = appDirectoryOf(file.path);
  if (file.path !== joinPath(app, 'node_modules/.package-lock.json')) return undefined;
  return parsePackageLock(file, issues, app);
}

export const npmAnalyzer: Pick<FileAnalyzer<NpmFile>, 'name' | 'version' | 'patterns' | 'parse'> = {
  name: 'npm',
  version: 2,
  patterns: NPM_PATTERNS,
  parse: parseNpmFile,
};
