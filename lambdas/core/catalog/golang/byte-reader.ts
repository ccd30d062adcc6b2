const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Bounds-checked integer reads from hostile bytes: every read that would run past the buffer, or
 * give a value JavaScript cannot hold exactly, is undefined instead of throwing.
 */
export class ByteReader {
  constructor(
    readonly bytes: Buffer,
    readonly bigEndian: boolean,
  ) {}

  u8(offset: number): number | undefined {
    return this.fits(offset, 1) ? this.bytes[offset] : undefined;
  }

  u16(offset: number): number | undefined {
    if (!this.fits(offset, 2)) return undefined;
    return this.bigEndian ? this.bytes.readUInt16BE(offset) : this.bytes.readUInt16LE(offset);
  }

  u32(offset: number): number | undefined {
    if (!this.fits(offset, 4)) return undefined;
    return this.bigEndian ? this.bytes.readUInt32BE(offset) : this.bytes.readUInt32LE(offset);
  }

  u64(offset: number): number | undefined {
    if (!this.fits(offset, 8)) return undefined;
    const value = this.bigEndian ? this.bytes.readBigUInt64BE(offset) : this.bytes.readBigUInt64LE(offset);
    return value <= MAX_EXACT ? Number(value) : undefined;
  }

  /** A pointer-sized word (4 or 8 bytes). */
  word(offset: number, size: 4 | 8): number | undefined {
    return size === 4 ? this.u32(offset) : this.u64(offset);
  }

  private fits(offset: number, length: number): boolean {
    return Number.isInteger(offset) && offset >= 0 && offset + length <= this.bytes.length;
  }
}
