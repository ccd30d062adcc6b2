import { CustomsError } from '../../errors.ts';
import { readTableRows } from './sqlite-file.ts';

/**
 * The header blobs of an rpm >= 4.16 `rpmdb.sqlite`, whose table is
 * `Packages(hnum INTEGER PRIMARY KEY, blob BLOB NOT NULL)`, in hnum order and as they are read.
 * rpm keeps the database in WAL mode; only the main file is read. SQLite checkpoints the `-wal` into
 * it when the last connection closes cleanly, so only an image frozen mid-transaction loses rows.
 */
export function* readRpmSqliteBlobs(bytes: Uint8Array): Generator<Uint8Array> {
  for (const row of readTableRows(bytes, 'Packages')) {
    const blob = row.values[1];
    if (!(blob instanceof Uint8Array)) {
      throw new CustomsError('malformed', `rpmdb.sqlite: Packages row hnum ${row.rowid} holds ${describe(blob)} where a header BLOB belongs`);
    }
    yield blob;
  }
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'no value';
  return `a ${typeof value === 'string' ? 'text' : typeof value} value`;
}
