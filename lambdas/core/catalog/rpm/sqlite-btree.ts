import { CustomsError } from '../../errors.ts';
import { readSizeVarint, readVarint } from './sqlite-record.ts';

/**
 * Pages and table b-trees of an SQLite 3 file (https://www.sqlite.org/fileformat2.html), read-only.
 * Every page reached during one table walk is claimed once, so cycles and pages shared between
 * structures (a loop in an overflow chain, an interior page pointing at itself) are errors, and the
 * total work of a walk is bounded by the file size.
 */
export interface SqlitePager {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly pageSize: number;
  /** Page size minus the reserved bytes at the end of each page ("U" in the spec). */
  readonly usableSize: number;
  /** Pages in the database: the header's count when valid, else what the file holds. */
  readonly pageCount: number;
}

/** One row of a table b-tree, payload unparsed. */
export interface TableCell {
  readonly rowid: number | bigint;
  readonly payload: Uint8Array;
  readonly page: number;
}

const MAGIC = 'SQLite format 3\0';
// SQLite itself refuses trees deeper than this (BTCURSOR_MAX_DEPTH); it also caps our recursion.
const MAX_DEPTH = 20;
const INTERIOR_TABLE = 0x05;
const LEAF_TABLE = 0x0d;

/** Validates the 100-byte file header. WAL files (versions 2) are fine: we read the main file only. */
export function openSqlitePager(bytes: Uint8Array): SqlitePager {
  if (bytes.length < 100) throw malformed(`file is ${bytes.length} bytes, shorter than the 100-byte header`);
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC.charCodeAt(i)) throw malformed('header offset 0: magic is not "SQLite format 3"');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const rawPageSize = view.getUint16(16);
  const pageSize = rawPageSize === 1 ? 65536 : rawPageSize;
  if (pageSize < 512 || (pageSize & (pageSize - 1)) !== 0) {
    throw malformed(`header offset 16: page size ${rawPageSize} is not a power of two from 512 to 65536`);
  }
  const readVersion = view.getUint8(19);
  if (readVersion > 2) {
    throw new CustomsError('unsupported', `sqlite: header offset 19: read format version ${readVersion} is newer than 2 (WAL)`);
  }
  const usableSize = pageSize - view.getUint8(20);
  if (usableSize < 480) throw malformed(`header offset 20: ${pageSize - usableSize} reserved bytes leave ${usableSize} usable, under 480`);
  if (view.getUint8(21) !== 64 || view.getUint8(22) !== 32 || view.getUint8(23) !== 32) {
    throw malformed('header offset 21: payload fractions are not 64/32/32');
  }
  const encoding = view.getUint32(56);
  // 0 appears in files whose schema is still empty; SQLite then defaults to UTF-8.
  if (encoding === 2 || encoding === 3) {
    throw new CustomsError('unsupported', `sqlite: header offset 56: text encoding UTF-16${encoding === 2 ? 'le' : 'be'} is not supported`);
  }
  if (encoding > 3) throw malformed(`header offset 56: unknown text encoding ${encoding}`);
  // The header's page count is valid only when written by a version that also set offset 92.
  const headerCount = view.getUint32(28);
  const headerCountValid = headerCount !== 0 && view.getUint32(24) === view.getUint32(92);
  const pageCount = headerCountValid ? headerCount : Math.floor(bytes.length / pageSize);
  return { bytes, view, pageSize, usableSize, pageCount };
}

/** Byte offset of page `page`, after checking it exists both in the database and in the file. */
export function pageOffset(pager: SqlitePager, page: number, from: string): number {
  if (page < 1 || page > pager.pageCount) {
    throw malformed(`page ${page} (${from}) is outside the database's ${pager.pageCount} pages`);
  }
  const offset = (page - 1) * pager.pageSize;
  if (offset + pager.pageSize > pager.bytes.length) {
    throw malformed(`page ${page} (${from}) ends at byte ${offset + pager.pageSize}, past the end of the ${pager.bytes.length}-byte file`);
  }
  return offset;
}

/** Yields the rows of the table b-tree rooted at `root` in rowid order, as they are read. */
export function* walkTable(pager: SqlitePager, root: number): Generator<TableCell> {
  const walk: Walk = { pager, claimed: new Set(), lastRowid: undefined };
  yield* walkPage(walk, root, 0, `root page of the table`);
}

interface Walk {
  readonly pager: SqlitePager;
  readonly claimed: Set<number>;
  lastRowid: number | bigint | undefined;
}

