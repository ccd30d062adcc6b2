import type { CapturedFile, FileAnalyzer, IssueSink } from '../file-analyzer.ts';
import { isUnderNodeModules } from './npm-path.ts';
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
 * lockfile", so parse() drops the rest (package.json in a package's subfolders) by path.
 */
export const NPM_PATTERNS = ['**/package.json', '**/package-lock.json', '**/yarn.lock', '**/pnpm-lock.yaml'] as const;

/** Lockfiles inside node_modules belong to a dependency's own development, not to what is installed. */
export function parseNpmFile(file: CapturedFile, issues: IssueSink): NpmFile | undefined {
  const name = file.path.slice(file.path.lastIndexOf('/') + 1);
  if (name === 'package.json') return parsePackageJson(file, issues);
  if (isUnderNodeModules(file.path)) return undefined;
  if (name === 'package-lock.json') return parsePackageLock(file, issues);
  if (name === 'yarn.lock') return parseYarnLock(file, issues);
  if (name === 'pnpm-lock.yaml') return parsePnpmLock(file, issues);
  return undefined;
}

export const npmAnalyzer: Pick<FileAnalyzer<NpmFile>, 'name' | 'version' | 'patterns' | 'parse'> = {
  name: 'npm',
  version: 1,
  patterns: NPM_PATTERNS,
  parse: parseNpmFile,
};
