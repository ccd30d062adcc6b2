import { collectLanguagePackages, type LanguageFile } from '../language-package.ts';
import type { PackageCataloger } from '../package-cataloger.ts';
import { composerInstalledAnalyzer } from './composer-installed-analyzer.ts';

/** PHP packages Composer installed, from each vendor directory's installed.json. */
export const phpCataloger: PackageCataloger<LanguageFile> = {
  ...composerInstalledAnalyzer,
  collect: (view, context) => collectLanguagePackages(view, context, composerInstalledAnalyzer.name, 'composer'),
};
