import type { CapturedFile, FileAnalyzer, IssueSink } from '../file-analyzer.ts';
import type { FileList } from '../file-list.ts';

/** A package as apk's installed database records it. */
export interface ApkRecord {
  readonly name: string;
  readonly version: string;
  readonly architecture?: string;
  /** The aport it was built from (`o:`), i.e. its source package. */
  readonly origin?: string;
  readonly files: FileList;
}

export interface ApkDatabaseFile {
  readonly packages: readonly ApkRecord[];
}

export const APK_INSTALLED = 'lib/apk/db/installed';
/** Where apk-tools 3 and apko (Wolfi, Chainguard: a merged /usr) keep the same database. */
export const APK_INSTALLED_USR = 'usr/lib/apk/db/installed';

/**
 * Parses apk's installed database: stanzas of `X:value` lines separated by blank lines. `F:` opens a
 * directory and the `R:` lines after it are its files. A damaged stanza is skipped with a warning;
 * the packages around it are kept.
 */
export function parseApkDatabase(file: CapturedFile, issues: IssueSink): ApkDatabaseFile {
  const packages: ApkRecord[] = [];
  let stanza: StanzaBuilder | undefined;
  let lineNumber = 0;
  const finish = (): void => {
    if (stanza) {
      const record = stanza.build(issues);
      if (record) packages.push(record);
    }
    stanza = undefined;
  };
  for (const line of new TextDecoder('utf-8').decode(file.bytes).split('\n')) {
    lineNumber++;
    if (line.trim() === '') {
      finish();
      continue;
    }
    stanza ??= new StanzaBuilder(lineNumber);
    if (line.length < 2 || line[1] !== ':') {
      stanza.damage(`line ${lineNumber} is not a field (${JSON.stringify(line.slice(0, 40))})`);
      continue;
    }
    stanza.field(line[0]!, line.slice(2));
  }
  finish();
  return { packages };
}

class StanzaBuilder {
  private readonly fields = new Map<string, string>();
  private readonly dirs: string[] = [];
  private readonly names: string[] = [];
  private readonly dirIndexes: number[] = [];
  private problem: string | undefined;

  constructor(private readonly firstLine: number) {}

  field(key: string, value: string): void {
    if (key === 'F') {
      this.dirs.push(value.replace(/^\/+|\/+$/g, ''));
    } else if (key === 'R') {
      if (this.dirs.length === 0) return this.damage(`file ${JSON.stringify(value)} is listed before any directory`);
      this.names.push(value);
      this.dirIndexes.push(this.dirs.length - 1);
    } else if (!this.fields.has(key)) {
      this.fields.set(key, value);
    }
  }

  damage(problem: string): void {
    this.problem ??= problem;
  }

  build(issues: IssueSink): ApkRecord | undefined {
    const name = this.fields.get('P');
    const version = this.fields.get('V');
    const where = `the stanza at line ${this.firstLine}${name ? ` (package ${name})` : ''}`;
    if (this.problem) {
      issues.warn(`${where} is damaged and was skipped: ${this.problem}`);
      return undefined;
    }
    if (!name || !version) {
      issues.warn(`${where} has no ${name ? 'V:' : 'P:'} line and was skipped`);
      return undefined;
    }
    const architecture = this.fields.get('A');
    const origin = this.fields.get('o');
    return {
      name,
      version,
      ...(architecture ? { architecture } : {}),
      ...(origin ? { origin } : {}),
      files: { dirs: this.dirs, names: this.names, dirIndexes: this.dirIndexes },
    };
  }
}

export const apkDatabaseAnalyzer: Pick<FileAnalyzer<ApkDatabaseFile>, 'name' | 'version' | 'patterns' | 'parse'> = {
  name: 'apk',
  version: 2,
  patterns: [APK_INSTALLED, APK_INSTALLED_USR],
  parse: parseApkDatabase,
};
