import { MODINFO_END, MODINFO_START } from '../../lambdas/core/catalog/golang/go-modinfo.ts';

/** What the linker of Go 1.13–1.17 laid out: the pointer format of the build info header. */
export interface LegacyGoElf {
  readonly pointerSize: 4 | 8;
  readonly bigEndian: boolean;
  /** runtime.buildVersion, e.g. `go1.17.13`. */
  readonly goVersion: string;
  /** runtime.modinfo's text, without the markers the linker wraps it in. */
  readonly modinfo: string;
  /** Where the module text's bytes go: rodata (before the header, as the linker puts them) or after. */
  readonly modinfoIn?: 'rodata' | 'data';
  /** A NUL-delimited version string elsewhere in rodata, so that guessing by strings picks wrong. */
  readonly decoy?: string;
  /** Bytes of rodata before the strings, so the header lies past the file's first chunks. */
  readonly filler?: number;
}

const PAGE = 0x1000;
const BASE = 0x400000;
const MACHINE = { '4le': 3, '8le': 62, '4be': 20, '8be': 21 } as const; // 386, x86-64, PowerPC, PowerPC64

class Bytes {
  private readonly parts: Buffer[] = [];
  length = 0;
  constructor(private readonly bigEndian: boolean) {}
  raw(bytes: Buffer | string): this {
    const buffer = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes;
    this.parts.push(buffer);
    this.length += buffer.length;
    return this;
  }
  int(value: number, size: 1 | 2 | 4 | 8): this {
    const buffer = Buffer.alloc(size);
    const view = new DataView(buffer.buffer, buffer.byteOffset, size);
    const little = !this.bigEndian;
    if (size === 1) view.setUint8(0, value);
    else if (size === 2) view.setUint16(0, value, little);
    else if (size === 4) view.setUint32(0, value, little);
    else view.setBigUint64(0, BigInt(value), little);
    return this.raw(buffer);
  }
  padTo(length: number): this {
    return this.raw(Buffer.alloc(Math.max(0, length - this.length)));
  }
  bytes(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/**
 * A minimal ELF executable as cmd/link wrote Go binaries before 1.18 and debug/buildinfo reads them:
 * a read-only segment with the strings, a writable one starting with the 32-byte `.go.buildinfo`
 * header (pointer size, byte order, then pointers to runtime.buildVersion's and runtime.modinfo's
 * string headers), and the section headers naming `.go.buildinfo`. No code: only `go version -m`
 * and the scanner read it.
 */
export function legacyGoElf(spec: LegacyGoElf): Buffer {
  const { pointerSize: word, bigEndian } = spec;
  const is64 = word === 8;
  const modinfo = Buffer.concat([MODINFO_START, Buffer.from(spec.modinfo, 'utf8'), MODINFO_END]);
  const inRodata = (spec.modinfoIn ?? 'rodata') === 'rodata';

  // Read-only segment: filler, a decoy, the version (not NUL-terminated, as Go strings are packed), the module text.
  const rodataOffset = PAGE;
  const rodata = new Bytes(bigEndian).raw(Buffer.alloc(spec.filler ?? 0, 0x5a));
  if (spec.decoy) rodata.raw(`\0${spec.decoy}\0`);
  const versionAt = rodataOffset + rodata.length;
  rodata.raw(spec.goVersion);
  const rodataModinfoAt = rodataOffset + rodata.length;
  if (inRodata) rodata.raw(modinfo);

  // Writable segment: the header, then the two string headers, then (perhaps) the module text.
  const dataOffset = Math.ceil((rodataOffset + rodata.length) / PAGE) * PAGE;
  const headersAt = dataOffset + 32;
  const dataModinfoAt = headersAt + 4 * word;
  const data = new Bytes(bigEndian)
    .raw('\xff Go buildinf:')
    .int(word, 1)
    .int(bigEndian ? 1 : 0, 1)
    .int(BASE + headersAt, word)
    .int(BASE + headersAt + 2 * word, word)
    .padTo(32)
    .int(BASE + versionAt, word)
    .int(spec.goVersion.length, word)
    .int(BASE + (inRodata ? rodataModinfoAt : dataModinfoAt), word)
    .int(modinfo.length, word);
  if (!inRodata) data.raw(modinfo);

  const shstrtabOffset = dataOffset + data.length;
  const names = '\0.rodata\0.go.buildinfo\0.data\0.shstrtab\0';
  const name = (section: string) => names.indexOf(`\0${section}\0`) + 1;
  const shoff = Math.ceil((shstrtabOffset + names.length) / 8) * 8;
  const ehsize = is64 ? 64 : 52;
  const phentsize = is64 ? 56 : 32;
  const shentsize = is64 ? 64 : 40;

  const out = new Bytes(bigEndian)
    .raw(Buffer.from([0x7f, 0x45, 0x4c, 0x46, is64 ? 2 : 1, bigEndian ? 2 : 1, 1, 0]))
    .padTo(16)
    .int(2, 2) // ET_EXEC
    .int(MACHINE[`${word}${bigEndian ? 'be' : 'le'}`], 2)
    .int(1, 4)
    .int(BASE + rodataOffset, word) // entry: anywhere mapped
    .int(ehsize, word) // program headers right after this header
    .int(shoff, word)
    .int(0, 4)
    .int(ehsize, 2)
    .int(phentsize, 2)
    .int(2, 2)
    .int(shentsize, 2)
    .int(5, 2)
    .int(4, 2); // .shstrtab
  const load = (offset: number, size: number, flags: number) => {
    out.int(1, 4); // PT_LOAD
    if (is64) out.int(flags, 4);
    out.int(offset, word).int(BASE + offset, word).int(BASE + offset, word).int(size, word).int(size, word);
    if (!is64) out.int(flags, 4);
    out.int(PAGE, word);
  };
  load(rodataOffset, rodata.length, 4); // PF_R
  load(dataOffset, data.length, 6); // PF_R|PF_W
  out.padTo(rodataOffset).raw(rodata.bytes()).padTo(dataOffset).raw(data.bytes()).raw(names).padTo(shoff);

  const section = (nameOffset: number, type: number, flags: number, offset: number, size: number, align: number) => {
    out.int(nameOffset, 4).int(type, 4).int(flags, word).int(offset && flags ? BASE + offset : 0, word).int(offset, word).int(size, word).int(0, 4).int(0, 4).int(align, word).int(0, word);
  };
  section(0, 0, 0, 0, 0, 0);
  section(name('.rodata'), 1, 2, rodataOffset, rodata.length, 32); // PROGBITS, SHF_ALLOC
  section(name('.go.buildinfo'), 1, 3, dataOffset, 32, 16); // SHF_WRITE|SHF_ALLOC
  section(name('.data'), 1, 3, headersAt, data.length - 32, 32);
  section(name('.shstrtab'), 3, 0, shstrtabOffset, names.length, 1); // STRTAB
  return out.bytes();
}
