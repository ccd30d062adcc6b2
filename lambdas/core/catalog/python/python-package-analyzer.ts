import { messageOf } from '../../errors.ts';
import type { CapturedFile, FileAnalyzer, IssueSink } from '../file-analyzer.ts';
import type { LanguageFile } from '../language-package.ts';
import { DEFAULT_ZIP_LIMITS, ZipBudget } from '../zip/zip-budget.ts';
import { listZipEntries, readZipEntry } from '../zip/zip-reader.ts';
import { readMetadataHeaders } from './core-metadata.ts';
import { isDistributionMetadata } from './metadata-directory.ts';
import { normalizePypiName } from './pypi-name.ts';

const INSTALL_DIRS = ['site-packages', 'dist-packages'];

/**
 * Installed distributions the way `importlib.metadata` finds them in an import directory:
 * `X.dist-info/METADATA`, `X.egg-info/PKG-INFO` (the suffix in any case, so every entry's METADATA
 * and PKG-INFO are captured and narrowed in parse), and `X.egg-info` written as a single file (as
 * distutils and Debian's packaging of it do); plus eggs as easy_install left them, zipped
 * (`X.egg`, metadata in `EGG-INFO/PKG-INFO`) or unzipped (`X.egg/EGG-INFO/PKG-INFO`).
 */
export const PYTHON_PATTERNS: readonly string[] = INSTALL_DIRS.flatMap((dir) => [
  `**/${dir}/*/METADATA`,
  `**/${dir}/*/PKG-INFO`,
  `**/${dir}/*.egg-info`,
  `**/${dir}/*.EGG-INFO`,
  `**/${dir}/*.egg`,
  `**/${dir}/*.egg/EGG-INFO/PKG-INFO`,
]);

const EGG_METADATA = 'EGG-INFO/PKG-INFO';
const UNZIPPED_EGG = /\.egg\/EGG-INFO\/PKG-INFO$/;
// An egg is opened for one small file: no nested archives, and a small inflate budget.
const EGG_LIMITS = { ...DEFAULT_ZIP_LIMITS, maxDepth: 0, maxTotalBytes: 16 * 1024 * 1024 };

/** One distribution from one metadata file; missing Name or Version is a warning, never a throw. */
export function parsePythonMetadata(file: CapturedFile, issues: IssueSink): LanguageFile | undefined {
  // `pkg/METADATA` in an install directory is some package's data file, not a distribution's metadata.
  if (/\/(?:METADATA|PKG-INFO)$/.test(file.path) && !UNZIPPED_EGG.test(file.path) && !isDistributionMetadata(file.path)) return undefined;
  const text = file.path.endsWith('.egg') ? eggMetadata(file, issues) : new TextDecoder('utf-8').decode(file.bytes);
  if (text === undefined) return undefined;
  const headers = readMetadataHeaders(text);
  const name = headers.get('name');
  const version = headers.get('version');
  if (!name || !version) {
    const missing = [name ? undefined : 'Name', version ? undefined : 'Version'].filter(Boolean).join(' and ');
    issues.warn(`has no ${missing} header; the distribution was skipped`);
    return undefined;
  }
  return { packages: [{ name: normalizePypiName(name), version, displayName: name }] };
}

/** PKG-INFO from inside a zipped egg; a damaged zip is a warning. */
function eggMetadata(file: CapturedFile, issues: IssueSink): string | undefined {
  try {
    const budget = new ZipBudget(EGG_LIMITS);
    const entry = listZipEntries(file.bytes, budget, file.path).find((candidate) => candidate.name === EGG_METADATA);
    if (!entry) {
      issues.warn(`is an egg without ${EGG_METADATA}; skipped`);
      return undefined;
    }
    return new TextDecoder('utf-8').decode(readZipEntry(file.bytes, entry, budget));
  } catch (error) {
    issues.warn(`is not a readable egg: ${messageOf(error)}`);
    return undefined;
  }
}

export const pythonPackageAnalyzer: Pick<FileAnalyzer<LanguageFile>, 'name' | 'version' | 'patterns' | 'parse'> = {
  name: 'python',
  version: 3,
  patterns: PYTHON_PATTERNS,
  parse: parsePythonMetadata,
};
