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
 *
 * A record's own id resolves through its head (`REC#<id>`), each alias through its `ALIAS#` items
 * (one per record naming it), so an ID or alias finds its records with a GetItem and a Query.
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
