import { CustomsError } from '../../errors.ts';

export const BLOCK_SIZE = 512;

/** What a tar entry is, once type flags of every dialect (ustar, GNU, PAX) are folded together. */
export type TarEntryKind = 'file' | 'hardlink' | 'symlink' | 'directory' | 'other';

/** A header block as stored: before PAX records or GNU long names are applied. */
export interface RawTarHeader {
  readonly name: string;
  readonly linkName: string;
  readonly typeFlag: string;
  readonly size: number;
  readonly mode: number;
  /** Old GNU sparse entries are followed by extension blocks before their data. */
  readonly gnuSparseExtended: boolean;
}

const textDecoder = new TextDecoder('utf-8');

/** Parses one 512-byte header block. Returns 'zero' for an all-zero (end-of-archive) block. */
export function parseHeaderBlock(block: Uint8Array, offset: number): RawTarHeader | 'zero' {
  if (isZeroBlock(block)) return 'zero';
  verifyChecksum(block, offset);
  const magic = ascii(block, 257, 263);
  const isPosixUstar = magic === 'ustar\u0000';
  let name = cString(block, 0, 100);
  if (isPosixUstar) {
    const prefix = cString(block, 345, 500);
    if (prefix) name = `${prefix}/${name}`;
  }
  const typeFlag = block[156] === 0 ? '0' : String.fromCharCode(block[156]!);
  return {
    name,
    linkName: cString(block, 157, 257),
    typeFlag,
    size: parseNumber(block, 124, 136, 'size', offset),
    mode: parseNumber(block, 100, 108, 'mode', offset),
    gnuSparseExtended: typeFlag === 'S' && block[482] !== 0,
  };
}

export function kindOf(typeFlag: string): TarEntryKind {
  switch (typeFlag) {
    case '0':
    case '7':
    case 'S':
      return 'file';
    case '1':
      return 'hardlink';
    case '2':
      return 'symlink';
    case '5':
    case 'D':
      return 'directory';
    case '3':
    case '4':
    case '6':
    case 'M':
    case 'N':
    case 'V':
      return 'other';
    default:
      // POSIX: readers treat unrecognised type flags as regular files.
      return 'file';
  }
}

/** Bytes a data section occupies in the archive, padded to whole blocks. */
export function paddedSize(size: number): number {
  return Math.ceil(size / BLOCK_SIZE) * BLOCK_SIZE;
}

/** Whether an old GNU sparse extension block announces yet another one after it. */
export function sparseExtensionContinues(block: Uint8Array): boolean {
  return block[504] !== 0;
}

function isZeroBlock(block: Uint8Array): boolean {
  for (let i = 0; i < BLOCK_SIZE; i++) if (block[i] !== 0) return false;
  return true;
}

function verifyChecksum(block: Uint8Array, offset: number): void {
  const stored = parseOctal(block, 148, 156);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK_SIZE; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : block[i]!;
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  // Some historic writers summed signed chars; both are accepted as tar(1) does.
  if (stored !== unsigned && stored !== signed) {
    throw new CustomsError('malformed', `tar header at offset ${offset} has a bad checksum (not a tar stream, or corrupted)`);
  }
}

function parseNumber(block: Uint8Array, start: number, end: number, field: string, offset: number): number {
  const first = block[start]!;
  if (first & 0x80) {
    // GNU base-256: big-endian two's complement with the top bit as marker. Negative sizes are invalid.
    if (first & 0x40) throw new CustomsError('malformed', `tar header at offset ${offset} has a negative ${field}`);
    let value = first & 0x3f;
    for (let i = start + 1; i < end; i++) {
      value = value * 256 + block[i]!;
      if (value > Number.MAX_SAFE_INTEGER) throw new CustomsError('malformed', `tar header at offset ${offset} has an oversized ${field}`);
    }
    return value;
  }
  const value = parseOctal(block, start, end);
  if (Number.isNaN(value)) throw new CustomsError('malformed', `tar header at offset ${offset} has an unreadable ${field} field`);
  return value;
}

function parseOctal(block: Uint8Array, start: number, end: number): number {
  let i = start;
  while (i < end && (block[i] === 0x20 || block[i] === 0)) i++;
  let value = 0;
  let digits = 0;
  for (; i < end; i++) {
    const byte = block[i]!;
    if (byte === 0x20 || byte === 0) break;
    if (byte < 0x30 || byte > 0x37) return Number.NaN;
    value = value * 8 + (byte - 0x30);
    digits++;
  }
  return digits === 0 ? 0 : value;
}

function cString(block: Uint8Array, start: number, end: number): string {
  let stop = start;
  while (stop < end && block[stop] !== 0) stop++;
  return stop === start ? '' : textDecoder.decode(block.subarray(start, stop));
}

function ascii(block: Uint8Array, start: number, end: number): string {
  return String.fromCharCode(...block.subarray(start, end));
}
