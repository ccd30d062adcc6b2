import type { ByteReader } from './byte-reader.ts';
import { MAX_SEGMENTS, type ExeLayout, type Segment } from './exe-layout.ts';

const LC_SEGMENT = 0x1;
const LC_SEGMENT_64 = 0x19;
const VM_PROT_WRITE = 2;

/** A thin Mach-O's segments from its load commands, which follow the header. */
export function readMachOLayout(r: ByteReader, is64: boolean): ExeLayout | undefined {
  const ncmds = r.u32(16);
  if (ncmds === undefined) return undefined;
  const segments: Segment[] = [];
  let at = is64 ? 32 : 28;
  for (let i = 0; i < Math.min(ncmds, MAX_SEGMENTS * 4); i++) {
    const cmd = r.u32(at);
    const size = r.u32(at + 4);
    if (cmd === undefined || size === undefined || size < 8) break;
    const segment = cmd === LC_SEGMENT_64 ? segment64(r, at) : cmd === LC_SEGMENT ? segment32(r, at) : undefined;
    if (segment && segments.length < MAX_SEGMENTS) segments.push(segment);
    at += size;
  }
  return { segments };
}

function segment64(r: ByteReader, at: number): Segment | undefined {
  const [vaddr, offset, size, prot] = [r.u64(at + 24), r.u64(at + 40), r.u64(at + 48), r.u32(at + 60)];
  return vaddr === undefined || offset === undefined || !size || prot === undefined ? undefined : { vaddr, offset, size, writable: (prot & VM_PROT_WRITE) !== 0 };
}

function segment32(r: ByteReader, at: number): Segment | undefined {
  const [vaddr, offset, size, prot] = [r.u32(at + 24), r.u32(at + 32), r.u32(at + 36), r.u32(at + 44)];
  return vaddr === undefined || offset === undefined || !size || prot === undefined ? undefined : { vaddr, offset, size, writable: (prot & VM_PROT_WRITE) !== 0 };
}
