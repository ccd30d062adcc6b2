import { z } from 'zod';
import type { CapturedFile, FileAnalyzer, IssueSink } from '../file-analyzer.ts';
import type { LanguageFile } from '../language-package.ts';
import { readJson } from '../read-json.ts';
import { depsJsonRecords } from './deps-json.ts';

/** The dependency manifest the .NET host reads beside every application (`App.deps.json`). */
export function parseDepsJson(file: CapturedFile, issues: IssueSink): LanguageFile | undefined {
  const document = readJson(file.bytes, z.unknown(), issues);
  if (document === undefined) return undefined;
  const packages = depsJsonRecords(document, issues);
  return packages.length > 0 ? { packages } : undefined;
}

export const depsJsonAnalyzer: Pick<FileAnalyzer<LanguageFile>, 'name' | 'version' | 'patterns' | 'parse'> = {
  name: 'dotnet',
  version: 2,
  patterns: ['**/*.deps.json'],
  parse: parseDepsJson,
};
