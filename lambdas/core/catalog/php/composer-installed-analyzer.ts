import { z } from 'zod';
import type { CapturedFile, FileAnalyzer, IssueSink } from '../file-analyzer.ts';
import type { LanguageFile } from '../language-package.ts';
import { readJson } from '../read-json.ts';
import { composerRecords } from './composer-installed.ts';

/** Composer's record of what it installed into a project's vendor directory. */
export function parseComposerInstalled(file: CapturedFile, issues: IssueSink): LanguageFile | undefined {
  const document = readJson(file.bytes, z.unknown(), issues);
  if (document === undefined) return undefined;
  const packages = composerRecords(document, issues);
  return packages.length > 0 ? { packages } : undefined;
}

export const composerInstalledAnalyzer: Pick<FileAnalyzer<LanguageFile>, 'name' | 'version' | 'patterns' | 'parse'> = {
  name: 'composer',
  version: 1,
  patterns: ['**/vendor/composer/installed.json'],
  parse: parseComposerInstalled,
};
