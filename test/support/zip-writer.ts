import { crc32, deflateRawSync } from 'node:zlib';

/** One entry of a hand-made zip; the fields beyond name and data forge hostile shapes. */
export interface ForgedEntry {
  readonly name: string;
  readonly data?: Uint8Array | string;
  readonly method?: 'store' | 'deflate';
  /** Uncompressed size written in the headers instead of the real one (a lying entry). */
  readonly declaredSize?: number;
  /** Points this central directory entry at an earlier entry's local data (overlapping-entry bombs). */
  readonly sameDataAs?: number;
}

/**
 * Writes zips byte by byte, for shapes no archiver produces: lying sizes, escaping names, overlapping
 * entries. Archives a real tool can make are built with `zip` instead (java-archive-oracle.ts).
 */
export function forgeZip(entries: readonly ForgedEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  const offsets: number[] = [];
  const written: Array<{ method: number; crc: number; compressed: number; size: number }> = [];
  let offset = 0;
  entries.forEach((entry, index) => {
    const raw = typeof entry.data === 'string' ? Buffer.from(entry.data) : Buffer.from(entry.data ?? new Uint8Array(0));
    const deflate = (entry.method ?? 'deflate') === 'deflate';
    const stored = deflate ? deflateRawSync(raw) : raw;
    const name = Buffer.from(entry.name);
    let sizes = { method: deflate ? 8 : 0, crc: crc32(raw), compressed: stored.length, size: entry.declaredSize ?? raw.length };
    let localOffset = offset;
    if (entry.sameDataAs !== undefined) {
      localOffset = offsets[entry.sameDataAs]!;
      sizes = written[entry.sameDataAs]!;
    } else {
      locals.push(header(0x04034b50, name, sizes), name, stored);
      offset += 30 + name.length + stored.length;
    }
    offsets[index] = localOffset;
    written[index] = sizes;
    centrals.push(header(0x02014b50, name, sizes, localOffset), name);
  });
  const central = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(central.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, central, end]);
}

function header(signature: number, name: Buffer, sizes: { method: number; crc: number; compressed: number; size: number }, localOffset?: number): Buffer {
  const central = localOffset !== undefined;
  const buffer = Buffer.alloc(central ? 46 : 30);
  buffer.writeUInt32LE(signature, 0);
  // The central header has an extra "version made by" field, shifting the common fields by 2.
  const at = central ? 2 : 0;
  buffer.writeUInt16LE(20, 4 + at);
  buffer.writeUInt16LE(0x0800, 6 + at);
  buffer.writeUInt16LE(sizes.method, 8 + at);
  buffer.writeUInt32LE(sizes.crc, 14 + at);
  buffer.writeUInt32LE(sizes.compressed, 18 + at);
  buffer.writeUInt32LE(sizes.size, 22 + at);
  buffer.writeUInt16LE(name.length, 26 + at);
  if (central) buffer.writeUInt32LE(localOffset, 42);
  return buffer;
}
