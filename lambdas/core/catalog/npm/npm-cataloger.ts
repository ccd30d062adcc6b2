import type { FileHistory, SquashedView } from '../../image/squashed-view.ts';
import { toLanguagePackage } from '../language-package.ts';
import { collectFromDatabases, type PackageCataloger } from '../package-cataloger.ts';
import { npmAnalyzer } from './npm-analyzer.ts';
import { appDirectoryOf, joinPath } from './npm-path.ts';
import type { NpmFile, NpmRecord } from './npm-record.ts';
import { markYarnDev } from './yarn-dev.ts';

/**
 * npm packages: every installed package (its own package.json under node_modules, one per install
 * path) plus what application lockfiles list that is not installed beside them. A lockfile entry
 * whose copy is installed is reported once, as the installed copy.
 */
export const npmCataloger: PackageCataloger<NpmFile> = {
  ...npmAnalyzer,
  collect: (view, context) => {
    const installed = installedByApp(view);
    const visible = new WeakMap<NpmFile, readonly NpmRecord[]>();
    // entries() runs for every record's layer-of-origin check too, so each file is worked out once.
    const entries = (file: NpmFile): readonly NpmRecord[] => {
      let records = visible.get(file);
      if (!records) visible.set(file, (records = visibleRecords(file, view, installed)));
      return records;
    };
    return collectFromDatabases(view, context, {
      analyzer: npmAnalyzer.name,
      entries,
      sameInstall: (a: NpmRecord, b: NpmRecord) => a.name === b.name && a.version === b.version && a.namespace === b.namespace && a.path === b.path,
      toPackage: (record, location) => toLanguagePackage(record, location, npmAnalyzer.name, 'npm'),
    });
  },
};

function visibleRecords(file: NpmFile, view: SquashedView, installed: ReadonlyMap<string, ReadonlySet<string>>): readonly NpmRecord[] {
  switch (file.kind) {
    case 'installed':
    case 'manifest':
      return file.packages;
    case 'package-lock':
      return file.packages.filter((record) => !record.installedAt || resultAt(view.lookup(record.installedAt))?.kind !== 'installed');
    case 'yarn-lock': {
      const app = resultAt(view.lookup(joinPath(file.directory, 'package.json')));
      const records = markYarnDev(file.packages, app?.kind === 'manifest' ? app : undefined);
      return notInstalled(records, installed.get(file.directory));
    }
    case 'pnpm-lock':
      return notInstalled(file.packages, installed.get(file.directory));
  }
}

function notInstalled(records: readonly NpmRecord[], installed: ReadonlySet<string> | undefined): readonly NpmRecord[] {
  return installed ? records.filter((record) => !installed.has(keyOf(record))) : records;
}

/** For each application directory, name@version of every package installed under its node_modules. */
function installedByApp(view: SquashedView): Map<string, Set<string>> {
  const byApp = new Map<string, Set<string>>();
  for (const history of view.filesFor(npmAnalyzer.name)) {
    const file = resultAt(history);
    if (file?.kind !== 'installed') continue;
    const app = appDirectoryOf(history.path);
    const keys = byApp.get(app) ?? new Set<string>();
    for (const record of file.packages) keys.add(keyOf(record));
    byApp.set(app, keys);
  }
  return byApp;
}

function keyOf(record: NpmRecord): string {
  return `${record.namespace ? `${record.namespace}/` : ''}${record.name}@${record.version}`;
}

function resultAt(history: FileHistory | undefined): NpmFile | undefined {
  return history?.versions[0]?.results[npmAnalyzer.name] as NpmFile | undefined;
}
