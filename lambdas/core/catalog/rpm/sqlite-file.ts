import { CustomsError } from '../../errors.ts';
import { openSqlitePager, walkTable, type SqlitePager } from './sqlite-btree.ts';
import { decodeRecord, type SqliteValue } from './sqlite-record.ts';

export type { SqliteValue } from './sqlite-record.ts';

/** One table row: its rowid and the column values in declaration order. */
export interface SqliteRow {
  readonly rowid: number | bigint;
  readonly values: SqliteValue[];
}

/**
 * Reads the rows of `table` (matched case-insensitively) from the bytes of a whole SQLite 3 file, in
 * rowid order, yielding each as it is read so a caller that catches an error keeps the rows before
 * the damage. Synchronous and dependency-free so it bundles anywhere.
 *
 * Limits: UTF-8 databases only; rowid tables only (WITHOUT ROWID, virtual tables and tables with
 * generated columns are 'unsupported'); columns added later by ALTER TABLE read as null on older
 * rows rather than their DEFAULT. A database in WAL mode is read from the main file alone:
 * transactions still in a `-wal` file, which we do not have, are not seen.
 */
export function* readTableRows(bytes: Uint8Array, table: string): Generator<SqliteRow> {
  const pager = openSqlitePager(bytes);
  const definition = findTable(pager, table);
  for (const cell of walkTable(pager, definition.rootPage)) {
    const values = decodeRecord(cell.payload, `rowid ${cell.rowid} of ${table} on page ${cell.page}`);
    while (values.length < definition.columnCount) values.push(null);
    // An INTEGER PRIMARY KEY is the rowid itself; the record holds a NULL in its place.
    if (definition.rowidColumn >= 0) values[definition.rowidColumn] = cell.rowid;
    yield { rowid: cell.rowid, values };
  }
}

interface TableDefinition {
  readonly rootPage: number;
  readonly columnCount: number;
  /** Index of the column aliasing the rowid, or -1. */
  readonly rowidColumn: number;
}

// sqlite_schema(type, name, tbl_name, rootpage, sql) is itself a table rooted at page 1.
const SCHEMA_TABLE: TableDefinition = { rootPage: 1, columnCount: 5, rowidColumn: -1 };

function findTable(pager: SqlitePager, table: string): TableDefinition {
  const wanted = asciiLower(table);
  if (wanted === 'sqlite_schema' || wanted === 'sqlite_master') return SCHEMA_TABLE;
  for (const cell of walkTable(pager, 1)) {
    const [type, name, , rootPage, sql] = decodeRecord(cell.payload, `sqlite_schema rowid ${cell.rowid} on page ${cell.page}`);
    if (type !== 'table' || typeof name !== 'string' || asciiLower(name) !== wanted) continue;
    if (rootPage === 0) throw new CustomsError('unsupported', `sqlite: table ${name} is a virtual table`);
    if (typeof rootPage !== 'number' || !Number.isInteger(rootPage) || rootPage < 1) {
      throw new CustomsError('malformed', `sqlite: sqlite_schema rowid ${cell.rowid} on page ${cell.page}: root page of ${name} is ${String(rootPage)}`);
    }
    if (typeof sql !== 'string') throw new CustomsError('malformed', `sqlite: sqlite_schema rowid ${cell.rowid}: table ${name} has no CREATE statement`);
    const shape = parseCreateTable(sql, name);
    return { rootPage, columnCount: shape.columns.length, rowidColumn: shape.rowidColumn };
  }
  throw new CustomsError('malformed', `sqlite: no table named ${table} in sqlite_schema`);
}

interface TableShape {
  readonly columns: readonly string[];
  readonly rowidColumn: number;
}

/**
 * Just enough of CREATE TABLE to know the column count and which column, if any, aliases the rowid
 * (https://www.sqlite.org/lang_createtable.html#rowid): declared type exactly INTEGER and either a
 * column PRIMARY KEY not marked DESC, or the sole column of a table PRIMARY KEY.
 */