function* walkPage(walk: Walk, page: number, depth: number, from: string): Generator<TableCell> {
  if (depth > MAX_DEPTH) throw malformed(`page ${page} (${from}): table b-tree is deeper than ${MAX_DEPTH} levels`);
  const { pager } = walk;
  const base = claim(walk, page, from);
  const header = base + (page === 1 ? 100 : 0);
  const end = base + pager.usableSize;
  const type = pager.view.getUint8(header);
  if (type !== INTERIOR_TABLE && type !== LEAF_TABLE) {
    throw malformed(`page ${page} (${from}): type byte 0x${type.toString(16)} at file offset ${header} is not a table b-tree page`);
  }
  const pointers = header + (type === LEAF_TABLE ? 8 : 12);
  const cellCount = pager.view.getUint16(header + 3);
  const contentStart = pointers + 2 * cellCount;
  if (contentStart > end) throw malformed(`page ${page}: ${cellCount} cell pointers do not fit in the page`);
  let cellBytes = 0;
  for (let i = 0; i < cellCount; i++) {
    const cell = base + pager.view.getUint16(pointers + 2 * i);
    if (cell < contentStart || cell >= end) {
      throw malformed(`page ${page}: cell ${i} pointer ${cell - base} lies outside the cell content area`);
    }
    if (type === INTERIOR_TABLE) {
      if (cell + 4 > end) throw malformed(`page ${page}: interior cell ${i} at offset ${cell - base} runs past the page`);
      const child = pager.view.getUint32(cell);
      readVarint(pager.bytes, cell + 4, end, `page ${page} interior cell ${i} key`); // validated, not needed
      yield* walkPage(walk, child, depth + 1, `child of page ${page} cell ${i}`);
      continue;
    }
    const leaf = readLeafCell(walk, page, cell, end);
    // Cells never overlap in a sound page; bounding their total keeps hostile pages linear.
    cellBytes += leaf.size;
    if (cellBytes > pager.usableSize) throw malformed(`page ${page}: cells overlap (their sizes exceed the page)`);
    if (walk.lastRowid !== undefined && leaf.rowid <= walk.lastRowid) {
      throw malformed(`page ${page}: rowid ${leaf.rowid} at offset ${cell - base} is not above the previous rowid ${walk.lastRowid}`);
    }
    walk.lastRowid = leaf.rowid;
    yield { rowid: leaf.rowid, payload: leaf.payload, page };
  }
  if (type === INTERIOR_TABLE) {
    yield* walkPage(walk, pager.view.getUint32(header + 8), depth + 1, `right child of page ${page}`);
  }
}

function readLeafCell(walk: Walk, page: number, cell: number, end: number): { rowid: number | bigint; payload: Uint8Array; size: number } {
  const { pager } = walk;
  const where = `page ${page} cell at offset ${cell - (page - 1) * pager.pageSize}`;
  const payloadSize = readSizeVarint(pager.bytes, cell, end, where);
  const rowid = readVarint(pager.bytes, cell + payloadSize.length, end, where);
  const start = cell + payloadSize.length + rowid.length;
  const total = payloadSize.value as number;
  const local = localPayloadSize(total, pager.usableSize);
  if (start + local > end) throw malformed(`${where}: ${local} local payload bytes run past the page`);
  if (local === total) return { rowid: rowid.value, payload: pager.bytes.subarray(start, start + local), size: start + local - cell };
  if (start + local + 4 > end) throw malformed(`${where}: overflow page number runs past the page`);
  const first = pager.view.getUint32(start + local);
  const payload = readOverflow(walk, pager.bytes.subarray(start, start + local), total, first, `${where} (rowid ${rowid.value})`);
  return { rowid: rowid.value, payload, size: start + local + 4 - cell };
}

/** Bytes of a table leaf cell's payload kept on the page; the formulas of the spec, section 1.6. */
function localPayloadSize(total: number, usable: number): number {
  const maxLocal = usable - 35;
  if (total <= maxLocal) return total;
  const minLocal = Math.floor(((usable - 12) * 32) / 255) - 23;
  const k = minLocal + ((total - minLocal) % (usable - 4));
  return k <= maxLocal ? k : minLocal;
}

function readOverflow(walk: Walk, local: Uint8Array, total: number, first: number, where: string): Uint8Array {
  const { pager } = walk;
  const perPage = pager.usableSize - 4;
  // Checked before allocating: a payload can never need more pages than the file holds.
  const filePages = Math.floor(pager.bytes.length / pager.pageSize);
  if (Math.ceil((total - local.length) / perPage) > filePages) {
    throw malformed(`${where}: declared payload of ${total} bytes needs more overflow pages than the file's ${filePages}`);
  }
  const payload = new Uint8Array(total);
  payload.set(local);
  let filled = local.length;
  let next = first;
  while (filled < total) {
    if (next === 0) throw malformed(`${where}: overflow chain ends after ${filled} of ${total} payload bytes`);
    const base = claim(walk, next, `overflow chain of ${where}`);
    const take = Math.min(perPage, total - filled);
    payload.set(pager.bytes.subarray(base + 4, base + 4 + take), filled);
    filled += take;
    next = pager.view.getUint32(base);
  }
  return payload;
}

/** Marks a page as used by this walk; a second visit means a cycle or a shared page. */
function claim(walk: Walk, page: number, from: string): number {
  if (walk.claimed.has(page)) throw malformed(`page ${page} (${from}) was already visited: the page references form a cycle`);
  const offset = pageOffset(walk.pager, page, from);
  walk.claimed.add(page);
  return offset;
}

function malformed(message: string): CustomsError {
  return new CustomsError('malformed', `sqlite: ${message}`);
}
