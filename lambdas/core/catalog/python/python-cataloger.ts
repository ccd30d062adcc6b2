import { collectLanguagePackages, type LanguageFile } from '../language-package.ts';
import type { PackageCataloger } from '../package-cataloger.ts';
import { pythonPackageAnalyzer } from './python-package-analyzer.ts';

/** Python distributions installed in site-packages or dist-packages directories. */
export const pythonCataloger: PackageCataloger<LanguageFile> = {
  ...pythonPackageAnalyzer,
  collect: (view, context) => collectLanguagePackages(view, context, pythonPackageAnalyzer.name, 'pypi'),
};
