import { releaseFilesAnalyzer } from '../distro/release-files-analyzer.ts';
import { apkCataloger } from './apk/apk-cataloger.ts';
import { dpkgCataloger } from './dpkg/dpkg-cataloger.ts';
import { dotnetCataloger } from './dotnet/dotnet-cataloger.ts';
import { goBinaryCataloger } from './golang/go-binary-cataloger.ts';
import { javaCataloger } from './java/java-cataloger.ts';
import { npmCataloger } from './npm/npm-cataloger.ts';
import { dpkgFileListsAnalyzer } from './ownership/dpkg-file-lists-analyzer.ts';
import { phpCataloger } from './php/php-cataloger.ts';
import { pythonCataloger } from './python/python-cataloger.ts';
import { rubyCataloger } from './ruby/ruby-cataloger.ts';
import { rustAuditableCataloger } from './rust/rust-auditable-cataloger.ts';
import { rpmCataloger } from './rpm/rpm-cataloger.ts';
import type { FileAnalyzer } from './file-analyzer.ts';
import type { PackageCataloger } from './package-cataloger.ts';

/** Every package cataloger Customs runs, one per ecosystem. */
export const defaultCatalogers: readonly PackageCataloger[] = [
  dpkgCataloger as PackageCataloger,
  rpmCataloger as PackageCataloger,
  apkCataloger as PackageCataloger,
  goBinaryCataloger as PackageCataloger,
  rustAuditableCataloger as PackageCataloger,
  npmCataloger as PackageCataloger,
  pythonCataloger as PackageCataloger,
  javaCataloger as PackageCataloger,
  rubyCataloger as PackageCataloger,
  phpCataloger as PackageCataloger,
  dotnetCataloger as PackageCataloger,
];

/** Analyzers that read files without producing packages themselves. */
export const supportAnalyzers: readonly FileAnalyzer[] = [releaseFilesAnalyzer as FileAnalyzer, dpkgFileListsAnalyzer as FileAnalyzer];
