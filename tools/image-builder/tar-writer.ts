/**
 * Writes tar archives for test and demo images, including the unusual shapes a scanner must survive
 * (PAX and GNU long names, hard links, whiteouts, hostile names). Not part of the scanner.
 */
export type TarInput =
  | { type: 'file'; path: string; content: Uint8Array | string; mode?: number }
  | { type: 'dir'; path: string; mode?: number }
  | { type: 'symlink'; path: string; target: string }
  | { type: 'hardlink'; path: string; target: string }
  | { type: 'char-device'; path: string };

export interface TarOptions {
  /** How names over 100 bytes are written: PAX records (default) or GNU `L`/`K` entries. */
  longNames?: 'pax' | 'gnu';
  /** Omit the two zero blocks that end an archive. */
  omitEndMarker?: boolean;
}

const BLOCK = 512;
const encoder = new TextEncoder();

export function* tarChunks(entries: Iterable<TarInput>, options: TarOptions = {}): Generator<Uint8Array> {
  for (const entry of entries) yield* entryChunks(entry, options);
  if (!options.omitEndMarker) yield new Uint8Array(BLOCK * 2);
}

export function tarBytes(entries: Iterable<TarInput>, options: TarOptions = {}): Buffer {
  return Buffer.concat([...tarChunks(entries, options)]);
}

function* entryChunks(entry: TarInput, options: TarOptions): Generator<Uint8Array> {
  const content = entry.type === 'file' ? (typeof entry.content === 'string' ? encoder.encode(entry.content) : entry.content) : new Uint8Array(0);
  const name = entry.type === 'dir' && !entry.path.endsWith('/') ? `${entry.path}/` : entry.path;
  const linkName = entry.type === 'symlink' || entry.type === 'hardlink' ? entry.target : '';
  const nameBytes = encoder.encode(name);
  const linkBytes = encoder.encode(linkName);
  const longName = nameBytes.length > 100;
  const longLink = linkBytes.length > 100;
  if (longName || longLink) {
    if (options.longNames === 'gnu') {
      if (longName) yield* metaEntry('L', nameBytes);
      if (longLink) yield* metaEntry('K', linkBytes);
    } else {
      const records = [longName ? paxRecord('path', name) : '', longLink ? paxRecord('linkpath', linkName) : ''].join('');
      yield* metaEntry('x', encoder.encode(records));
    }
  }
  yield header({
    name: longName ? nameBytes.subarray(0, 100) : nameBytes,
    linkName: longLink ? linkBytes.subarray(0, 100) : linkBytes,
    size: content.length,
    mode: 'mode' in entry && entry.mode !== undefined ? entry.mode : entry.type === 'dir' ? 0o755 : 0o644,
    typeFlag: { file: '0', dir: '5', symlink: '2', hardlink: '1', 'char-device': '3' }[entry.type],
  });
  if (content.length > 0) {
    yield content;
    const padding = (BLOCK - (content.length % BLOCK)) % BLOCK;
    if (padding) yield new Uint8Array(padding);
  }
}

function* metaEntry(typeFlag: string, data: Uint8Array): Generator<Uint8Array> {
  yield header({ name: encoder.encode('././@LongLink'), linkName: new Uint8Array(0), size: data.length, mode: 0o644, typeFlag });
  yield data;
  const padding = (BLOCK - (data.length % BLOCK)) % BLOCK;
  if (padding) yield new Uint8Array(padding);
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let length = encoder.encode(body).length;
  length += String(length).length;
  if (String(length).length !== String(length - String(length).length).length) length++;
  return `${length}${body}`;
}

function header(fields: { name: Uint8Array; linkName: Uint8Array; size: number; mode: number; typeFlag: string }): Uint8Array {
  const block = new Uint8Array(BLOCK);
  block.set(fields.name.subarray(0, 100), 0);
  writeOctal(block, 100, 8, fields.mode);
  writeOctal(block, 108, 8, 0);
  writeOctal(block, 116, 8, 0);
  writeOctal(block, 124, 12, fields.size);
  writeOctal(block, 136, 12, 1_700_000_000);
  block[156] = fields.typeFlag.charCodeAt(0);
  block.set(fields.linkName.subarray(0, 100), 157);
  block.set(encoder.encode('ustar\u000000'), 257);
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  writeOctal(block, 148, 7, sum);
  return block;
}

function writeOctal(block: Uint8Array, offset: number, length: number, value: number): void {
  const text = value.toString(8).padStart(length - 1, '0');
  block.set(encoder.encode(text), offset);
  block[offset + length - 1] = 0;
}
