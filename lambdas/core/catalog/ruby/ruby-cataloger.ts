import { collectLanguagePackages, type LanguageFile } from '../language-package.ts';
import type { PackageCataloger } from '../package-cataloger.ts';
import { gemspecAnalyzer } from './gemspec-analyzer.ts';

/** Ruby gems installed by RubyGems or by Debian's ruby-* packages, from their gemspecs. */
export const rubyCataloger: PackageCataloger<LanguageFile> = {
  ...gemspecAnalyzer,
  collect: (view, context) => collectLanguagePackages(view, context, gemspecAnalyzer.name, 'gem'),
};
