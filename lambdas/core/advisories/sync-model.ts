import type { Digest } from '../digest.ts';
import type { OsvRecord } from './osv-schema.ts';

/**
 * The advisory sync's data: per OSV base ecosystem (as osv.dev's bucket names its folders:
 * `Debian`, `npm`), where the last sync got to, and what one sync changed. Plain data; the advisory
 * table adapter maps it to items.
 */

/** Where an ecosystem's sync stands. Advanced only after the records it covers are durably stored. */
export interface EcosystemCursor {
  /** OSV base ecosystem (the bucket folder): `Debian`, `npm`, `PyPI`. */
  readonly ecosystem: string;
  /**
   * The newest `modified` (from modified_id.csv) of the records stored so far; absent before the
   * first full load finished. An incremental sync reads the listing from `modifiedThrough` minus the
   * overlap window (records can be exported late with an older `modified`).
   */
  readonly modifiedThrough?: Date;
  /** When `all.zip` was last loaded whole, and its ID list compared with the table (retractions). */
  readonly fullLoadAt?: Date;
  /** When a sync last finished for it (what the cursor-age alarm watches). */
  readonly syncedAt?: Date;
  /**
   * A sync cut short (out of time, a crash) leaves where it was, so the next invocation continues
   * rather than starts over: the phase, and the position within it.
   */
  readonly progress?: SyncProgress;
  /** Changes on every write: the optimistic-concurrency token a conditional put compares. */
  readonly revision: number;
}

export type SyncProgress =
  /** Loading all.zip: entries before `entriesDone` (in archive order) are stored. */
  | {
      readonly phase: 'full';
      readonly syncId: string;
      readonly entriesDone: number;
      readonly startedAt: Date;
      /** The newest `modified` of modified_id.csv read before the download: the cursor once the load finishes. */
      readonly listedThrough?: Date;
    }
  /** Fetching records listed after `since`: those before `idsDone` (in listing order) are stored. */
  | { readonly phase: 'incremental'; readonly syncId: string; readonly since: Date; readonly idsDone: number; readonly startedAt: Date };

/** One (ecosystem, package) whose advisories changed, as advisories name them (`Debian:12` + `glibc`). */
export interface ChangedPackageKey {
  readonly ecosystem: string;
  readonly name: string;
}

/** What one sync changed, read once and handed on to the rescan. */
export interface AdvisoryChanges {
  /** Unique per sync run (a continuation keeps it): rescan de-duplication is per (syncId, digest). */
  readonly syncId: string;
  readonly keys: readonly ChangedPackageKey[];
  /** The records written (new or changed content; withdrawn ones included, marked so). */
  readonly records: readonly OsvRecord[];
  /** IDs that vanished from an ecosystem's export and were retracted (their findings go). */
  readonly retracted: readonly string[];
}

export interface EcosystemSyncReport {
  readonly ecosystem: string;
  readonly mode: 'full' | 'incremental';
  /** Records written (new or changed content). */
  readonly written: number;
  /** Records read but stored already with the same content: not rewritten. */
  readonly unchanged: number;
  readonly withdrawn: number;
  readonly retracted: number;
  /** Malformed records, counted and logged by ID, skipped. */
  readonly malformed: readonly { readonly id: string; readonly reason: string }[];
  /** False when the sync ran out of time and left `progress` for its continuation. */
  readonly complete: boolean;
}

/** One image's part in a rescan: what changed in its findings, by finding key. */
export interface RescanChanges {
  readonly digest: Digest;
  readonly added: readonly string[];
  readonly resolved: readonly string[];
  /** Same finding, new severity or new fixed versions (a fix published). */
  readonly updated: readonly string[];
}
