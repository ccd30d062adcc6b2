import { CustomsError, messageOf } from '../../errors.ts';
import type { CapturedFile, FileAnalyzer, IssueSink } from '../file-analyzer.ts';
import { readBerkeleyDbValues } from './berkeley-db.ts';
import { readNdbBlobs } from './ndb.ts';
import { parseRpmHeader } from './rpm-header.ts';
import { readRpmSqliteBlobs } from './rpm-sqlite.ts';
import type { RpmHeaderInfo } from './rpm-types.ts';

export interface RpmDatabaseFile {
  readonly format: RpmDatabaseFormat;
  readonly packages: readonly RpmHeaderInfo[];
}

export type RpmDatabaseFormat = 'sqlite' | 'ndb' | 'bdb';

/** Where rpm keeps its database: the classic path, and the one newer distributions moved it to. */
export const RPM_DIRECTORIES = ['usr/lib/sysimage/rpm', 'var/lib/rpm'] as const;
const FILES: ReadonlyArray<[string, RpmDatabaseFormat]> = [
  ['rpmdb.sqlite', 'sqlite'],
  ['Packages.db', 'ndb'],
  ['Packages', 'bdb'],
];

export function rpmDatabaseFormat(path: string): RpmDatabaseFormat | undefined {
  return FILES.find(([name]) => path.endsWith(`/${name}`))?.[1];
}

// rpm's BerkeleyDB keeps the highest instance number under key 0 as a 4-byte value, not a header.
const MIN_HEADER_BYTES = 8;

/**
 * Reads every package header of an rpm database, in any of its three formats. Damage stops the
 * read with a warning naming the file; packages read before it are kept, and a header that does not
 * parse is skipped on its own. gpg-pubkey entries are imported signing keys, not software, and are
 * left out.
 */
export function parseRpmDatabase(file: CapturedFile, issues: IssueSink): RpmDatabaseFile | undefined {
  const format = rpmDatabaseFormat(file.path);
  if (!format) return undefined;
  const packages: RpmHeaderInfo[] = [];
  let index = 0;
  try {
    for (const blob of blobsOf(format, file.bytes)) {
      index++;
      if (format === 'bdb' && blob.length < MIN_HEADER_BYTES) continue;
      let header: RpmHeaderInfo;
      try {
        header = parseRpmHeader(blob);
      } catch (error) {
        issues.warn(`package header ${index} is damaged and was skipped: ${messageOf(error)}`);
        continue;
      }
      if (header.name === 'gpg-pubkey' && header.arch === undefined) continue;
      packages.push(header);
    }
  } catch (error) {
    const reason = error instanceof CustomsError ? error.message : messageOf(error);
    issues.warn(`the ${format} database is damaged; ${packages.length} packages read before the damage are kept: ${reason}`);
  }
  return { format, packages };
}

function blobsOf(format: RpmDatabaseFormat, bytes: Uint8Array): Iterable<Uint8Array> {
  switch (format) {
    case 'sqlite':
      return readRpmSqliteBlobs(bytes);
    case 'ndb':
      return readNdbBlobs(bytes);
    case 'bdb':
      return readBerkeleyDbValues(bytes);
  }
}

export const rpmDatabaseAnalyzer: Pick<FileAnalyzer<RpmDatabaseFile>, 'name' | 'version' | 'patterns' | 'parse'> = {
  name: 'rpm',
  version: 1,
  patterns: RPM_DIRECTORIES.flatMap((directory) => FILES.map(([name]) => `${directory}/${name}`)),
  parse: parseRpmDatabase,
};
