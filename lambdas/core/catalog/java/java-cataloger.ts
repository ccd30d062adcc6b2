import { collectLanguagePackages } from '../language-package.ts';
import type { PackageCataloger } from '../package-cataloger.ts';
import { javaArchiveAnalyzer, type JavaArchiveFile } from './java-archive-analyzer.ts';

/** Maven packages from Java archives (jar, war, ear, par, Jenkins jpi/hpi), nested ones included. */
export const javaCataloger: PackageCataloger<JavaArchiveFile> = {
  ...javaArchiveAnalyzer,
  collect: (view, context) => collectLanguagePackages(view, context, javaArchiveAnalyzer.name, 'maven'),
};
