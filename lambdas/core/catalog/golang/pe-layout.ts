import type { ByteReader } from './byte-reader.ts';
import { MAX_SEGMENTS, type ExeLayout, type Segment } from './exe-layout.ts';

const IMAGE_SCN_MEM_WRITE = 0x80000000;

/** A PE's sections, at the image base its optional header names, as debug/buildinfo maps them. */
export function readPeLayout(r: ByteReader): ExeLayout | undefined {
  const pe = r.u32(0x3c);
  if (pe === undefined || r.u32(pe) !== 0x00004550) return undefined;
  const count = r.u16(pe + 6);
  const optionalSize = r.u16(pe + 20);
  const optional = pe + 24;
  const magic = r.u16(optional);
  const imageBase = magic === 0x20b ? r.u64(optional + 24) : magic === 0x10b ? r.u32(optional + 28) : undefined;
  if (count === undefined || optionalSize === undefined || imageBase === undefined) return undefined;
  const segments: Segment[] = [];
  for (let i = 0; i < Math.min(count, MAX_SEGMENTS); i++) {
    const at = optional + optionalSize + i * 40;
    const [virtualAddress, rawSize, rawOffset, characteristics] = [r.u32(at + 12), r.u32(at + 16), r.u32(at + 20), r.u32(at + 36)];
    if (virtualAddress === undefined || rawSize === undefined || rawOffset === undefined || characteristics === undefined) break;
    // As debug/buildinfo: a section's file bytes (SizeOfRawData) are what an address can reach.
    if (rawSize > 0) segments.push({ vaddr: imageBase + virtualAddress, offset: rawOffset, size: rawSize, writable: (characteristics & IMAGE_SCN_MEM_WRITE) !== 0 });
  }
  return { segments };
}
