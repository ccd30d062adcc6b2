import { CustomsError } from '../../errors.ts';

/**
 * Reads the header blobs of rpm's NDB package database (`Packages.db`, SUSE), all little-endian:
 * a 32-byte file header ('RpmP', version 0, generation, slot page count, next package index), then
 * 4096-byte slot pages of 16-byte slots ('Slot', package index, block offset, block count; the first
 * two slots are the file header), then blobs in 16-byte blocks: a head ('BlbS', package index,
 * timestamp, length), the header blob, padding, and a tail (adler32, length, 'BlbE').
 *
 * Blobs are yielded in slot order as views into `bytes`, each checked as it is reached, so a caller
 * that catches the error keeps what came before the damage. Like rpm when it reads a package, this
 * does not verify the adler32 (rpm checks it only when it moves or deletes a blob).
 */

const FILE_MAGIC = magic('RpmP');
const SLOT_MAGIC = magic('Slot');
const BLOB_HEAD_MAGIC = magic('BlbS');
const BLOB_TAIL_MAGIC = magic('BlbE');
const VERSION = 0;

const FILE_HEADER_SIZE = 32;
const SLOT_PAGE_SIZE = 4096;
const SLOT_SIZE = 16;
const BLOCK_SIZE = 16;
const BLOB_HEAD_SIZE = 16;
const BLOB_TAIL_SIZE = 12;

export function* readNdbBlobs(bytes: Uint8Array): Generator<Uint8Array> {
  if (bytes.length < FILE_HEADER_SIZE) throw malformed(`NDB file is ${bytes.length} bytes, shorter than its ${FILE_HEADER_SIZE}-byte header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== FILE_MAGIC) throw malformed("not an rpm NDB file: no 'RpmP' magic at offset 0");
  const version = view.getUint32(4, true);
  if (version !== VERSION) throw new CustomsError('unsupported', `rpm NDB version ${version}; version ${VERSION} is read`);
  const slotPages = view.getUint32(12, true);
  if (slotPages < 1 || slotPages > bytes.length / SLOT_PAGE_SIZE) {
    throw malformed(`NDB header declares ${slotPages} slot pages, but the ${bytes.length}-byte file holds ${Math.floor(bytes.length / SLOT_PAGE_SIZE)}`);
  }
  const slotCount = (slotPages * SLOT_PAGE_SIZE) / SLOT_SIZE;
  const firstBlobBlock = (slotPages * SLOT_PAGE_SIZE) / BLOCK_SIZE;
  const fileBlocks = Math.floor(bytes.length / BLOCK_SIZE);
  const seenPackages = new Set<number>();
  for (let slot = FILE_HEADER_SIZE / SLOT_SIZE; slot < slotCount; slot++) {
    const at = slot * SLOT_SIZE;
    if (view.getUint32(at, true) !== SLOT_MAGIC) throw malformed(`NDB slot ${slot} at offset ${at} has no 'Slot' magic`);
    const pkgIdx = view.getUint32(at + 4, true);
    const blockOffset = view.getUint32(at + 8, true);
    const blockCount = view.getUint32(at + 12, true);
    if (blockOffset === 0) continue; // a free slot
    if (pkgIdx === 0 || blockCount === 0 || blockOffset < firstBlobBlock) {
      throw malformed(`NDB slot ${slot} at offset ${at} is invalid (package index ${pkgIdx}, block offset ${blockOffset}, block count ${blockCount})`);
    }
    if (blockOffset + blockCount > fileBlocks) {
      throw malformed(`NDB slot ${slot} (package index ${pkgIdx}) points at blocks ${blockOffset}+${blockCount}, past the end of the ${bytes.length}-byte file (truncated)`);
    }
    if (seenPackages.has(pkgIdx)) throw malformed(`NDB slot ${slot} repeats package index ${pkgIdx}`);
    seenPackages.add(pkgIdx);
    yield blob(bytes, view, slot, pkgIdx, blockOffset, blockCount);
  }
}

/** The header blob a slot points at, once its head and tail agree with the slot and with each other. */
function blob(bytes: Uint8Array, view: DataView, slot: number, pkgIdx: number, blockOffset: number, blockCount: number): Uint8Array {
  const start = blockOffset * BLOCK_SIZE;
  const where = `NDB blob of slot ${slot} at offset ${start}`;
  if (view.getUint32(start, true) !== BLOB_HEAD_MAGIC) throw malformed(`${where} has no 'BlbS' magic`);
  const headPkgIdx = view.getUint32(start + 4, true);
  if (headPkgIdx !== pkgIdx) throw malformed(`${where} belongs to package index ${headPkgIdx}, but the slot says ${pkgIdx}`);
  const length = view.getUint32(start + 12, true);
  if (Math.ceil((BLOB_HEAD_SIZE + length + BLOB_TAIL_SIZE) / BLOCK_SIZE) !== blockCount) {
    throw malformed(`${where} is ${length} bytes, which does not fill the slot's ${blockCount} blocks`);
  }
  const tail = start + blockCount * BLOCK_SIZE - BLOB_TAIL_SIZE;
  if (view.getUint32(tail + 4, true) !== length || view.getUint32(tail + 8, true) !== BLOB_TAIL_MAGIC) {
    throw malformed(`${where} has a tail at offset ${tail} that does not match its head`);
  }
  return bytes.subarray(start + BLOB_HEAD_SIZE, start + BLOB_HEAD_SIZE + length);
}

function magic(text: string): number {
  return (text.charCodeAt(0) | (text.charCodeAt(1) << 8) | (text.charCodeAt(2) << 16) | (text.charCodeAt(3) << 24)) >>> 0;
}

function malformed(message: string): CustomsError {
  return new CustomsError('malformed', message);
}
