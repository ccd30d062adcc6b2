import { ecosystemKey, normalizePackageName, parseEcosystem } from '../../core/advisories/ecosystem.ts';
import type { OsvRecord } from '../../core/advisories/osv-schema.ts';

/**
 * Keys of the advisory table (ADVISORY_TABLE). Records are stored under every package they name, at
 * the granularity a scan looks up by (ecosystem base plus release, name as the ecosystem compares
 * it), so a lookup reads one partition per package and never a whole ecosystem:
 *
 * | item                     | pk                          | sk                       | gsi1pk / gsi1sk        |
 * | record (chunk n of one)  | `PKG#<ecosystemKey>#<name>` | `REC#<id>#<nnn>`         |                        |
 * | record head (bookkeeping)| `REC#<id>`                  | `HEAD`                   |                        |
 * | alias → record (keys only)| `ALIAS#<alias>`            | `REC#<id>`               |                        |
 * | ecosystem freshness      | `ECO#<ecosystemKey or base>`| `FRESHNESS`              | `FRESHNESS` / ecosystem|
 * | load request (scanner)   | `LOAD_REQUEST`              | `ECOSYSTEM#<ecosystem>`  |                        |
 * | ecosystem key in use     | `KEY#<ecosystemKey>`        | `PRESENT`                |                        |
 * | record in an ecosystem   | `ECOIDS#<base>`             | `REC#<id>`               |                        |
 * | key under an ecosystem   | `ECOIDS#<base>`             | `KEY#<ecosystemKey>`     |                        |
 * | sync cursor              | `SYNC#CURSOR`               | `ECOSYSTEM#<base>`       |                        |
 * | sync lease               | `SYNC#LEASE`                | `LEASE`                  |                        |
 *
 * A record's own id resolves through its head (`REC#<id>`), each alias through its `ALIAS#` items
 * (one per record naming it), so an ID or alias finds its records with a GetItem and a Query.
 * `ECOIDS#<base>` lists the records of an OSV base ecosystem (withdrawn ones too) and the ecosystem
 * keys stored under it, so a sync compares an export's IDs and marks its releases fresh with a Query.
 */

/** DynamoDB's caps on key attribute sizes (UTF-8 bytes). */
export const MAX_PARTITION_KEY_BYTES = 2048;
export const MAX_SORT_KEY_BYTES = 1024;

export const HEAD_SK = 'HEAD';
export const FRESHNESS_SK = 'FRESHNESS';
export const FRESHNESS_INDEX_PK = 'FRESHNESS';

/** `#` separates key parts, so an ecosystem (whose text comes from records) cannot forge one. */
function escapePart(text: string): string {
  return text.replaceAll('%', '%25').replaceAll('#', '%23');
}

/** One lookup partition: the ecosystem key (`Debian:12`, `Debian`, `npm`) and a normalized name. */
export function packagePartition(ecosystem: string, normalizedName: string): string {
  return `PKG#${escapePart(ecosystem)}#${normalizedName}`;
}

/** The (ecosystem key, normalized name) a package partition stands for: its inverse. */
export function partitionPackage(partition: string): { readonly ecosystem: string; readonly name: string } | undefined {
  if (!partition.startsWith('PKG#')) return undefined;
  const end = partition.indexOf('#', 4);
  if (end < 0) return undefined;
  return { ecosystem: partition.slice(4, end).replaceAll('%23', '#').replaceAll('%25', '%'), name: partition.slice(end + 1) };
}

/**
 * Marks that records are stored under an ecosystem key (`Debian:12`, `Debian`, `npm`). The loader
 * writes the marker before any record under that key, so a key without one has no records and a
 * lookup skips its partitions: most distribution advisories name a release (`Debian:12`), and
 * without the marker every source package would also cost a Query of its empty base partition.
 */
export const KEY_PRESENT_SK = 'PRESENT';

export function keyMarkerPk(partition: string): string {
  // `PKG#<escaped key>#<name>`: the key part is escaped, so its end is the next `#`.
  const end = partition.indexOf('#', 4);
  return `KEY#${partition.slice(4, end)}`;
}

export function recordChunkSk(id: string, part: number): string {
  return `REC#${id}#${String(part).padStart(3, '0')}`;
}

export function recordHeadPk(id: string): string {
  return `REC#${id}`;
}

export function aliasPk(alias: string): string {
  return `ALIAS#${alias}`;
}

export const ALIAS_RECORD_PREFIX = 'REC#';
export function aliasSk(id: string): string {
  return `${ALIAS_RECORD_PREFIX}${id}`;
}

/** The partition listing an OSV base ecosystem's records (`REC#<id>`) and ecosystem keys (`KEY#<key>`). */
export function ecosystemIdsPk(base: string): string {
  return `ECOIDS#${escapePart(base)}`;
}
export const ECOSYSTEM_KEY_PREFIX = 'KEY#';
export function ecosystemKeySk(key: string): string {
  return `${ECOSYSTEM_KEY_PREFIX}${key}`;
}

/** OSV base ecosystems a record names (withdrawn or not): the `ECOIDS#` partitions listing it. */
export function recordBases(record: OsvRecord): string[] {
  return [...new Set((record.affected ?? []).flatMap((entry) => (entry.package ? [parseEcosystem(entry.package.ecosystem).base] : [])))];
}

export function freshnessPk(ecosystem: string): string {
  return `ECO#${escapePart(ecosystem)}`;
}

/** The partitions a lookup of (ecosystem, name) reads, release first, as AdvisoryStore.lookup does. */
export function lookupPartitions(ecosystem: string, name: string): string[] {
  const parsed = parseEcosystem(ecosystem);
  const wanted = normalizePackageName(parsed.base, name);
  return [...new Set([ecosystemKey(parsed), parsed.base])].map((key) => packagePartition(key, wanted));
}

/** The partition an `affected` entry's package is stored under. */
export function affectedPartition(ecosystem: string, name: string): string {
  const parsed = parseEcosystem(ecosystem);
  return packagePartition(ecosystemKey(parsed), normalizePackageName(parsed.base, name));
}

/** Every partition a record is findable from: one per distinct package its `affected` entries name. */
export function recordPartitions(record: OsvRecord): string[] {
  const partitions = new Set<string>();
  for (const entry of record.affected ?? []) {
    if (entry.package) partitions.add(affectedPartition(entry.package.ecosystem, entry.package.name));
  }
  return [...partitions];
}

/**
 * The other IDs a record resolves from: its aliases, and the CVEs a distribution advisory lists
 * in `upstream` (DSA, DLA, ALPINE-CVE name their CVE there, and the matcher files findings under it).
 * `related` is left out: those are other vulnerabilities.
 */
export function recordAliases(record: OsvRecord): string[] {
  return [...new Set([...(record.aliases ?? []), ...(record.upstream ?? [])])].filter((alias) => alias !== record.id);
}

/** Ecosystems a record counts toward for freshness: each release key and each base it names. */
export function recordEcosystems(record: OsvRecord): string[] {
  const ecosystems = new Set<string>();
  for (const entry of record.affected ?? []) {
    if (!entry.package) continue;
    const parsed = parseEcosystem(entry.package.ecosystem);
    ecosystems.add(ecosystemKey(parsed));
    ecosystems.add(parsed.base);
  }
  return [...ecosystems];
}

export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
