import type { CapturedFile, FileAnalyzer, IssueSink } from '../file-analyzer.ts';
import type { LanguageFile } from '../language-package.ts';
import { depsJsonRecords } from './deps-json.ts';

/** The dependency manifest the .NET host reads beside every application (`App.deps.json`). */
export function parseDepsJson(file: CapturedFile, issues: IssueSink): LanguageFile | undefined {
  let document: unknown;
  try {
    document = JSON.parse(new TextDecoder('utf-8').decode(file.bytes));
  } catch (error) {
    issues.warn(`is not valid JSON (${error instanceof Error ? error.message : String(error)}); nothing was read`);
    return undefined;
  }
  const packages = depsJsonRecords(document, issues);
  return packages.length > 0 ? { packages } : undefined;
}

export const depsJsonAnalyzer: Pick<FileAnalyzer<LanguageFile>, 'name' | 'version' | 'patterns' | 'parse'> = {
  name: 'dotnet',
  version: 1,
  patterns: ['**/*.deps.json'],
  parse: parseDepsJson,
};
