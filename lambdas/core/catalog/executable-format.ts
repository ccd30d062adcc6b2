/** Bytes needed to tell an executable format. */
export const EXECUTABLE_MAGIC_BYTES = 4;

/** ELF, Mach-O (either byte order, fat) or PE: the executable formats Go and Rust toolchains write. */
export function isExecutableFormat(head: Uint8Array): boolean {
  if (head.length < EXECUTABLE_MAGIC_BYTES) return false;
  const magic = ((head[0]! << 24) | (head[1]! << 16) | (head[2]! << 8) | head[3]!) >>> 0;
  return magic === 0x7f454c46 || [0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe, 0xcafebabe].includes(magic) || (head[0] === 0x4d && head[1] === 0x5a);
}
