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

/**
 * Lists a zip file's entries without reading the whole file: only the central directory and the end
 * records after it are read (they are what the in-memory reader needs), so memory grows with the
 * entry count, never with the content. Offsets come back as positions in the file.
 */
export async function listZipFileEntries(file: FileHandle, fileSize: number, budget: ZipBudget, what: string, maxDirectoryBytes: number): Promise<ZipEntry[]> {
  const tailSize = Math.min(fileSize, EOCD_SIZE + MAX_COMMENT + ZIP64_LOCATOR_SIZE + ZIP64_EOCD_SIZE);
  const tailStart = fileSize - tailSize;
  const tail = await readAt(file, tailStart, tailSize);
  const { directorySize, directoryEnd } = directoryExtent(tail);
  if (directorySize > maxDirectoryBytes) throw new CustomsError('limit', `${what}'s central directory is ${directorySize} bytes, over the ${maxDirectoryBytes}-byte cap`);
  const start = tailStart + directoryEnd - directorySize;
  if (start < 0) throw malformed('the central directory is larger than the archive');
  // The directory is read together with the end records after it, which the reader parses again.
  const region = start >= tailStart ? tail.subarray(start - tailStart) : Buffer.concat([await readAt(file, start, tailStart - start), tail]);
  // The reader trusts where the directory actually sits over its declared offset, so offsets it
  // answers are relative to `region`; shifting by `start` makes them positions in the file.
  return listZipEntries(region, budget, what).map((entry) => ({ ...entry, localHeaderOffset: entry.localHeaderOffset + start }));
}

/**
 * One entry's content, read from the file (local header, name, extra field and data, nothing more)
 * and inflated by the shared reader with its caps. `maxCompressedBytes` bounds what is read.
 */
export async function readZipFileEntry(file: FileHandle, fileSize: number, entry: ZipEntry, budget: ZipBudget, maxCompressedBytes: number): Promise<Uint8Array> {
  if (entry.compressedSize > maxCompressedBytes) throw new CustomsError('limit', `${entry.name} is ${entry.compressedSize} bytes compressed, over the ${maxCompressedBytes}-byte cap`);
  const local = entry.localHeaderOffset;
  if (local < 0 || local + LOCAL_SIZE > fileSize) throw malformed(`${entry.name} has no local header where the directory points`);
  const header = await readAt(file, local, LOCAL_SIZE);
  const length = LOCAL_SIZE + header.readUInt16LE(26) + header.readUInt16LE(28) + entry.compressedSize;
  if (local + length > fileSize) throw malformed(`${entry.name} runs past the end of the archive`);
  const bytes = await readAt(file, local, length);
  return readZipEntry(bytes, { ...entry, localHeaderOffset: 0 }, budget);
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
  let done = 0;
  while (done < length) {
    const { bytesRead } = await file.read(buffer, done, length - done, position + done);
    if (bytesRead === 0) throw malformed(`the archive ends at ${position + done}, before ${position + length}`);
    done += bytesRead;
  }
  return buffer;
}
