import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import type { PackageRef } from '../../core/pipeline/model.ts';

/**
 * A digest's package index entries live in the packages' partitions (`PKG#…`), which a digest
 * cannot query; this set, kept in the digest's own partition, says which entries may exist so a
 * rescan can delete the ones it no longer has. Gzipped JSON, split into parts well under 400 KB
 * (the bench's 20,500-package npm image needs one). `exact` marks the set of the committed scan
 * `token`; a set written before a commit is a superset (old and new) and never exact.
 */
export const PACKAGE_SET_PREFIX = 'PKGSET#';
const PART_BYTES = 300 * 1024;

const refsSchema = z.array(z.object({ ecosystem: z.string(), name: z.string() }));
const partSchema = z.object({ sk: z.string(), part: z.number().int().nonnegative(), parts: z.number().int().positive(), token: z.string(), exact: z.boolean(), refs: z.instanceof(Uint8Array) });

export interface PackageSet {
  readonly refs: readonly PackageRef[];
  readonly token: string;
  readonly exact: boolean;
}

export function packageSetItems(pk: string, set: PackageSet): Record<string, unknown>[] {
  const bytes = gzipSync(JSON.stringify(set.refs));
  const parts = Math.max(1, Math.ceil(bytes.length / PART_BYTES));
  return Array.from({ length: parts }, (_, part) => ({
    pk,
    sk: `${PACKAGE_SET_PREFIX}${part}`,
    part,
    parts,
    token: set.token,
    exact: set.exact,
    refs: bytes.subarray(part * PART_BYTES, (part + 1) * PART_BYTES),
  }));
}

/** The stored set, or undefined when absent, incomplete or unreadable (then nothing is known to exist). */
export function readPackageSet(items: readonly Record<string, unknown>[]): PackageSet | undefined {
  const parts = items.map((item) => partSchema.safeParse(item)).flatMap((parsed) => (parsed.success ? [parsed.data] : []));
  const first = parts.find((part) => part.part === 0);
  if (!first) return undefined;
  const chosen = Array.from({ length: first.parts }, (_, index) => parts.find((part) => part.part === index && part.token === first.token));
  if (chosen.some((part) => part === undefined)) return undefined;
  try {
    const refs = refsSchema.parse(JSON.parse(gunzipSync(Buffer.concat(chosen.map((part) => part!.refs))).toString('utf8')));
    return { refs, token: first.token, exact: first.exact };
  } catch {
    return undefined;
  }
}
