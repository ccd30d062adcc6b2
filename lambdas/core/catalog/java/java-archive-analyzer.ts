import { isCustomsError, messageOf } from '../../errors.ts';
import { isExecutableFormat } from '../executable-format.ts';
import type { CapturedFile, FileAnalyzer, IssueSink } from '../file-analyzer.ts';
import type { LanguageFile, LanguageRecord } from '../language-package.ts';
import { archivePackages } from './archive-metadata.ts';
import type { ArchiveIdentity } from './archive-packages.ts';
import { isJavaArchiveName, isUnsafeEntryName } from './entry-name.ts';
import { DEFAULT_ZIP_LIMITS, ZipBudget, type ZipLimits } from '../zip/zip-budget.ts';
import { listZipEntries, readZipEntry, type ZipEntry } from '../zip/zip-reader.ts';

export type JavaArchiveFile = LanguageFile;

export const JAVA_ARCHIVE_PATTERNS = ['**/*.jar', '**/*.war', '**/*.ear', '**/*.par', '**/*.jpi', '**/*.hpi'] as const;

/**
 * Maven packages in a Java archive and every archive nested in it (a war's WEB-INF/lib, a Spring Boot
 * jar's BOOT-INF/lib, an ear's modules), read in memory. Never throws: damage is a warning naming
 * the archive, and a bomb stops the whole archive but keeps the packages found before it.
 */
export function parseJavaArchive(file: CapturedFile, issues: IssueSink, limits: ZipLimits = DEFAULT_ZIP_LIMITS): JavaArchiveFile | undefined {
  const walk = new ArchiveWalk(file.path, new ZipBudget(limits), issues);
  try {
    walk.read(file.bytes, { displayPath: file.path }, 0);
  } catch (error) {
    const found = walk.packages.length;
    issues.warn(`${file.path}: stopped reading the archive (${messageOf(error)}); kept the ${found} package${found === 1 ? '' : 's'} found before`);
  }
  return walk.packages.length > 0 ? { packages: walk.packages } : undefined;
}

/** Warnings one top-level archive may raise before the rest are summarised: a hostile archive can damage every entry. */
const MAX_WARNINGS = 20;

class ArchiveWalk {
  readonly packages: LanguageRecord[] = [];
  private warnedDepth = false;
  private warnings = 0;
  private readonly issues: IssueSink;

  constructor(
    topPath: string,
    private readonly budget: ZipBudget,
    sink: IssueSink,
  ) {
    this.issues = {
      warn: (message) => {
        this.warnings++;
        if (this.warnings <= MAX_WARNINGS) sink.warn(message);
        else if (this.warnings === MAX_WARNINGS + 1) sink.warn(`${topPath}: further warnings about this archive were suppressed`);
      },
    };
  }

  /** Reads one archive and recurses into its nested ones. Only `limit` errors escape, to stop everything. */
  read(bytes: Uint8Array, where: ArchiveIdentity, depth: number): void {
    this.budget.spendArchive(where.displayPath);
    let entries: ZipEntry[];
    try {
      entries = listZipEntries(bytes, this.budget, where.displayPath);
    } catch (error) {
      if (isCustomsError(error) && error.code === 'limit') throw error;
      this.issues.warn(`${where.displayPath}: not a readable zip archive (${messageOf(error)})`);
      return;
    }
    const usable = this.safeEntries(entries, where);
    this.addPackages(bytes, usable, where);
    for (const entry of usable) {
      if (!isJavaArchiveName(entry.name)) continue;
      if (depth + 1 > this.budget.limits.maxDepth) {
        if (!this.warnedDepth) this.issues.warn(`${where.displayPath}!/${entry.name}: archives nested more than ${this.budget.limits.maxDepth} deep were not opened`);
        this.warnedDepth = true;
        continue;
      }
      const content = this.entryContent(bytes, entry, where);
      const nestedPath = `${where.nestedPath ?? where.displayPath}!/${entry.name}`;
      if (content) this.read(content, { displayPath: nestedPath, nestedPath }, depth + 1);
    }
  }

  /** Files only, without the names that try to escape the archive (warned once per archive). */
  private safeEntries(entries: readonly ZipEntry[], where: ArchiveIdentity): ZipEntry[] {
    const unsafe = entries.filter((entry) => isUnsafeEntryName(entry.name));
    if (unsafe.length > 0) {
      this.issues.warn(`${where.displayPath}: skipped ${unsafe.length} entr${unsafe.length === 1 ? 'y' : 'ies'} whose name leaves the archive (first: ${JSON.stringify(unsafe[0]!.name.slice(0, 200))})`);
    }
    return entries.filter((entry) => !entry.name.endsWith('/') && !isUnsafeEntryName(entry.name));
  }

  /** The packages this archive's own metadata describes (see archivePackages). */
  private addPackages(bytes: Uint8Array, entries: readonly ZipEntry[], where: ArchiveIdentity): void {
    const byName = new Map<string, ZipEntry>();
    for (const entry of entries) if (!byName.has(entry.name)) byName.set(entry.name, entry);
    const archive = {
      names: [...byName.keys()],
      read: (name: string) => this.entryContent(bytes, byName.get(name)!, where),
    };
    this.packages.push(...archivePackages(archive, where, (message) => this.issues.warn(message)));
  }

  /** An entry's bytes, or undefined after a warning when that entry alone is damaged. */
  private entryContent(bytes: Uint8Array, entry: ZipEntry, where: ArchiveIdentity): Uint8Array | undefined {
    try {
      return readZipEntry(bytes, entry, this.budget);
    } catch (error) {
      if (isCustomsError(error) && error.code === 'limit') throw error;
      this.issues.warn(`${where.displayPath}!/${entry.name}: unreadable (${messageOf(error)})`);
      return undefined;
    }
  }
}

export const javaArchiveAnalyzer: Pick<FileAnalyzer<JavaArchiveFile>, 'name' | 'version' | 'patterns' | 'parse' | 'sniff'> = {
  name: 'java',
  version: 2,
  patterns: JAVA_ARCHIVE_PATTERNS,
  parse: (file, issues) => parseJavaArchive(file, issues),
  sniff: looksLikeJavaArchive,
};

/**
 * A zip starts with a local header (`PK\x03\x04`), or is empty (`PK\x05\x06`); self-running jars
 * put a shell script or a native launcher in front. Anything else named `.jar` is not worth reading.
 */
export function looksLikeJavaArchive(head: Uint8Array): boolean {
  if (head[0] === 0x50 && head[1] === 0x4b) return true;
  if (head[0] === 0x23 && head[1] === 0x21) return true;
  return head.length >= 4 && isExecutableFormat(head);
}
