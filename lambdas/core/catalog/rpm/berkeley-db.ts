import { CustomsError } from '../../errors.ts';

/**
 * Reads every value of a BerkeleyDB hash database (rpm's `Packages`: Hash v8/v9, page size 512..65536,
 * either byte order), without BerkeleyDB. Pages are scanned in file order and each key/data pair on a
 * hash page is read; values too big for a page live on chains of overflow pages, which are followed.
 *
 * rpm keeps the largest instance number under key 0 (a 4-byte key of zeros): that record is skipped
 * here. Any other value is yielded as is, so a caller should still skip values too short to be an rpm
 * header (< 8 bytes). Yielded arrays may be views into `bytes`.
 *
 * Values are yielded as they are found, so a caller that catches the error keeps what came before
 * the damage. Damage throws CustomsError('malformed'); other BerkeleyDB kinds throw 'unsupported'.
 */

const HASH_MAGIC = 0x061561;
const OTHER_MAGICS = new Map([
  [0x053162, 'btree'],
  [0x042253, 'queue'],
  [0x074582, 'heap'],
]);
const HASH_VERSIONS = new Set([8, 9]);

// Page types (byte 25 of every page header).
const P_HASH_UNSORTED = 2;
const P_OVERFLOW = 7;
const P_HASHMETA = 8;
const P_HASH = 13;

// Item types (first byte of every item on a hash page).
const H_KEYDATA = 1;
const H_DUPLICATE = 2;
const H_OFFPAGE = 3;
const H_OFFDUP = 4;
const HOFFPAGE_SIZE = 12;

const PAGE_HEADER_SIZE = 26;
// With page checksums on, 6 more bytes (2 padding, 4 checksum) sit before the item index.
const CHECKSUM_PAGE_HEADER_SIZE = 32;
const DBMETA_CHKSUM = 0x01;

interface Database {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly littleEndian: boolean;
  readonly pageSize: number;
  /** Bytes before a page's item index, and before an overflow page's data. */
  readonly overhead: number;
  readonly lastPage: number;
  /** Overflow pages already read: a page reached twice means a loop or a shared chain. */
  readonly seenOverflow: Uint8Array;
}

export function* readBerkeleyDbValues(bytes: Uint8Array): Generator<Uint8Array> {
  const db = openHashDatabase(bytes);
  for (let pgno = 1; pgno <= db.lastPage; pgno++) {
    const start = pageStart(db, pgno, `page ${pgno}`);
    const type = bytes[start + 25];
    if (type !== P_HASH && type !== P_HASH_UNSORTED) continue;
    yield* hashPageValues(db, pgno, start);
  }
}

function openHashDatabase(bytes: Uint8Array): Database {
  if (bytes.length < 512) throw malformed(`BerkeleyDB file is ${bytes.length} bytes, too short for a metadata page`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magicLe = view.getUint32(12, true);
  const magicBe = view.getUint32(12, false);
  const littleEndian = magicLe === HASH_MAGIC;
  if (!littleEndian && magicBe !== HASH_MAGIC) {
    const other = OTHER_MAGICS.get(magicLe) ?? OTHER_MAGICS.get(magicBe);
    if (other) throw new CustomsError('unsupported', `BerkeleyDB ${other} database; only hash databases (rpm Packages) are read`);
    throw malformed(`not a BerkeleyDB file: magic 0x${magicLe.toString(16)} at offset 12`);
  }
  const version = view.getUint32(16, littleEndian);
  if (!HASH_VERSIONS.has(version)) throw new CustomsError('unsupported', `BerkeleyDB hash version ${version}; versions 8 and 9 are read`);
  const pageSize = view.getUint32(20, littleEndian);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) {
    throw malformed(`BerkeleyDB page size ${pageSize} is not a power of two in 512..65536`);
  }
  if (bytes[24] !== 0) throw new CustomsError('unsupported', 'BerkeleyDB database is encrypted');
  if (bytes[25] !== P_HASHMETA) throw malformed(`BerkeleyDB metadata page has type ${bytes[25]}, expected hash metadata (${P_HASHMETA})`);
  const overhead = (bytes[26]! & DBMETA_CHKSUM) !== 0 ? CHECKSUM_PAGE_HEADER_SIZE : PAGE_HEADER_SIZE;
  const lastPage = view.getUint32(32, littleEndian);
  // Sized by the file, not by last_pgno: pages beyond the file are rejected before they are marked.
  const pagesInFile = Math.floor(bytes.length / pageSize);
  return { bytes, view, littleEndian, pageSize, overhead, lastPage, seenOverflow: new Uint8Array(pagesInFile) };
}

