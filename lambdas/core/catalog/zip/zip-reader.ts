import { inflateRawSync } from 'node:zlib';
import { CustomsError, messageOf } from '../../errors.ts';
import type { ZipBudget } from './zip-budget.ts';

/** One file as a zip's central directory lists it. */
export interface ZipEntry {
  readonly name: string;
  /** 0 stored, 8 deflated; anything else is reported as unsupported when read. */
  readonly method: number;
  readonly encrypted: boolean;
  readonly compressedSize: number;
  readonly size: number;
  /** Where the entry's local header starts, already shifted for bytes prepended to the archive. */
  readonly localHeaderOffset: number;
}

const EOCD = 0x06054b50;
const EOCD_SIZE = 22;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const CENTRAL_SIZE = 46;
const LOCAL = 0x04034b50;
const LOCAL_SIZE = 30;
const MAX_COMMENT = 0xffff;

const malformed = (message: string) => new CustomsError('malformed', message);

/**
 * Lists a zip's entries from its central directory, the index zip readers (and the JVM) trust. Bytes
 * before the archive (self-executing jars start with a shell script) are tolerated by trusting where
 * the directory actually ends over the offset it declares. Throws a CustomsError `malformed`.
 */
export function listZipEntries(bytes: Uint8Array, budget: ZipBudget, what: string): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const eocd = findEndOfCentralDirectory(view);
  let count = view.getUint16(eocd + 10, true);
  let directorySize = view.getUint32(eocd + 12, true);
  let directoryOffset = view.getUint32(eocd + 16, true);
  let directoryEnd = eocd;
  if (count === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
    const zip64 = readZip64End(view, eocd);
    if (zip64) ({ count, directorySize, directoryOffset, directoryEnd } = zip64);
  }
  const directoryStart = directoryEnd - directorySize;
  if (directoryStart < 0) throw malformed('the central directory is larger than the archive');
  const shift = directoryStart - directoryOffset;
  // A directory entry takes at least 46 bytes, so the declared count cannot exceed what fits.
  if (count > directorySize / CENTRAL_SIZE) throw malformed(`the central directory declares ${count} entries but holds at most ${Math.floor(directorySize / CENTRAL_SIZE)}`);
  budget.spendEntries(count, what);
  const entries: ZipEntry[] = [];
  let at = directoryStart;
  for (let index = 0; index < count; index++) {
    const entry = readCentralEntry(view, bytes, at, directoryEnd, shift);
    entries.push(entry.entry);
    at = entry.next;
  }
  return entries;
}

/**
 * An entry's content. Inflation is capped at the declared size (and at what the budget has left),
 * so an entry that lies about its size fails instead of filling memory. Throws `malformed`,
 * `unsupported`, or `limit` (a bomb: stop reading the whole archive).
 */
