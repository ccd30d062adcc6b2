import { z } from 'zod';
import { waitingIndexPk } from './findings-keys.ts';

/**
 * A digest's waiting index entries live in the ecosystems' partitions (`WAITING#<ecosystem>`),
 * which a digest cannot query; the set item in the digest's own partition names the ecosystems
 * whose entries may exist, so a rescan that no longer waits can delete them. Like the package set
 * it is written as a superset (old and new) before the entries and the commit, and narrowed to the
 * committed scan's ecosystems (or deleted) after it.
 */
export const WAITING_SET_SK = 'WAITSET';

const waitingSetSchema = z.object({ sk: z.literal(WAITING_SET_SK), ecosystems: z.array(z.string()) });

type Item = Record<string, unknown>;
// A type, not an interface, so a key is also a DocumentWrite's Record.
type Key = { readonly pk: string; readonly sk: string };

/** A save's writes for the waiting index, in the order the save makes them. */
export interface WaitingWrites {
  /** With the findings: the set of every ecosystem whose entry may exist (none if unchanged). */
  readonly supersetPuts: readonly Item[];
  /** With the index entries: one per ecosystem the scan waits for. */
  readonly entryPuts: readonly Item[];
  /** After the commit, with the stale index entries: those the scan no longer waits for. */
  readonly staleEntries: readonly Key[];
  /** Last: the set deleted (the scan waits for nothing), or narrowed to the scan's ecosystems. */
  readonly setDeletes: readonly Key[];
  readonly exactPuts: readonly Item[];
}

/**
 * `existing` is the digest's partition as read before the save; `committed` the ecosystems the
 * committed result waits for (counted too, in case the set is missing or unreadable); `waiting`
 * what the new scan waits for. Entries are few and only a waiting scan has any, so they are written
 * on every save rather than tracked as committed.
 */
export function waitingWrites(pk: string, existing: readonly Item[], committed: readonly string[], waiting: readonly string[]): WaitingWrites {
  const stored = readWaitingSet(existing);
  const wanted = [...new Set(waiting)].sort();
  const mayExist = [...new Set([...stored.ecosystems, ...committed, ...wanted])].sort();
  const supersetPuts = mayExist.length > 0 && !same(stored.ecosystems, mayExist) ? [setItem(pk, mayExist)] : [];
  const setAfterSuperset = supersetPuts.length > 0 ? mayExist : stored.ecosystems;
  const setExists = supersetPuts.length > 0 || stored.present;
  const key = (ecosystem: string): Key => ({ pk: waitingIndexPk(ecosystem), sk: pk });
  return {
    supersetPuts,
    entryPuts: wanted.map(key),
    staleEntries: mayExist.filter((ecosystem) => !wanted.includes(ecosystem)).map(key),
    setDeletes: wanted.length === 0 && setExists ? [{ pk, sk: WAITING_SET_SK }] : [],
    exactPuts: wanted.length > 0 && !same(setAfterSuperset, wanted) ? [setItem(pk, wanted)] : [],
  };
}

function setItem(pk: string, ecosystems: readonly string[]): Item {
  return { pk, sk: WAITING_SET_SK, ecosystems: [...ecosystems] };
}

/** The stored set; an unreadable one counts as present (to be replaced) but names nothing. */
function readWaitingSet(items: readonly Item[]): { readonly present: boolean; readonly ecosystems: readonly string[] } {
  const item = items.find((candidate) => candidate.sk === WAITING_SET_SK);
  const parsed = waitingSetSchema.safeParse(item);
  return { present: item !== undefined, ecosystems: parsed.success ? parsed.data.ecosystems : [] };
}

function same(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  return left.size === new Set(b).size && b.every((ecosystem) => left.has(ecosystem));
}
