/** A run of the file loaded at a virtual address: what a pointer in a binary refers to. */
export interface Segment {
  readonly vaddr: number;
  readonly offset: number;
  readonly size: number;
  readonly writable: boolean;
}

/** Where an ELF's symbol table and its names lie in the file. */
export interface SymbolTables {
  readonly symtab: { readonly offset: number; readonly size: number; readonly entrySize: number };
  readonly strtab: { readonly offset: number; readonly size: number };
  readonly is64: boolean;
  readonly bigEndian: boolean;
}

export interface ExeLayout {
  readonly segments: readonly Segment[];
  readonly symbols?: SymbolTables;
}

// Caps on table sizes: real binaries have a handful of segments and at most a few hundred sections.
export const MAX_SEGMENTS = 256;
export const MAX_SECTIONS = 4096;

/** The file offset of `length` bytes at `vaddr`, when one segment holds them all in the file. */
export function fileOffsetOf(layout: ExeLayout, vaddr: number, length: number): number | undefined {
  for (const segment of layout.segments) {
    if (vaddr >= segment.vaddr && vaddr + length <= segment.vaddr + segment.size) return segment.offset + (vaddr - segment.vaddr);
  }
  return undefined;
}
