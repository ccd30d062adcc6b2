import { ByteReader } from './byte-reader.ts';

export const BUILDINFO_MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
const BUILDINFO_HEADER = 32;
export const BUILDINFO_ALIGN = 16;
const FLAG_INLINE_STRINGS = 2;
/** Longest string the header may name: Go's module text is kilobytes, a large one some hundreds. */
export const MAX_BUILDINFO_STRING = 1024 * 1024;

/**
 * The `\xff Go buildinf:` header as debug/buildinfo reads it: pointer size at byte 14 and flags at
 * 15. Go 1.18+ set flag 2 and put the version and module text after the header as uvarint-prefixed
 * strings; before that the header held two pointers (at 16 and 16+pointer size) to the Go string
 * headers of runtime.buildVersion and runtime.modinfo, in the byte order flag 15 gives.
 */
export type BuildInfoHeader =
  | { readonly kind: 'inline'; readonly version: string; readonly modinfo: Buffer }
  | { readonly kind: 'pointers'; readonly pointerSize: 4 | 8; readonly bigEndian: boolean; readonly versionAddress: number; readonly modinfoAddress: number };

/** `bytes` starts at the magic. 'incomplete' asks for more bytes; 'invalid' means give up on this copy. */
export function parseBuildInfoHeader(bytes: Buffer): BuildInfoHeader | 'incomplete' | 'invalid' {
  if (bytes.length < BUILDINFO_HEADER) return 'incomplete';
  if (!bytes.subarray(0, BUILDINFO_MAGIC.length).equals(BUILDINFO_MAGIC)) return 'invalid';
  const pointerSize = bytes[14];
  const flags = bytes[15]!;
  if ((flags & FLAG_INLINE_STRINGS) !== 0) {
    const version = readVarBytes(bytes, BUILDINFO_HEADER);
    if (typeof version === 'string') return version;
    const modinfo = readVarBytes(bytes, version.next);
    if (typeof modinfo === 'string') return modinfo;
    return version.bytes.length === 0 ? 'invalid' : { kind: 'inline', version: version.bytes.toString('latin1'), modinfo: modinfo.bytes };
  }
  if (pointerSize !== 4 && pointerSize !== 8) return 'invalid';
  const bigEndian = flags !== 0; // as debug/buildinfo: any other value in the pointer format is big-endian
  const r = new ByteReader(bytes, bigEndian);
  const versionAddress = r.word(16, pointerSize);
  const modinfoAddress = r.word(16 + pointerSize, pointerSize);
  if (!versionAddress || !modinfoAddress) return 'invalid';
  return { kind: 'pointers', pointerSize, bigEndian, versionAddress, modinfoAddress };
}

/** A Go string header (data pointer, length), as the pointer format's two pointers lead to. */
export function readStringHeader(bytes: Buffer, pointerSize: 4 | 8, bigEndian: boolean): { address: number; length: number } | undefined {
  const r = new ByteReader(bytes, bigEndian);
  const address = r.word(0, pointerSize);
  const length = r.word(pointerSize, pointerSize);
  if (!address || length === undefined || length > MAX_BUILDINFO_STRING) return undefined;
  return { address, length };
}

/** As debug/buildinfo does: the module text sits between 16-byte markers when there is one. */
export function unwrapModinfo(modinfo: Buffer): string {
  const wrapped = modinfo.length >= 33 && modinfo[modinfo.length - 17] === 0x0a;
  return (wrapped ? modinfo.subarray(16, modinfo.length - 16) : modinfo).toString('utf8');
}

/** A uvarint length followed by that many bytes, as the inline build info stores its strings. */
function readVarBytes(bytes: Buffer, offset: number): { bytes: Buffer; next: number } | 'incomplete' | 'invalid' {
  let length = 0;
  let shift = 0;
  let position = offset;
  for (;;) {
    if (position >= bytes.length) return 'incomplete';
    const byte = bytes[position++]!;
    length += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) break;
    shift += 7;
    if (shift > 28) return 'invalid';
  }
  if (length > MAX_BUILDINFO_STRING) return 'invalid';
  if (position + length > bytes.length) return 'incomplete';
  return { bytes: bytes.subarray(position, position + length), next: position + length };
}
