import type { KeyIndex } from '../../../lambdas/adapters/dynamodb/table-schema.ts';
import { itemSize, type Item } from './item-size.ts';

/**
 * DynamoDB on-demand request units from item sizes, per the developer guide and the on-demand
 * pricing page: a write is ceil(size / 1 KB) units of the larger of the item before and after, at
 * least 1, and again for every GSI the item is in (a key change there is a delete plus a put); a
 * read is ceil(size / 4 KB) units strongly consistent, half that eventually consistent, at least
 * one; a Query sums its items' sizes before rounding; transactional items cost twice.
 */
const KB = 1024;

export interface WriteUnits {
  readonly table: number;
  readonly indexes: number;
}

export const writeUnitsOf = (bytes: number): number => Math.max(1, Math.ceil(bytes / KB));
export const readUnitsOf = (bytes: number, consistent: boolean): number => Math.max(1, Math.ceil(bytes / (4 * KB))) * (consistent ? 1 : 0.5);

/** One item written (put, update or delete): `before`/`after` are undefined where it does not exist. */
export function itemWriteUnits(before: Item | undefined, after: Item | undefined, indexes: readonly KeyIndex[], transactional = false): WriteUnits {
  const factor = transactional ? 2 : 1;
  const beforeSize = before ? itemSize(before) : 0;
  const afterSize = after ? itemSize(after) : 0;
  let index = 0;
  for (const gsi of indexes) {
    const was = indexKey(before, gsi);
    const is = indexKey(after, gsi);
    if (was === undefined && is === undefined) continue;
    if (was !== undefined && is !== undefined && was === is) index += writeUnitsOf(Math.max(beforeSize, afterSize));
    else index += (was !== undefined ? writeUnitsOf(beforeSize) : 0) + (is !== undefined ? writeUnitsOf(afterSize) : 0);
  }
  return { table: factor * writeUnitsOf(Math.max(beforeSize, afterSize)), indexes: factor * index };
}

/** A write refused by its condition still costs the table: the existing item's size, at least 1. */
export function refusedWriteUnits(existing: Item | undefined, transactional = false): WriteUnits {
  return { table: (transactional ? 2 : 1) * writeUnitsOf(existing ? itemSize(existing) : 0), indexes: 0 };
}

function indexKey(item: Item | undefined, gsi: KeyIndex): string | undefined {
  const pk = item?.[gsi.partitionKey]?.S;
  const sk = item?.[gsi.sortKey]?.S;
  return pk !== undefined && sk !== undefined ? `${pk}\0${sk}` : undefined;
}
