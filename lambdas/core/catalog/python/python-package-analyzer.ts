import type { CapturedFile, FileAnalyzer, IssueSink } from '../file-analyzer.ts';
import type { LanguageFile } from '../language-package.ts';
import { readMetadataHeaders } from './core-metadata.ts';
import { normalizePypiName } from './pypi-name.ts';

const INSTALL_DIRS = ['site-packages', 'dist-packages'];

/**
 * Installed distributions the way `importlib.metadata` finds them in an import directory:
 * `X.dist-info/METADATA`, `X.egg-info/PKG-INFO`, and `X.egg-info` written as a single file (as
 * distutils and Debian's packaging of it do). Zipped `.egg` files are not read.
 */
export const PYTHON_PATTERNS: readonly string[] = INSTALL_DIRS.flatMap((dir) => [`**/${dir}/*.dist-info/METADATA`, `**/${dir}/*.egg-info/PKG-INFO`, `**/${dir}/*.egg-info`]);

/** One distribution from one metadata file; missing Name or Version is a warning, never a throw. */
export function parsePythonMetadata(file: CapturedFile, issues: IssueSink): LanguageFile | undefined {
  const headers = readMetadataHeaders(new TextDecoder('utf-8').decode(file.bytes));
  const name = headers.get('name');
  const version = headers.get('version');
  if (!name || !version) {
    const missing = [name ? undefined : 'Name', version ? undefined : 'Version'].filter(Boolean).join(' and ');
    issues.warn(`has no ${missing} header; the distribution was skipped`);
    return undefined;
  }
  return { packages: [{ name: normalizePypiName(name), version, displayName: name }] };
}

export const pythonPackageAnalyzer: Pick<FileAnalyzer<LanguageFile>, 'name' | 'version' | 'patterns' | 'parse'> = {
  name: 'python',
  version: 1,
  patterns: PYTHON_PATTERNS,
  parse: parsePythonMetadata,
};
