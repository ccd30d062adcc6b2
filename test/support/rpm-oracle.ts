import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

/** Rows as the fixtures and `rpm -qa --qf` give them: NAME EPOCH VERSION RELEASE ARCH SOURCERPM, `(none)` when unset. */
export type RpmRow = [string, string, string, string, string, string];

const QUERY_FORMAT = '%{NAME}\\t%{EPOCH}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\t%{SOURCERPM}\\n';

export function readRpmRows(file: string): RpmRow[] {
  return parseRows(readFileSync(file, 'utf8'));
}

/** Asks Debian's rpm itself to list a database (sqlite or read-only BerkeleyDB backends). */
export function rpmQueryAll(database: string, backend: 'sqlite' | 'bdb_ro'): RpmRow[] {
  const dbpath = mkdtempSync(join(tmpdir(), 'customs-rpmdb-'));
  try {
    copyFileSync(database, join(dbpath, basename(database)));
    const output = execFileSync('rpm', ['--dbpath', dbpath, '--define', `_db_backend ${backend}`, '-qa', '--qf', QUERY_FORMAT], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return parseRows(output);
  } finally {
    rmSync(dbpath, { recursive: true, force: true });
  }
}

function parseRows(text: string): RpmRow[] {
  return text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => line.split('\t') as RpmRow)
    .sort((a, b) => a.join('\t').localeCompare(b.join('\t')));
}
