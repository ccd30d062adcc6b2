import { ByteReader } from './byte-reader.ts';
import { readElfLayout } from './elf-layout.ts';
import type { ExeLayout } from './exe-layout.ts';
import { readMachOLayout } from './macho-layout.ts';
import { readPeLayout } from './pe-layout.ts';

/**
 * The segment map of an ELF, Mach-O (thin) or PE file, read from its first bytes, where all three
 * keep their headers. Tables that lie beyond `head` are left out; undefined when the format is none of
 * these or the header is unreadable.
 */
export function readExeLayout(head: Buffer): ExeLayout | undefined {
  if (head.length < 4) return undefined;
  if (head.readUInt32BE(0) === 0x7f454c46) return readElfLayout(head);
  const le = head.readUInt32LE(0);
  if (le === 0xfeedface || le === 0xfeedfacf) return readMachOLayout(new ByteReader(head, false), le === 0xfeedfacf);
  const be = head.readUInt32BE(0);
  if (be === 0xfeedface || be === 0xfeedfacf) return readMachOLayout(new ByteReader(head, true), be === 0xfeedfacf);
  if (head[0] === 0x4d && head[1] === 0x5a) return readPeLayout(new ByteReader(head, false));
  return undefined;
}

