import type { FileHistory, SquashedView } from '../../image/squashed-view.ts';
import { toLanguagePackage } from '../language-package.ts';
import { collectFromDatabases, type PackageCataloger } from '../package-cataloger.ts';
import { isHiddenLockfile, lockEntriesByInstallPath, withLockDev } from './installed-dev.ts';
import { npmAnalyzer } from './npm-analyzer.ts';
import { appDirectoryOf, joinPath } from './npm-path.ts';
import type { NpmFile, NpmRecord } from './npm-record.ts';
import { markYarnDev } from './yarn-dev.ts';

/**
 * npm packages: every installed package (its own package.json under node_modules, one per install
 * path) plus what application lockfiles list that is not installed beside them. A lockfile entry
 * whose copy is installed is reported once, as the installed copy, which takes the lock's dev flag.
 */
export const npmCataloger: PackageCataloger<NpmFile> = {
  ...npmAnalyzer,
  collect: (view, context) => {
    const tree = readTree(view);
    // entries() runs for every record's layer-of-origin check too, so each file is worked out once.
    const visible = new WeakMap<NpmFile, readonly NpmRecord[]>();
    const entries = (file: NpmFile): readonly NpmRecord[] => {
      let records = visible.get(file);
      if (!records) visible.set(file, (records = visibleRecords(file, view, tree)));
      return records;
    };
    return collectFromDatabases(view, context, {
      analyzer: npmAnalyzer.name,
      // The hidden lockfile only describes what is installed: it lends dev flags and lists nothing.
      choose: (files) => files.filter((history) => !isHiddenLockfile(history.path)),
      entries,
      sameInstall: (a: NpmRecord, b: NpmRecord) => a.name === b.name && a.version === b.version && a.namespace === b.namespace && a.path === b.path && a.alias === b.alias,
      toPackage: (record, location) => toLanguagePackage(record, location, npmAnalyzer.name, 'npm'),
    });
  },
};

interface Tree {
  /** For each application directory, name@version (and alias@version) of every package installed under its node_modules. */
  readonly installed: ReadonlyMap<string, ReadonlySet<string>>;
  /** The path of every parsed version of every file, since an installed manifest's records do not carry it. */
  readonly pathOf: WeakMap<NpmFile, string>;
  readonly locked: ReadonlyMap<string, NpmRecord>;
}

function visibleRecords(file: NpmFile, view: SquashedView, tree: Tree): readonly NpmRecord[] {
  switch (file.kind) {
    case 'installed': {
      const path = tree.pathOf.get(file);
      return path === undefined ? file.packages : file.packages.map((record) => withLockDev(record, path, tree.locked));
    }
    case 'manifest':
      return file.packages;
    case 'package-lock':
      return file.packages.filter((record) => !record.installedAt || resultAt(view.lookup(record.installedAt))?.kind !== 'installed');
    case 'yarn-lock': {
      const app = resultAt(view.lookup(joinPath(file.directory, 'package.json')));
      const records = markYarnDev(file.packages, app?.kind === 'manifest' ? app : undefined);
      return notInstalled(records, tree.installed.get(file.directory));
    }
    case 'pnpm-lock':
      return notInstalled(file.packages, tree.installed.get(file.directory));
  }
}

function notInstalled(records: readonly NpmRecord[], installed: ReadonlySet<string> | undefined): readonly NpmRecord[] {
  return installed ? records.filter((record) => !installed.has(keyOf(record))) : records;
}

function readTree(view: SquashedView): Tree {
  const installed = new Map<string, Set<string>>();
  const pathOf = new WeakMap<NpmFile, string>();
  const lockfiles: Array<{ history: FileHistory; file: NpmFile }> = [];
  for (const history of view.filesFor(npmAnalyzer.name)) {
    for (const version of history.versions) {
      const result = version.results[npmAnalyzer.name] as NpmFile | undefined;
      if (result) pathOf.set(result, history.path);
    }
    const file = resultAt(history);
    if (file?.kind === 'package-lock') lockfiles.push({ history, file });
    if (file?.kind !== 'installed') continue;
    const app = appDirectoryOf(history.path);
    const keys = installed.get(app) ?? new Set<string>();
    // A yarn or pnpm lockfile may name an alias by its folder or by its package: either is this copy.
    for (const record of file.packages) {
      keys.add(keyOf(record));
      if (record.alias) keys.add(`${record.alias}@${record.version}`);
    }
    installed.set(app, keys);
  }
  return { installed, pathOf, locked: lockEntriesByInstallPath(lockfiles) };
}

function keyOf(record: NpmRecord): string {
  return `${record.namespace ? `${record.namespace}/` : ''}${record.name}@${record.version}`;
}

function resultAt(history: FileHistory | undefined): NpmFile | undefined {
  return history?.versions[0]?.results[npmAnalyzer.name] as NpmFile | undefined;
}
