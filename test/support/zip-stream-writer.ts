import { crc32, deflateRawSync } from 'node:zlib';

/**
 * Writes a well-formed zip as a stream of chunks, one entry at a time, keeping only each entry's
 * directory record: archives of a hundred thousand entries (ZIP64 end records past 65,535) without
 * holding their content. Hostile shapes are forged with zip-writer.ts instead.
 */
export async function* zipStream(entries: AsyncIterable<{ readonly name: string; readonly data: Uint8Array }> | Iterable<{ readonly name: string; readonly data: Uint8Array }>, options: { readonly level?: number } = {}): AsyncGenerator<Buffer> {
  const directory: Buffer[] = [];
  let offset = 0;
  let count = 0;
  for await (const entry of entries) {
    const name = Buffer.from(entry.name);
    const data = deflateRawSync(entry.data, { level: options.level ?? 6 });
    const fields = { crc: crc32(entry.data), compressed: data.length, size: entry.data.byteLength, nameLength: name.length };
    if (offset > 0xfffffffe) throw new Error('zipStream writes archives under 4 GiB');
    directory.push(header(0x02014b50, fields, offset), name);
    const local = header(0x04034b50, fields);
    offset += local.length + name.length + data.length;
    count++;
    yield Buffer.concat([local, name, data]);
  }
  const central = Buffer.concat(directory);
  directory.length = 0;
  const ends: Buffer[] = [central];
  if (count > 0xfffe) {
    // ZIP64 end record and locator: the classic record's 16-bit entry count overflows.
    const record = Buffer.alloc(56);
    record.writeUInt32LE(0x06064b50, 0);
    record.writeBigUInt64LE(44n, 4);
    record.writeUInt16LE(45, 12);
    record.writeUInt16LE(45, 14);
    record.writeBigUInt64LE(BigInt(count), 24);
    record.writeBigUInt64LE(BigInt(count), 32);
    record.writeBigUInt64LE(BigInt(central.length), 40);
    record.writeBigUInt64LE(BigInt(offset), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeBigUInt64LE(BigInt(offset + central.length), 8);
    locator.writeUInt32LE(1, 16);
    ends.push(record, locator);
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Math.min(count, 0xffff), 8);
  end.writeUInt16LE(Math.min(count, 0xffff), 10);
  end.writeUInt32LE(central.length, 12);
  end.writeUInt32LE(offset, 16);
  ends.push(end);
  yield Buffer.concat(ends);
}

function header(signature: number, fields: { crc: number; compressed: number; size: number; nameLength: number }, localOffset?: number): Buffer {
  const central = localOffset !== undefined;
  const buffer = Buffer.alloc(central ? 46 : 30);
  buffer.writeUInt32LE(signature, 0);
  // The central header has an extra "version made by" field, shifting the common fields by 2.
  const at = central ? 2 : 0;
  if (central) buffer.writeUInt16LE(45, 4);
  buffer.writeUInt16LE(20, 4 + at);
  buffer.writeUInt16LE(0x0800, 6 + at);
  buffer.writeUInt16LE(8, 8 + at);
  buffer.writeUInt32LE(fields.crc, 14 + at);
  buffer.writeUInt32LE(fields.compressed, 18 + at);
  buffer.writeUInt32LE(fields.size, 22 + at);
  buffer.writeUInt16LE(fields.nameLength, 26 + at);
  if (central) buffer.writeUInt32LE(localOffset, 42);
  return buffer;
}
