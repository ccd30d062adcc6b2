import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../../../support/seeded-random.ts';
import { CustomsError, isCustomsError } from '../../../../../lambdas/core/errors.ts';
import { readRpmSqliteBlobs } from '../../../../../lambdas/core/catalog/rpm/rpm-sqlite.ts';
import { readTableRows, type SqliteRow, type SqliteValue } from '../../../../../lambdas/core/catalog/rpm/sqlite-file.ts';
import { sharedFixtures } from '../../../../support/paths.ts';

// Every expectation below comes from the real sqlite3 CLI reading the same file.
let dir = '';
let counter = 0;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'customs-sqlite-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function sqlite(db: string, ...commands: string[]): string {
  return execFileSync('/usr/bin/sqlite3', ['-batch', db, ...commands], { encoding: 'utf8', maxBuffer: 1 << 30 });
}

/** Creates a database from SQL and returns its path and bytes. */
function build(...commands: string[]): { path: string; bytes: Uint8Array } {
  const path = join(dir, `db-${++counter}.sqlite`);
  sqlite(path, ...commands);
  return { path, bytes: new Uint8Array(readFileSync(path)) };
}

function safe(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

/** What sqlite3 holds in `table`, typed exactly: integers, IEEE-754 bits of floats, raw text and blob bytes. */
function sqliteRows(db: string, table: string, columns: readonly string[]): SqliteRow[] {
  const select = columns
    .map((c) => `typeof(${c}), CASE typeof(${c}) WHEN 'real' THEN hex(ieee754_to_blob(${c})) WHEN 'integer' THEN CAST(${c} AS TEXT) ELSE hex(${c}) END`)
    .join(', ');
  const output = sqlite(db, `SELECT rowid, ${select} FROM ${table} ORDER BY rowid`);
  return output
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [rowid = '', ...fields] = line.split('|');
      const values: SqliteValue[] = [];
      for (let i = 0; i < fields.length; i += 2) values.push(typed(fields[i] ?? '', fields[i + 1] ?? ''));
      return { rowid: safe(BigInt(rowid)), values };
    });
}

function typed(type: string, text: string): SqliteValue {
  switch (type) {
    case 'null':
      return null;
    case 'integer':
      return safe(BigInt(text));
    case 'real':
      return Buffer.from(text, 'hex').readDoubleBE(0);
    case 'text':
      return Buffer.from(text, 'hex').toString('utf8');
    default:
      return new Uint8Array(Buffer.from(text, 'hex'));
  }
}

/** Reads rows until the reader throws, keeping what came before. */
function readUntilError(bytes: Uint8Array, table: string): { rows: SqliteRow[]; error: unknown } {
  const rows: SqliteRow[] = [];
  try {
    for (const row of readTableRows(bytes, table)) rows.push(row);
  } catch (error) {
    return { rows, error };
  }
  return { rows, error: undefined };
}

function expectMalformed(error: unknown, mentioning?: string): void {
  expect(error).toBeInstanceOf(CustomsError);
  expect((error as CustomsError).code).toBe('malformed');
  if (mentioning !== undefined) expect((error as CustomsError).message).toContain(mentioning);
}

const COLUMNS = ['id', 'name', 'n', 'f', 'b', 'z'] as const;

// Every serial type: 0/1 constants, ints of 1-8 bytes, floats, texts and blobs (some 100 KB, so
// overflow chains), a long text that overflows, thousands of rows (interior pages) and rowid gaps.
const POPULATE = [
  'CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, n INTEGER, f REAL, b BLOB, z);',
  `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000)
   INSERT INTO t SELECT x * 3, 'name-' || x || ' ✓ é',
     CASE x % 9 WHEN 0 THEN 0 WHEN 1 THEN 1 WHEN 2 THEN -x WHEN 3 THEN x * 1000 WHEN 4 THEN -x * 100000
       WHEN 5 THEN x * 10000000000 WHEN 6 THEN 9223372036854775807 - x WHEN 7 THEN -9223372036854775807 - 1 + x ELSE NULL END,
     x / 7.0 - 100,
     CASE WHEN x % 600 = 0 THEN randomblob(100000) ELSE randomblob(x % 40) END,
     CASE x % 4 WHEN 0 THEN NULL WHEN 1 THEN x WHEN 2 THEN 'z' || x ELSE x * 0.5 END
   FROM c;`,
  'DELETE FROM t WHERE id % 7 = 0;',
  "INSERT INTO t(id, name, z) VALUES (20000, hex(randomblob(20000)), x'');",
].join('\n');

