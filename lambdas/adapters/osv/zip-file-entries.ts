import type { FileHandle } from 'node:fs/promises';
import type { ZipBudget } from '../../core/catalog/zip/zip-budget.ts';
import { listZipEntries, readZipEntry, type ZipEntry } from '../../core/catalog/zip/zip-reader.ts';
import { CustomsError } from '../../core/errors.ts';

const EOCD = 0x06054b50;
const EOCD_SIZE = 22;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_LOCATOR_SIZE = 20;
const ZIP64_EOCD = 0x06064b50;
const ZIP64_EOCD_SIZE = 56;
const LOCAL_SIZE = 30;
const MAX_COMMENT = 0xffff;

const malformed = (message: string) => new CustomsError('malformed', message);

/** A zip file's entries, with where their offsets count from in the file. */
export interface ZipFileListing {
  readonly entries: readonly ZipEntry[];
  /** Added to an entry's `localHeaderOffset` to get its position in the file. */
  readonly base: number;
}

/**
 * Lists a zip file's entries without reading the whole file: only the central directory and the end
 * records after it are read (they are what the in-memory reader needs), so memory grows with the
 * entry count, never with the content.
 */
export async function listZipFileEntries(file: FileHandle, fileSize: number, budget: ZipBudget, what: string, maxDirectoryBytes: number): Promise<ZipFileListing> {
  const tailSize = Math.min(fileSize, EOCD_SIZE + MAX_COMMENT + ZIP64_LOCATOR_SIZE + ZIP64_EOCD_SIZE);
  const tailStart = fileSize - tailSize;
  const tail = await readAt(file, tailStart, tailSize);
  const { directorySize, directoryEnd } = directoryExtent(tail);
  if (directorySize > maxDirectoryBytes) throw new CustomsError('limit', `${what}'s central directory is ${directorySize} bytes, over the ${maxDirectoryBytes}-byte cap`);
  const start = tailStart + directoryEnd - directorySize;
  if (start < 0) throw malformed('the central directory is larger than the archive');
  // The directory is read together with the end records after it, which the reader parses again.
  let region = tail.subarray(Math.max(0, start - tailStart));
  if (start < tailStart) {
    region = Buffer.alloc(fileSize - start);
    await readInto(file, region, 0, tailStart - start, start);
    tail.copy(region, tailStart - start);
  }
  // The reader trusts where the directory actually sits over its declared offset, so offsets it
  // answers are relative to `region`, which starts at `start` in the file.
  return { entries: listZipEntries(region, budget, what), base: start };
}

/**
 * One entry's content, read from the file (local header, name, extra field and data, nothing more)
 * and inflated by the shared reader with its caps. `maxCompressedBytes` bounds what is read.
 */
export async function readZipFileEntry(file: WindowedFile, base: number, entry: ZipEntry, budget: ZipBudget, maxCompressedBytes: number): Promise<Uint8Array> {
  if (entry.compressedSize > maxCompressedBytes) throw new CustomsError('limit', `${entry.name} is ${entry.compressedSize} bytes compressed, over the ${maxCompressedBytes}-byte cap`);
  const local = base + entry.localHeaderOffset;
  if (local < 0 || local + LOCAL_SIZE > file.size) throw malformed(`${entry.name} has no local header where the directory points`);
  const header = await file.read(local, LOCAL_SIZE);
  const length = LOCAL_SIZE + header.readUInt16LE(26) + header.readUInt16LE(28) + entry.compressedSize;
  if (local + length > file.size) throw malformed(`${entry.name} runs past the end of the archive`);
  const content = readZipEntry(await file.read(local, length), { ...entry, localHeaderOffset: 0 }, budget);
  // A stored entry comes back as a view of the window, which the next read overwrites.
  return file.holds(content) ? Buffer.from(content) : content;
}

/** The directory's declared size and where it ends in `tail` (at the ZIP64 record when there is one). */
function directoryExtent(tail: Buffer): { directorySize: number; directoryEnd: number } {
  const eocd = findEndRecord(tail);
  const size = tail.readUInt32LE(eocd + 12);
  const overflowed = size === 0xffffffff || tail.readUInt16LE(eocd + 10) === 0xffff || tail.readUInt32LE(eocd + 16) === 0xffffffff;
  const locator = eocd - ZIP64_LOCATOR_SIZE;
  const record = locator - ZIP64_EOCD_SIZE;
  if (!overflowed || record < 0 || tail.readUInt32LE(locator) !== ZIP64_LOCATOR || tail.readUInt32LE(record) !== ZIP64_EOCD) return { directorySize: size, directoryEnd: eocd };
  const size64 = tail.readBigUInt64LE(record + 40);
  if (size64 > BigInt(Number.MAX_SAFE_INTEGER)) throw malformed('a ZIP64 directory size is impossibly large');
  return { directorySize: Number(size64), directoryEnd: record };
}

function findEndRecord(tail: Buffer): number {
  // Same rule as the in-memory reader: a comment length reaching exactly to the end wins.
  for (let at = tail.length - EOCD_SIZE; at >= 0; at--) {
    if (tail.readUInt32LE(at) === EOCD && at + EOCD_SIZE + tail.readUInt16LE(at + 20) === tail.length) return at;
  }
  for (let at = tail.length - EOCD_SIZE; at >= 0; at--) if (tail.readUInt32LE(at) === EOCD) return at;
  throw malformed('no end of central directory record (not a zip, or truncated)');
}

async function readAt(file: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  await readInto(file, buffer, 0, length, position);
  return buffer;
}

async function readInto(file: FileHandle, buffer: Buffer, offset: number, length: number, position: number): Promise<void> {
  let done = 0;
  while (done < length) {
    const { bytesRead } = await file.read(buffer, offset + done, length - done, position + done);
    if (bytesRead === 0) throw malformed(`the archive ends at ${position + done}, before ${position + length}`);
    done += bytesRead;
  }
}

const WINDOW_BYTES = 1024 * 1024;

/**
 * Reads a file through one fixed window: entries are read in archive order, so most reads are
 * served from the window rather than costing a system call each. Memory stays at the window; what
 * `read` answers is a view of it, valid until the next read.
 */
export class WindowedFile {
  private readonly window = Buffer.alloc(WINDOW_BYTES);
  private start = 0;
  private end = 0;

  constructor(
    readonly file: FileHandle,
    readonly size: number,
  ) {}

  async read(position: number, length: number): Promise<Buffer> {
    if (position < 0 || position + length > this.size) throw malformed(`the archive ends at ${this.size}, before ${position + length}`);
    if (length > WINDOW_BYTES) return readAt(this.file, position, length);
    if (position < this.start || position + length > this.end) {
      const fill = Math.min(WINDOW_BYTES, this.size - position);
      await readInto(this.file, this.window, 0, fill, position);
      this.start = position;
      this.end = position + fill;
    }
    return this.window.subarray(position - this.start, position - this.start + length);
  }

  /** Whether `bytes` is a view of the window (valid only until the next read). */
  holds(bytes: Uint8Array): boolean {
    return bytes.buffer === this.window.buffer;
  }
}
