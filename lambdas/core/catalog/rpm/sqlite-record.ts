import { CustomsError } from '../../errors.ts';

/**
 * One column value of an SQLite record. Integers are numbers when they fit in a double exactly and
 * bigints otherwise; floats are numbers too, so 5 and 5.0 read alike.
 */
export type SqliteValue = null | number | bigint | string | Uint8Array;

/** A decoded varint and how many bytes it took. */
export interface Varint {
  readonly value: number | bigint;
  readonly length: number;
}

/**
 * Reads an SQLite varint (big-endian, 7 bits a byte, the 9th byte contributing all 8 bits) from
 * `bytes[offset, end)`. The 64-bit result is two's complement, as rowids are signed.
 */
export function readVarint(bytes: Uint8Array, offset: number, end: number, where: string): Varint {
  let value = 0;
  // Seven bytes give at most 49 bits, safely a number; longer varints switch to bigint.
  for (let i = 0; i < 7; i++) {
    const byte = byteAt(bytes, offset + i, end, where);
    value = value * 128 + (byte & 0x7f);
    if (byte < 0x80) return { value, length: i + 1 };
  }
  let big = BigInt(value);
  const eighth = byteAt(bytes, offset + 7, end, where);
  big = (big << 7n) | BigInt(eighth & 0x7f);
  if (eighth < 0x80) return { value: narrow(big), length: 8 };
  big = (big << 8n) | BigInt(byteAt(bytes, offset + 8, end, where));
  return { value: narrow(BigInt.asIntN(64, big)), length: 9 };
}

/** A varint that must be a small non-negative size or count (payload size, header size, serial type). */
export function readSizeVarint(bytes: Uint8Array, offset: number, end: number, where: string): Varint {
  const varint = readVarint(bytes, offset, end, where);
  if (typeof varint.value !== 'number' || varint.value < 0) {
    throw new CustomsError('malformed', `sqlite: ${where}: size varint at offset ${offset} is out of range (${varint.value})`);
  }
  return varint;
}

/** Decodes the values of one record (https://www.sqlite.org/fileformat2.html#record_format). */
export function decodeRecord(payload: Uint8Array, where: string): SqliteValue[] {
  const header = readSizeVarint(payload, 0, payload.length, `record header of ${where}`);
  const headerSize = header.value as number;
  if (headerSize < header.length || headerSize > payload.length) {
    throw new CustomsError('malformed', `sqlite: ${where}: record header size ${headerSize} does not fit the ${payload.length}-byte payload`);
  }
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const values: SqliteValue[] = [];
  let typeOffset = header.length;
  let body = headerSize;
  while (typeOffset < headerSize) {
    const serial = readSizeVarint(payload, typeOffset, headerSize, `record header of ${where}`);
    typeOffset += serial.length;
    const type = serial.value as number;
    const size = serialTypeSize(type, where);
    if (size > payload.length - body) {
      throw new CustomsError('malformed', `sqlite: ${where}: column ${values.length} (serial type ${type}) runs past the ${payload.length}-byte payload`);
    }
    values.push(readValue(payload, view, body, type, size));
    body += size;
  }
  return values;
}

const utf8 = new TextDecoder('utf-8');

function readValue(payload: Uint8Array, view: DataView, at: number, type: number, size: number): SqliteValue {
  switch (type) {
    case 0:
      return null;
    case 1:
      return view.getInt8(at);
    case 2:
      return view.getInt16(at);
    case 3:
      return (view.getInt8(at) << 16) | view.getUint16(at + 1);
    case 4:
      return view.getInt32(at);
    case 5:
      return view.getInt16(at) * 2 ** 32 + view.getUint32(at + 2);
    case 6:
      return narrow(view.getBigInt64(at));
    case 7:
      return view.getFloat64(at);
    case 8:
      return 0;
    case 9:
      return 1;
  }
  const bytes = payload.subarray(at, at + size);
  // Copies, so callers holding a blob do not pin or alias the whole database buffer.
  return type % 2 === 0 ? bytes.slice() : utf8.decode(bytes);
}

function serialTypeSize(type: number, where: string): number {
  if (type >= 12) return Math.floor((type - 12) / 2);
  const size = FIXED_SIZES[type];
  if (size === undefined) throw new CustomsError('malformed', `sqlite: ${where}: reserved serial type ${type}`);
  return size;
}

// Serial types 0-9; 10 and 11 are reserved and absent on purpose.
const FIXED_SIZES: Readonly<Record<number, number>> = { 0: 0, 1: 1, 2: 2, 3: 3, 4: 4, 5: 6, 6: 8, 7: 8, 8: 0, 9: 0 };

function narrow(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

function byteAt(bytes: Uint8Array, at: number, end: number, where: string): number {
  const byte = at < end ? bytes[at] : undefined;
  if (byte === undefined) throw new CustomsError('malformed', `sqlite: ${where}: varint runs past offset ${end}`);
  return byte;
}