describe('readTableRows against sqlite3', () => {
  it.each([512, 4096, 65536])('reads every value of a %i-byte-page database exactly', (pageSize) => {
    const db = build(`PRAGMA page_size=${pageSize};`, POPULATE);
    const rows = [...readTableRows(db.bytes, 't')];
    expect(rows.length).toBeGreaterThan(2500);
    expect(rows).toEqual(sqliteRows(db.path, 't', COLUMNS));
    // The INTEGER PRIMARY KEY column reads as the rowid, not the NULL stored in the record.
    expect(rows.every((row) => row.values[0] === row.rowid)).toBe(true);
  });

  it('honours reserved bytes at the end of each page in the overflow arithmetic', () => {
    const db = build('.filectrl reserve_bytes 40', 'PRAGMA page_size=1024;', POPULATE);
    expect(db.bytes[20]).toBe(40);
    expect([...readTableRows(db.bytes, 't')]).toEqual(sqliteRows(db.path, 't', COLUMNS));
  });

  it.each(['FULL', 'INCREMENTAL'])('reads an auto_vacuum=%s database (pointer-map pages)', (mode) => {
    const db = build(`PRAGMA auto_vacuum=${mode}; PRAGMA page_size=1024;`, POPULATE, 'DELETE FROM t WHERE id % 5 = 0;');
    expect([...readTableRows(db.bytes, 't')]).toEqual(sqliteRows(db.path, 't', COLUMNS));
  });

  it('reads the main file of a WAL-mode database', () => {
    const db = build('PRAGMA journal_mode=WAL;', POPULATE);
    expect([db.bytes[18], db.bytes[19]]).toEqual([2, 2]);
    expect([...readTableRows(db.bytes, 't')]).toEqual(sqliteRows(db.path, 't', COLUMNS));
  });

  it('finds tables case-insensitively and knows which columns alias the rowid', () => {
    const db = build(
      `CREATE TABLE "My Table"(k INTEGER, v 'TEXT', PRIMARY KEY(k));
       CREATE TABLE u(k INT PRIMARY KEY, v);
       CREATE TABLE d(k INTEGER PRIMARY KEY DESC, v);
       CREATE TABLE [odd "name"](/* comment, ( */ k "INTEGER" -- note )
         CONSTRAINT pk PRIMARY KEY AUTOINCREMENT, v NOT NULL DEFAULT 'a,b)', CHECK (v <> ''));
       INSERT INTO "My Table" VALUES (5, 'five'), (-3, 'minus three');
       INSERT INTO u VALUES (7, 'seven'), (2, 'two');
       INSERT INTO d VALUES (9, 'nine'), (NULL, 'null');
       INSERT INTO [odd "name"] VALUES (11, 'x');`,
    );
    expect([...readTableRows(db.bytes, 'my table')]).toEqual(sqliteRows(db.path, '"My Table"', ['k', 'v']));
    expect([...readTableRows(db.bytes, 'U')]).toEqual(sqliteRows(db.path, 'u', ['k', 'v']));
    expect([...readTableRows(db.bytes, 'd')]).toEqual(sqliteRows(db.path, 'd', ['k', 'v']));
    expect([...readTableRows(db.bytes, 'ODD "NAME"')]).toEqual(sqliteRows(db.path, '[odd "name"]', ['k', 'v']));
    expect([...readTableRows(db.bytes, 'my table')].map((row) => row.rowid)).toEqual([-3, 5]);
  });

  it('reads columns added by ALTER TABLE as null on older rows', () => {
    const db = build('CREATE TABLE a(x); INSERT INTO a VALUES (1); ALTER TABLE a ADD COLUMN y; INSERT INTO a VALUES (2, 3);');
    expect([...readTableRows(db.bytes, 'a')]).toEqual(sqliteRows(db.path, 'a', ['x', 'y']));
  });

  it('reads sqlite_schema itself', () => {
    const db = build('CREATE TABLE a(x); CREATE INDEX ai ON a(x);');
    expect([...readTableRows(db.bytes, 'sqlite_schema')]).toEqual(sqliteRows(db.path, 'sqlite_schema', ['type', 'name', 'tbl_name', 'rootpage', 'sql']));
  });

  it('rejects WITHOUT ROWID tables, UTF-16 files and missing tables', () => {
    const withoutRowid = build('CREATE TABLE w(k TEXT PRIMARY KEY, v) WITHOUT ROWID; INSERT INTO w VALUES (1, 2);');
    expect(() => [...readTableRows(withoutRowid.bytes, 'w')]).toThrow(expect.objectContaining({ code: 'unsupported' }));
    const utf16 = build("PRAGMA encoding='UTF-16le'; CREATE TABLE a(x); INSERT INTO a VALUES ('x');");
    expect(() => [...readTableRows(utf16.bytes, 'a')]).toThrow(expect.objectContaining({ code: 'unsupported' }));
    expect(() => [...readTableRows(withoutRowid.bytes, 'nope')]).toThrow(expect.objectContaining({ code: 'malformed' }));
    expect(() => [...readTableRows(new TextEncoder().encode('not a database, just some text'), 'a')]).toThrow(
      expect.objectContaining({ code: 'malformed' }),
    );
  });
});