export function readZipEntry(bytes: Uint8Array, entry: ZipEntry, budget: ZipBudget): Uint8Array {
  if (entry.encrypted) throw new CustomsError('unsupported', `${entry.name} is encrypted`);
  if (entry.method !== 0 && entry.method !== 8) throw new CustomsError('unsupported', `${entry.name} uses compression method ${entry.method}`);
  const ratio = entry.size / Math.max(1, entry.compressedSize);
  if (entry.size > 1024 * 1024 && ratio > budget.limits.maxRatio) {
    throw new CustomsError('limit', `${entry.name} would inflate ${Math.round(ratio)} times (${entry.size} bytes), past the ${budget.limits.maxRatio}:1 ratio limit`);
  }
  budget.spendBytes(entry.size, entry.name);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const local = entry.localHeaderOffset;
  if (local < 0 || local + LOCAL_SIZE > bytes.length || view.getUint32(local, true) !== LOCAL) throw malformed(`${entry.name} has no local header where the directory points`);
  const start = local + LOCAL_SIZE + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
  const end = start + entry.compressedSize;
  if (end > bytes.length) throw malformed(`${entry.name} runs past the end of the archive`);
  const data = bytes.subarray(start, end);
  if (entry.method === 0) {
    if (entry.compressedSize !== entry.size) throw malformed(`${entry.name} is stored but its sizes differ`);
    return data;
  }
  try {
    // maxOutputLength must be positive; an empty entry inflates to nothing either way.
    return inflateRawSync(data, { maxOutputLength: Math.max(1, entry.size) });
  } catch (error) {
    if (error instanceof RangeError || (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new CustomsError('limit', `${entry.name} inflates past its declared ${entry.size} bytes`);
    }
    throw malformed(`${entry.name} does not inflate: ${messageOf(error)}`);
  }
}

function findEndOfCentralDirectory(view: DataView): number {
  const lowest = Math.max(0, view.byteLength - EOCD_SIZE - MAX_COMMENT);
  for (let at = view.byteLength - EOCD_SIZE; at >= lowest; at--) {
    // The comment length must reach exactly to the end, which rules out most stray signatures.
    if (view.getUint32(at, true) === EOCD && at + EOCD_SIZE + view.getUint16(at + 20, true) === view.byteLength) return at;
  }
  for (let at = view.byteLength - EOCD_SIZE; at >= lowest; at--) {
    if (view.getUint32(at, true) === EOCD) return at;
  }
  throw malformed('no end of central directory record (not a zip, or truncated)');
}

function readZip64End(view: DataView, eocd: number): { count: number; directorySize: number; directoryOffset: number; directoryEnd: number } | undefined {
  const locator = eocd - 20;
  if (locator < 0 || view.getUint32(locator, true) !== ZIP64_LOCATOR) return undefined;
  // The ZIP64 record sits right before its locator; its declared offset may be shifted by a prefix.
  const record = locator - 56;
  if (record < 0 || view.getUint32(record, true) !== ZIP64_EOCD) throw malformed('the ZIP64 end of central directory record is missing');
  return {
    count: safeNumber(view.getBigUint64(record + 32, true)),
    directorySize: safeNumber(view.getBigUint64(record + 40, true)),
    directoryOffset: safeNumber(view.getBigUint64(record + 48, true)),
    directoryEnd: record,
  };
}

function readCentralEntry(view: DataView, bytes: Uint8Array, at: number, end: number, shift: number): { entry: ZipEntry; next: number } {
  if (at + CENTRAL_SIZE > end || view.getUint32(at, true) !== CENTRAL) throw malformed(`bad central directory entry at offset ${at}`);
  const flags = view.getUint16(at + 8, true);
  const method = view.getUint16(at + 10, true);
  let compressedSize = view.getUint32(at + 20, true);
  let size = view.getUint32(at + 24, true);
  const nameLength = view.getUint16(at + 28, true);
  const extraLength = view.getUint16(at + 30, true);
  const commentLength = view.getUint16(at + 32, true);
  let localHeaderOffset = view.getUint32(at + 42, true);
  const next = at + CENTRAL_SIZE + nameLength + extraLength + commentLength;
  if (next > end) throw malformed(`central directory entry at offset ${at} runs past the directory`);
  const nameBytes = bytes.subarray(at + CENTRAL_SIZE, at + CENTRAL_SIZE + nameLength);
  // Bit 11 marks UTF-8 names; jar tools write UTF-8 regardless, so decode as UTF-8 either way.
  const name = new TextDecoder('utf-8').decode(nameBytes);
  if (size === 0xffffffff || compressedSize === 0xffffffff || localHeaderOffset === 0xffffffff) {
    const extra = zip64Extra(view, at + CENTRAL_SIZE + nameLength, extraLength);
    if (extra) {
      let field = extra;
      const take = (): number => {
        if (field + 8 > extra + view.getUint16(extra - 2, true)) throw malformed(`${name}: short ZIP64 extra field`);
        const value = safeNumber(view.getBigUint64(field, true));
        field += 8;
        return value;
      };
      if (size === 0xffffffff) size = take();
      if (compressedSize === 0xffffffff) compressedSize = take();
      if (localHeaderOffset === 0xffffffff) localHeaderOffset = take();
    }
  }
  return { entry: { name, method, encrypted: (flags & 1) !== 0, compressedSize, size, localHeaderOffset: localHeaderOffset + shift }, next };
}

/** Offset of the ZIP64 extra field's data (after its 4-byte header), if the entry has one. */
function zip64Extra(view: DataView, start: number, length: number): number | undefined {
  for (let at = start; at + 4 <= start + length; ) {
    const id = view.getUint16(at, true);
    const size = view.getUint16(at + 2, true);
    if (id === 0x0001) return at + 4;
    at += 4 + size;
  }
  return undefined;
}

function safeNumber(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw malformed('a ZIP64 size or offset is impossibly large');
  return Number(value);
}
