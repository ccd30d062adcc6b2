import { lstat, open, readFile, realpath, stat } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { AdvisoryStore } from '../../core/advisories/advisory-store.ts';
import { DEFAULT_OSV_LIMITS, type OsvLimits } from '../../core/advisories/osv-limits.ts';
import { ZipBudget } from '../../core/catalog/zip/zip-budget.ts';
import type { ZipEntry } from '../../core/catalog/zip/zip-reader.ts';
import { CustomsError, isCustomsError, messageOf } from '../../core/errors.ts';
import { loadOsvDirectory } from './load-osv-directory.ts';
import { unsafeName } from './load-osv-zip.ts';
import { listZipFileEntries, readZipFileEntry, WindowedFile, type ZipFileListing } from './zip-file-entries.ts';

/** One `*.json` file of a directory, or entry of a zip, named relative to the directory or archive. */
export interface RecordFile {
  readonly name: string;
  readonly bytes: Uint8Array;
}

export interface RecordFileLimits {
  readonly maxRecordBytes: number;
  /** Candidate files (directory) or entries (zip) one read may meet. */
  readonly maxFiles: number;
}

/**
 * The record files under a local path, read afresh on every call. `visit` gets every candidate in
 * a stable order (path order, or archive order); ones that cannot be records (over the size cap,
 * unsafe zip names, unreadable entries) go to `reject` instead, and the walk goes on.
 */
export interface RecordFiles {
  each(visit: (file: RecordFile) => void, reject: (name: string, reason: string) => void): Promise<void>;
  /** One file by the name `each` gave it; undefined when it is gone. Over the size cap is a `limit` error. */
  read(name: string): Promise<Uint8Array | undefined>;
  /** The files named (as `each` ordered them), in walk order; the ones gone since are left out. */
  readSome(names: readonly string[]): AsyncIterable<RecordFile>;
}

/** A directory of records, or a zip of them, by what `path` is now. */
export async function recordFilesAt(path: string, limits: RecordFileLimits): Promise<RecordFiles> {
  const found = await stat(path).catch((error: unknown) => {
    throw new CustomsError('usage', `OSV records path ${path} cannot be read: ${messageOf(error)}`, { cause: error });
  });
  if (found.isDirectory()) return new DirectoryRecordFiles(path, limits);
  if (found.isFile()) return new ZipRecordFiles(path, limits);
  throw new CustomsError('usage', `OSV records path ${path} is neither a directory nor a zip file`);
}

// A directory's files inflate to nothing; an archive's entries are held to the archive's own ratio.
const osvLimits = (limits: RecordFileLimits): OsvLimits => ({ ...DEFAULT_OSV_LIMITS, maxRecordBytes: limits.maxRecordBytes, maxZipEntries: limits.maxFiles });
const MAX_DIRECTORY_BYTES = 256 * 1024 * 1024;
const DEFLATE_SLACK_BYTES = 64 * 1024;

/**
 * Hands loadOsvDirectory's walk (recursive, sorted, symlinks not followed, size caps) to a visitor
 * instead of an in-memory store, so each file's bytes can be dropped once looked at.
 */
class VisitingStore extends AdvisoryStore {
  constructor(
    private readonly visit: (file: RecordFile) => void,
    private readonly reject: (name: string, reason: string) => void,
    private readonly maxFiles: number,
  ) {
    super();
  }

  private seen = 0;

  override addBytes(source: string, bytes: Uint8Array): void {
    this.tally(source);
    this.visit({ name: source, bytes });
  }

  override reportMalformed(source: string, reason: string): void {
    this.tally(source);
    this.reject(source, reason);
  }

  private tally(source: string): void {
    if (++this.seen > this.maxFiles) throw new CustomsError('limit', `more than ${this.maxFiles} record files (at ${source})`);
  }
}

class DirectoryRecordFiles implements RecordFiles {
  constructor(
    private readonly root: string,
    private readonly limits: RecordFileLimits,
  ) {}

  async each(visit: (file: RecordFile) => void, reject: (name: string, reason: string) => void): Promise<void> {
    await loadOsvDirectory(this.root, new VisitingStore(visit, reject, this.limits.maxFiles), osvLimits(this.limits));
  }