describe('readRpmSqliteBlobs', () => {
  it.each([
    ['db', 'sqlite', 'rpmdb.sqlite'],
    ['real', 'amazonlinux2023-sqlite', 'rpmdb.sqlite'],
    ['real', 'cbl-mariner-2.0-sqlite', 'rpmdb.sqlite'],
  ])('yields every Packages blob of %s/%s byte for byte', (...parts) => {
    const path = sharedFixtures('os', 'rpm', ...parts);
    // immutable=1: sqlite3 must not create -wal/-shm files beside the fixture.
    const uri = `file:${path}?immutable=1`;
    const count = Number(sqlite(uri, 'SELECT count(*) FROM Packages').trim());
    const expected = sqlite(uri, 'SELECT hnum, hex(blob) FROM Packages ORDER BY hnum')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => sha256(Buffer.from(line.split('|')[1] ?? '', 'hex')));
    const blobs = [...readRpmSqliteBlobs(new Uint8Array(readFileSync(path)))];
    expect(count).toBeGreaterThan(0);
    expect(blobs).toHaveLength(count);
    expect(blobs.map(sha256)).toEqual(expected);
  });

  it('names the hnum of a row whose blob is not a BLOB', () => {
    const db = build(
      "CREATE TABLE Packages(hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL); INSERT INTO Packages VALUES (1, x'00'), (42, 'text');",
    );
    const seen: Uint8Array[] = [];
    expect(() => {
      for (const blob of readRpmSqliteBlobs(db.bytes)) seen.push(blob);
    }).toThrow(/hnum 42/);
    expect(seen).toEqual([new Uint8Array([0])]);
  });
});

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

