import type { CapturedFile, FileAnalyzer, IssueSink } from '../file-analyzer.ts';
import type { LanguageFile } from '../language-package.ts';
import { composerRecords } from './composer-installed.ts';

/** Composer's record of what it installed into a project's vendor directory. */
export function parseComposerInstalled(file: CapturedFile, issues: IssueSink): LanguageFile | undefined {
  let document: unknown;
  try {
    document = JSON.parse(new TextDecoder('utf-8').decode(file.bytes));
  } catch (error) {
    issues.warn(`is not valid JSON (${error instanceof Error ? error.message : String(error)}); nothing was read`);
    return undefined;
  }
  const packages = composerRecords(document, issues);
  return packages.length > 0 ? { packages } : undefined;
}

export const composerInstalledAnalyzer: Pick<FileAnalyzer<LanguageFile>, 'name' | 'version' | 'patterns' | 'parse'> = {
  name: 'composer',
  version: 1,
  patterns: ['**/vendor/composer/installed.json'],
  parse: parseComposerInstalled,
};
