import { ByteReader } from './byte-reader.ts';
import { fileOffsetOf, type ExeLayout, type Segment, type SymbolTables } from './exe-layout.ts';
import type { StreamReads } from './stream-reads.ts';
import { MAX_VERSION_VALUE } from './go-version-variable.ts';

// Bounds on what is remembered between the file's parts; past them the later ones are not kept.
const MAX_STRINGS = 16_384;
const MAX_HEADERS = 4096;
const MAX_NAME = 256;
const VERSION_LIKE = /v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?/g;

interface Seen {
  readonly offset: number;
  readonly text: string;
}

/**
 * String variables set by `-ldflags -X`, found by name in a streamed ELF without holding it: the
 * linker puts the value in rodata, its string header in .data, the variable's name in .symtab and
 * .strtab, in that order in the file. So: remember version-like strings in read-only segments, then
 * string headers in writable ones that point into them, then symbols at those headers, then read
 * their names as .strtab streams past. Stripped binaries (-s) have no .symtab and give nothing.
 */
export class ElfVersionSymbols {
  private readonly strings: Seen[] = [];
  private readonly headers = new Map<number, string>(); // string header address → value
  private readonly found = new Map<string, string>(); // symbol → value
  private readonly pointerSize: 4 | 8;
  private readonly readOnly: Segment[];
  private readonly writable: Segment[];
  private stringsUpTo = 0;
  private dataUpTo = 0;
  private symbolsUpTo = 0;
  private position = 0;
  private names = 0;

  constructor(
    private readonly layout: ExeLayout,
    private readonly tables: SymbolTables,
    private readonly reads: StreamReads,
  ) {
    this.pointerSize = tables.is64 ? 8 : 4;
    this.readOnly = layout.segments.filter((segment) => !segment.writable);
    this.writable = layout.segments.filter((segment) => segment.writable);
  }

  /** Whether the stream has passed everything this needs and every name read has been answered. */
  get done(): boolean {
    return this.position >= this.tables.symtab.offset + this.tables.symtab.size && this.reads.size === 0;
  }

  /** Symbol → value of every version-like string variable named in the symbol table. */
  variables(): ReadonlyMap<string, string> {
    return this.found;
  }

  /** `window` holds the file from `base`; `keep` bytes at its end come again in the next window. */
  scan(window: Buffer, base: number, keep: number): void {
    const end = base + window.length - keep;
    this.position = base + window.length;
    for (const segment of this.readOnly) this.scanStrings(window, base, segment, end);
    for (const segment of this.writable) this.scanHeaders(window, base, segment);
    this.scanSymbols(window, base);
  }

  private scanStrings(window: Buffer, base: number, segment: Segment, end: number): void {
    const from = Math.max(base, segment.offset, this.stringsUpTo);
    const to = Math.min(base + window.length, segment.offset + segment.size);
    if (from >= to || this.strings.length >= MAX_STRINGS) return;
    let upTo = Math.min(to, end);
    for (const match of window.toString('latin1', from - base, to - base).matchAll(VERSION_LIKE)) {
      const offset = from + match.index;
      if (offset >= end || this.strings.length >= MAX_STRINGS) break;
      // A match touching the window's end may go on: the next window, which repeats it, decides.
      if (offset + match[0].length >= base + window.length) {
        upTo = offset;
        break;
      }
      if (match[0].length <= MAX_VERSION_VALUE) this.strings.push({ offset, text: match[0] });
    }
    this.stringsUpTo = Math.max(this.stringsUpTo, upTo);
  }

  private scanHeaders(window: Buffer, base: number, segment: Segment): void {
    const size = this.pointerSize;
    const r = new ByteReader(window, this.tables.bigEndian);
    const limit = Math.min(base + window.length, segment.offset + segment.size) - 2 * size;
    let offset = Math.max(base, segment.offset, this.dataUpTo);
    offset += (size - ((segment.vaddr + offset - segment.offset) % size)) % size;
    for (; offset <= limit && this.headers.size < MAX_HEADERS; offset += size) {
      const length = r.word(offset - base + size, size);
      if (!length || length > MAX_VERSION_VALUE) continue;
      const address = r.word(offset - base, size);
      const target = address === undefined ? undefined : fileOffsetOf(this.layout, address, length);
      const value = target === undefined ? undefined : this.stringAt(target, length);
      if (value) this.headers.set(segment.vaddr + offset - segment.offset, value);
    }
    this.dataUpTo = Math.max(this.dataUpTo, offset);
  }

  private scanSymbols(window: Buffer, base: number): void {
    const { offset: start, size: tableSize, entrySize } = this.tables.symtab;
    if (this.headers.size === 0 || entrySize <= 0) return;
    const r = new ByteReader(window, this.tables.bigEndian);
    const from = Math.max(this.symbolsUpTo, start, base);
    let at = from + ((entrySize - ((from - start) % entrySize)) % entrySize);
    for (; at + entrySize <= Math.min(start + tableSize, base + window.length); at += entrySize) {
      const value = r.word(at - base + (this.tables.is64 ? 8 : 4), this.pointerSize);
      const text = value === undefined ? undefined : this.headers.get(value);
      const name = r.u32(at - base);
      if (text !== undefined && name !== undefined) this.readName(name, text);
    }
    this.symbolsUpTo = Math.max(this.symbolsUpTo, at);
  }

  private readName(name: number, value: string): void {
    const { offset, size } = this.tables.strtab;
    if (name >= size || this.names++ >= MAX_HEADERS) return;
    this.reads.request(offset + name, Math.min(MAX_NAME, size - name), (bytes) => {
      const nul = bytes.indexOf(0);
      if (nul > 0) this.found.set(bytes.toString('latin1', 0, nul), value);
    });
  }

  /** The `length` bytes at `offset` when they lie inside a remembered version-like string. */
  private stringAt(offset: number, length: number): string | undefined {
    let low = 0;
    let high = this.strings.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const seen = this.strings[middle]!;
      if (offset < seen.offset) high = middle - 1;
      else if (offset >= seen.offset + seen.text.length) low = middle + 1;
      else return offset + length <= seen.offset + seen.text.length ? seen.text.slice(offset - seen.offset, offset - seen.offset + length) : undefined;
    }
    return undefined;
  }
}