function* hashPageValues(db: Database, pgno: number, start: number): Generator<Uint8Array> {
  checkPageNumber(db, pgno, start);
  const entries = u16(db, start + 20);
  const indexEnd = db.overhead + entries * 2;
  if (entries % 2 !== 0 || indexEnd > db.pageSize) throw malformed(`hash page ${pgno} has ${entries} entries, not key/data pairs that fit the page`);
  for (let i = 0; i < entries; i += 2) {
    const key = item(db, pgno, start, indexEnd, i);
    const data = item(db, pgno, start, indexEnd, i + 1);
    if (isInstanceCounterKey(db, key)) continue;
    yield itemValue(db, pgno, i + 1, data);
  }
}

interface Item {
  readonly start: number;
  readonly length: number;
}

/** Items are packed from the page end downwards in index order, so item i ends where item i-1 starts. */
function item(db: Database, pgno: number, pageStart: number, indexEnd: number, i: number): Item {
  const offset = u16(db, pageStart + db.overhead + i * 2);
  const end = i === 0 ? db.pageSize : u16(db, pageStart + db.overhead + (i - 1) * 2);
  if (offset < indexEnd || offset >= end) {
    throw malformed(`hash page ${pgno} item ${i} at page offset ${offset} lies outside ${indexEnd}..${end}`);
  }
  return { start: pageStart + offset, length: end - offset };
}

/** rpm's key 0 (4 zero bytes) holds the largest instance number, not a header. */
function isInstanceCounterKey(db: Database, key: Item): boolean {
  if (db.bytes[key.start] !== H_KEYDATA || key.length !== 5) return false;
  return db.view.getUint32(key.start + 1) === 0;
}

function itemValue(db: Database, pgno: number, i: number, data: Item): Uint8Array {
  const type = db.bytes[data.start];
  if (type === H_KEYDATA) return db.bytes.subarray(data.start + 1, data.start + data.length);
  if (type === H_OFFPAGE) {
    if (data.length < HOFFPAGE_SIZE) throw malformed(`hash page ${pgno} item ${i} is an off-page reference of only ${data.length} bytes`);
    const first = db.view.getUint32(data.start + 4, db.littleEndian);
    const length = db.view.getUint32(data.start + 8, db.littleEndian);
    return overflowValue(db, first, length, `hash page ${pgno} item ${i}`);
  }
  if (type === H_DUPLICATE || type === H_OFFDUP) {
    throw new CustomsError('unsupported', `hash page ${pgno} item ${i} holds duplicate values, which rpm databases do not use`);
  }
  throw malformed(`hash page ${pgno} item ${i} has unknown item type ${type}`);
}

/** Joins the data of an overflow chain; the declared total length must match exactly. */
function overflowValue(db: Database, first: number, length: number, owner: string): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (let pgno = first; ; ) {
    if (pgno === 0) throw malformed(`${owner}: overflow chain ends after ${total} of ${length} bytes`);
    const start = pageStart(db, pgno, `overflow page ${pgno} of ${owner}`);
    if (db.seenOverflow[pgno] !== 0) throw malformed(`${owner}: overflow page ${pgno} is reached twice (a loop or a shared chain)`);
    db.seenOverflow[pgno] = 1;
    checkPageNumber(db, pgno, start);
    if (db.bytes[start + 25] !== P_OVERFLOW) throw malformed(`${owner}: page ${pgno} in its overflow chain has type ${db.bytes[start + 25]}`);
    const used = u16(db, start + 22);
    if (used > db.pageSize - db.overhead || total + used > length) {
      throw malformed(`${owner}: overflow page ${pgno} holds ${used} bytes, more than fits the page or the ${length}-byte value`);
    }
    chunks.push(db.bytes.subarray(start + db.overhead, start + db.overhead + used));
    total += used;
    const next = db.view.getUint32(start + 16, db.littleEndian);
    if (total === length && next === 0) break;
    if (total === length) throw malformed(`${owner}: overflow chain continues past page ${pgno} after its ${length} bytes`);
    pgno = next;
  }
  return concat(chunks, total);
}

function pageStart(db: Database, pgno: number, what: string): number {
  if (pgno > db.lastPage) throw malformed(`${what} is past the last page (${db.lastPage})`);
  const start = pgno * db.pageSize;
  if (start + db.pageSize > db.bytes.length) throw malformed(`${what} at offset ${start} is past the end of the ${db.bytes.length}-byte file (truncated)`);
  return start;
}

function checkPageNumber(db: Database, pgno: number, start: number): void {
  const recorded = db.view.getUint32(start + 8, db.littleEndian);
  if (recorded !== pgno) throw malformed(`page ${pgno} at offset ${start} records itself as page ${recorded}`);
}

function u16(db: Database, offset: number): number {
  return db.view.getUint16(offset, db.littleEndian);
}

function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

function malformed(message: string): CustomsError {
  return new CustomsError('malformed', message);
}