describe('damaged databases', () => {
  const pageSize = 4096;
  let db: { path: string; bytes: Uint8Array };
  let full: SqliteRow[];
  const pages = new Map<string, { page: number; type: string }>();

  beforeAll(() => {
    db = build(`PRAGMA page_size=${pageSize};`, POPULATE);
    full = [...readTableRows(db.bytes, 't')];
    for (const line of sqlite(db.path, "SELECT path, pageno, pagetype FROM dbstat WHERE name = 't'").split('\n')) {
      const [path = '', page = '', type = ''] = line.split('|');
      if (path !== '') pages.set(path, { page: Number(page), type });
    }
  });

  function patched(edit: (bytes: Uint8Array, view: DataView) => void): Uint8Array {
    const bytes = db.bytes.slice();
    edit(bytes, new DataView(bytes.buffer));
    return bytes;
  }

  const offsetOf = (page: number) => (page - 1) * pageSize;

  it('yields a prefix of the rows from a truncated file, then throws', () => {
    const length = db.bytes.length;
    for (const cut of [50, 1000, pageSize * 2 + 17, length * 0.25, length * 0.5, length * 0.75, length - pageSize, length - 1]) {
      const { rows, error } = readUntilError(db.bytes.subarray(0, Math.floor(cut)), 't');
      expectMalformed(error, cut < 100 ? 'shorter than the 100-byte header' : 'past the end');
      expect(rows).toEqual(full.slice(0, rows.length));
      if (cut > length / 2) expect(rows.length).toBeGreaterThan(0);
    }
  });

  it('rejects a corrupted page type byte, naming the page', () => {
    const root = pages.get('/');
    expect(root?.type).toBe('internal');
    const { error } = readUntilError(patched((bytes) => (bytes[offsetOf(root?.page ?? 0)] = 0x0a)), 't');
    expectMalformed(error, `page ${root?.page}`);

    const leaves = [...pages.values()].filter((entry) => entry.type === 'leaf');
    const middle = leaves[Math.floor(leaves.length / 2)]?.page ?? 0;
    const damaged = readUntilError(patched((bytes) => (bytes[offsetOf(middle)] = 0x42)), 't');
    expectMalformed(damaged.error, `page ${middle}`);
    expect(damaged.rows.length).toBeGreaterThan(0);
    expect(damaged.rows).toEqual(full.slice(0, damaged.rows.length));
  });

  it('throws instead of looping on an overflow chain that points back at itself', () => {
    const [path, first] = [...pages].find(([path]) => path.endsWith('+000000') && pages.has(path.replace(/0$/, '1'))) ?? [];
    expect(first).toBeDefined();
    const second = pages.get(path?.replace(/0$/, '1') ?? '')?.page ?? 0;
    // Loop the second overflow page back to the first, and separately to itself.
    for (const target of [first?.page ?? 0, second]) {
      const { rows, error } = readUntilError(patched((_, view) => view.setUint32(offsetOf(second), target)), 't');
      expectMalformed(error, `page ${target}`);
      expect(rows).toEqual(full.slice(0, rows.length));
    }
  });

  it('throws on an interior page that points at itself', () => {
    const root = pages.get('/')?.page ?? 0;
    const header = offsetOf(root);
    // Right-most child pointer, then the first cell's left child.
    const right = readUntilError(patched((_, view) => view.setUint32(header + 8, root)), 't');
    expectMalformed(right.error, `page ${root}`);
    const firstCell = new DataView(db.bytes.buffer, db.bytes.byteOffset).getUint16(header + 12);
    const left = readUntilError(patched((_, view) => view.setUint32(header + firstCell, root)), 't');
    expectMalformed(left.error, `page ${root}`);
    expect(left.rows).toEqual([]);
  });

  it('only ever throws CustomsError, and finishes, on random damage', () => {
    const random = seededRandom(0x5eed);
    const started = Date.now();
    for (let round = 0; round < 300; round++) {
      const bytes = db.bytes.slice();
      if (round % 3 === 0) {
        // Garbage after a valid 100-byte header.
        for (let i = 100; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256);
      } else {
        // A few flipped bytes anywhere past the header, mostly in b-tree pages.
        for (let flips = 1 + (round % 8); flips > 0; flips--) bytes[100 + Math.floor(random() * (bytes.length - 100))] = Math.floor(random() * 256);
      }
      const { rows, error } = readUntilError(bytes, 't');
      if (error !== undefined && !isCustomsError(error)) throw error;
      expect(rows.length).toBeLessThanOrEqual(bytes.length);
    }
    expect(Date.now() - started).toBeLessThan(60_000);
  }, 120_000);
});

