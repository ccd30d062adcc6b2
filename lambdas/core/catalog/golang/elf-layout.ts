import { ByteReader } from './byte-reader.ts';
import { MAX_SECTIONS, MAX_SEGMENTS, type ExeLayout, type Segment, type SymbolTables } from './exe-layout.ts';

const PT_LOAD = 1;
const PF_W = 2;
const SHT_SYMTAB = 2;

/** Program headers give the segments (as debug/buildinfo reads them); section headers the symbol table. */
export function readElfLayout(head: Buffer): ExeLayout | undefined {
  const is64 = head[4] === 2;
  if (head[4] !== 1 && !is64) return undefined;
  const bigEndian = head[5] === 2;
  const r = new ByteReader(head, bigEndian);
  const word = is64 ? 8 : 4;
  const phoff = r.word(is64 ? 32 : 28, word);
  const shoff = r.word(is64 ? 40 : 32, word);
  const at = is64 ? 54 : 42; // e_phentsize, e_phnum, e_shentsize, e_shnum follow one another
  const [phentsize, phnum, shentsize, shnum] = [r.u16(at), r.u16(at + 2), r.u16(at + 4), r.u16(at + 6)];
  if (phoff === undefined || phentsize === undefined || phnum === undefined) return undefined;
  const segments: Segment[] = [];
  for (let i = 0; i < Math.min(phnum, MAX_SEGMENTS); i++) {
    const segment = programHeader(r, phoff + i * phentsize, is64);
    if (segment) segments.push(segment);
  }
  const symbols = shoff && shentsize && shnum ? symbolTables(r, shoff, shentsize, Math.min(shnum, MAX_SECTIONS), is64) : undefined;
  return { segments, ...(symbols ? { symbols } : {}) };
}

function programHeader(r: ByteReader, at: number, is64: boolean): Segment | undefined {
  const word = is64 ? 8 : 4;
  if (r.u32(at) !== PT_LOAD) return undefined;
  const flags = r.u32(is64 ? at + 4 : at + 24);
  const offset = r.word(is64 ? at + 8 : at + 4, word);
  const vaddr = r.word(is64 ? at + 16 : at + 8, word);
  const size = r.word(is64 ? at + 32 : at + 16, word);
  if (flags === undefined || offset === undefined || vaddr === undefined || !size) return undefined;
  return { vaddr, offset, size, writable: (flags & PF_W) !== 0 };
}

function symbolTables(r: ByteReader, shoff: number, shentsize: number, shnum: number, is64: boolean): SymbolTables | undefined {
  for (let i = 0; i < shnum; i++) {
    const at = shoff + i * shentsize;
    if (r.u32(at + 4) !== SHT_SYMTAB) continue;
    const symtab = section(r, at, is64);
    const link = r.u32(is64 ? at + 40 : at + 24);
    if (!symtab || link === undefined || link >= shnum) return undefined;
    const strtab = section(r, shoff + link * shentsize, is64);
    if (!strtab || symtab.entrySize < (is64 ? 24 : 16)) return undefined;
    return { symtab, strtab: { offset: strtab.offset, size: strtab.size }, is64, bigEndian: r.bigEndian };
  }
  return undefined;
}

function section(r: ByteReader, at: number, is64: boolean): { offset: number; size: number; entrySize: number } | undefined {
  const word = is64 ? 8 : 4;
  const offset = r.word(is64 ? at + 24 : at + 16, word);
  const size = r.word(is64 ? at + 32 : at + 20, word);
  const entrySize = r.word(is64 ? at + 56 : at + 36, word);
  return offset === undefined || size === undefined || entrySize === undefined ? undefined : { offset, size, entrySize };
}