function parseCreateTable(sql: string, table: string): TableShape {
  const fail = (what: string) => new CustomsError('malformed', `sqlite: CREATE statement of table ${table}: ${what}`);
  const tokens = tokenize(sql, fail);
  const open = tokens.findIndex((token) => token.text === '(' && !token.quoted);
  const asSelect = tokens.findIndex((token) => isWord(token, 'AS'));
  if (asSelect >= 0 && (open < 0 || asSelect < open)) {
    // CREATE TABLE ... AS SELECT: columns are not spelled out, and none aliases the rowid.
    return { columns: [], rowidColumn: -1 };
  }
  if (open < 0) throw fail('no column list');
  const { items, close } = splitList(tokens, open, fail);
  if (tokens.slice(close + 1).some((token, i, rest) => isWord(token, 'WITHOUT') && rest[i + 1] !== undefined && isWord(rest[i + 1], 'ROWID'))) {
    throw new CustomsError('unsupported', `sqlite: table ${table} is WITHOUT ROWID`);
  }
  const columns: { name: string; type: string; primaryAscending: boolean }[] = [];
  let tablePrimaryKey: string[] = [];
  for (const item of items) {
    const first = item[0];
    if (first === undefined) throw fail('empty column definition');
    if (TABLE_CONSTRAINT.has(keyword(first))) {
      const primary = item.findIndex((token, i) => isWord(token, 'PRIMARY') && item[i + 1] !== undefined && isWord(item[i + 1], 'KEY'));
      const keyOpen = primary >= 0 ? item.findIndex((token, i) => i > primary && token.text === '(' && !token.quoted) : -1;
      if (keyOpen >= 0) tablePrimaryKey = splitList(item, keyOpen, fail).items.map((part) => asciiLower(part[0]?.text ?? ''));
      continue;
    }
    let i = 1;
    const typeWords: string[] = [];
    while (i < item.length && isName(item[i]) && !COLUMN_CONSTRAINT.has(keyword(item[i]))) typeWords.push(item[i++]?.text ?? '');
    if (item.some((token, j) => j >= i && token.depth === 0 && (isWord(token, 'GENERATED') || isWord(token, 'AS')))) {
      throw new CustomsError('unsupported', `sqlite: table ${table} has generated column ${first.text}`);
    }
    const primary = item.findIndex((token, j) => j >= i && isWord(token, 'PRIMARY'));
    const order = primary >= 0 ? item[primary + 2] : undefined;
    columns.push({
      name: asciiLower(first.text),
      type: typeWords.join(' ').toUpperCase(),
      primaryAscending: primary >= 0 && !(order !== undefined && isWord(order, 'DESC')),
    });
  }
  let rowidColumn = columns.findIndex((column) => column.type === 'INTEGER' && column.primaryAscending);
  const keyName = tablePrimaryKey[0];
  if (rowidColumn < 0 && tablePrimaryKey.length === 1 && keyName !== undefined) {
    rowidColumn = columns.findIndex((column) => column.name === keyName && column.type === 'INTEGER');
  }
  return { columns: columns.map((column) => column.name), rowidColumn };
}

const TABLE_CONSTRAINT = new Set(['CONSTRAINT', 'PRIMARY', 'UNIQUE', 'CHECK', 'FOREIGN']);
// Words that end a column's type name and start its constraints.
const COLUMN_CONSTRAINT = new Set(['CONSTRAINT', 'PRIMARY', 'NOT', 'NULL', 'UNIQUE', 'CHECK', 'DEFAULT', 'COLLATE', 'REFERENCES', 'GENERATED', 'AS']);

interface Token {
  /** Identifier, keyword or literal text with any quotes removed; punctuation as itself. */
  readonly text: string;
  readonly quoted: boolean;
  readonly word: boolean;
  /** Parenthesis depth within the item being parsed, 0 at its top level. */
  depth: number;
}

function tokenize(sql: string, fail: (what: string) => Error): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i] ?? '';
    if (/\s/.test(c)) {
      i++;
    } else if (sql.startsWith('--', i)) {
      const eol = sql.indexOf('\n', i);
      i = eol < 0 ? sql.length : eol + 1;
    } else if (sql.startsWith('/*', i)) {
      const close = sql.indexOf('*/', i + 2);
      i = close < 0 ? sql.length : close + 2;
    } else if (c === "'" || c === '"' || c === '`' || c === '[') {
      const closer = c === '[' ? ']' : c;
      let text = '';
      let j = i + 1;
      for (;;) {
        const close = sql.indexOf(closer, j);
        if (close < 0) throw fail(`unterminated quote at character ${i}`);
        text += sql.slice(j, close);
        // A doubled quote is an escaped quote, except inside [brackets].
        if (closer !== ']' && sql[close + 1] === closer) {
          text += closer;
          j = close + 2;
          continue;
        }
        i = close + 1;
        break;
      }
      tokens.push({ text, quoted: true, word: false, depth: 0 });
    } else if (/[\w$\u0080-\uffff]/.test(c)) {
      const match = /^[\w$\u0080-\uffff]+/.exec(sql.slice(i, i + 1000));
      const text = match?.[0] ?? c;
      tokens.push({ text, quoted: false, word: true, depth: 0 });
      i += text.length;
    } else {
      tokens.push({ text: c, quoted: false, word: false, depth: 0 });
      i++;
    }
  }
  return tokens;
}

/** Splits a parenthesised, comma-separated list starting at `open`, marking each token's depth. */
function splitList(tokens: Token[], open: number, fail: (what: string) => Error): { items: Token[][]; close: number } {
  const items: Token[][] = [[]];
  let depth = 0;
  for (let i = open + 1; i < tokens.length; i++) {
    const token = tokens[i];
    if (token === undefined) break;
    const punctuation = !token.quoted && !token.word;
    if (punctuation && token.text === ')' && depth === 0) return { items, close: i };
    if (punctuation && token.text === ',' && depth === 0) {
      items.push([]);
      continue;
    }
    if (punctuation && token.text === ')') depth--;
    items[items.length - 1]?.push({ ...token, depth });
    if (punctuation && token.text === '(') depth++;
  }
  throw fail('unbalanced parentheses');
}

function isName(token: Token | undefined): token is Token {
  return token !== undefined && (token.word || token.quoted);
}

function isWord(token: Token | undefined, word: string): boolean {
  return token !== undefined && token.word && token.text.toUpperCase() === word;
}

function keyword(token: Token | undefined): string {
  return token?.word ? token.text.toUpperCase() : '';
}

/** SQLite folds only ASCII letters when comparing identifiers. */
function asciiLower(text: string): string {
  return text.replace(/[A-Z]/g, (letter) => letter.toLowerCase());
}
