import { collectLanguagePackages, type LanguageFile } from '../language-package.ts';
import type { PackageCataloger } from '../package-cataloger.ts';
import { depsJsonAnalyzer } from './deps-json-analyzer.ts';

/** NuGet packages .NET applications were built with, from their `.deps.json` manifests. */
export const dotnetCataloger: PackageCataloger<LanguageFile> = {
  ...depsJsonAnalyzer,
  collect: (view, context) => collectLanguagePackages(view, context, depsJsonAnalyzer.name, 'nuget'),
};