  async read(name: string): Promise<Uint8Array | undefined> {
    if (unsafeName(name) !== undefined || !name.endsWith('.json')) return undefined;
    const path = join(this.root, name);
    const found = await lstat(path).catch(() => undefined);
    // A symlink, or a file under a directory swapped for one, could point anywhere: only files
    // that really sit inside the directory are read, as the walk would.
    if (!found?.isFile() || !(await inside(this.root, dirname(path)))) return undefined;
    if (found.size > this.limits.maxRecordBytes) throw new CustomsError('limit', `${name} is ${found.size} bytes, over the ${this.limits.maxRecordBytes}-byte cap`);
    return readFile(path).catch((error: unknown) => {
      if (isCode(error, 'ENOENT')) return undefined;
      throw error;
    });
  }

  async *readSome(names: readonly string[]): AsyncIterable<RecordFile> {
    for (const name of names) {
      const bytes = await this.read(name);
      if (bytes) yield { name, bytes };
    }
  }
}

class ZipRecordFiles implements RecordFiles {
  constructor(
    private readonly path: string,
    private readonly limits: RecordFileLimits,
  ) {}

  async each(visit: (file: RecordFile) => void, reject: (name: string, reason: string) => void): Promise<void> {
    for await (const file of this.walk(undefined, reject)) visit(file);
  }

  async read(name: string): Promise<Uint8Array | undefined> {
    for await (const file of this.walk(new Set([name]), (_, reason) => {
      throw new CustomsError('limit', `${this.path}!${name}: ${reason}`);
    })) return file.bytes;
    return undefined;
  }

  readSome(names: readonly string[]): AsyncIterable<RecordFile> {
    return this.walk(new Set(names), () => undefined);
  }

  /** The archive's `*.json` entries (only those in `only`, when given), checked as HttpOsvExport checks all.zip's. */
  private async *walk(only: ReadonlySet<string> | undefined, reject: (name: string, reason: string) => void): AsyncIterable<RecordFile> {
    const file = await open(this.path, 'r');
    try {
      const { size } = await file.stat();
      const limits = osvLimits(this.limits);
      const budget = new ZipBudget({ maxDepth: 0, maxTotalBytes: limits.maxTotalBytes, maxEntries: limits.maxZipEntries, maxArchives: 1, maxRatio: 200 });
      const listed = await listZipFileEntries(file, size, budget, this.path, MAX_DIRECTORY_BYTES);
      const windowed = new WindowedFile(file, size);
      for (const entry of listed.entries) {
        if (entry.name.endsWith('/') || (only && !only.has(entry.name))) continue;
        const unsafe = unsafeName(entry.name);
        if (unsafe) reject(entry.name, `refused entry name: ${unsafe}`);
        else if (entry.name.endsWith('.json')) {
          const bytes = await this.entry(windowed, listed, entry, budget, reject);
          if (bytes) yield { name: entry.name, bytes };
        }
      }
    } finally {
      await file.close().catch(() => undefined);
    }
  }

  private async entry(windowed: WindowedFile, listed: ZipFileListing, entry: ZipEntry, budget: ZipBudget, reject: (name: string, reason: string) => void): Promise<Uint8Array | undefined> {
    const { maxRecordBytes } = this.limits;
    if (entry.size > maxRecordBytes) {
      reject(entry.name, `record declares ${entry.size} bytes, over the ${maxRecordBytes}-byte cap`);
      return undefined;
    }
    if (entry.size > budget.remainingBytes) throw new CustomsError('limit', `${this.path} inflates past its byte budget at ${entry.name}`);
    try {
      return await readZipFileEntry(windowed, listed.base, entry, budget, maxRecordBytes + DEFLATE_SLACK_BYTES);
    } catch (error) {
      // One entry lying about its size or using another method is that record's problem; a
      // corrupt archive is the whole file's.
      if (!isCustomsError(error) || (error.code !== 'limit' && error.code !== 'unsupported')) throw error;
      reject(entry.name, error.message);
      return undefined;
    }
  }
}

async function inside(root: string, dir: string): Promise<boolean> {
  try {
    const [realRoot, realDir] = await Promise.all([realpath(root), realpath(dir)]);
    return realDir === realRoot || realDir.startsWith(realRoot.endsWith(sep) ? realRoot : `${realRoot}${sep}`);
  } catch {
    return false;
  }
}

function isCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === code;
}
