import { parseEcosystem } from '../../core/advisories/ecosystem.ts';

/**
 * Which OSV ecosystems a sync run covers, and which waiting images its completion answers. The
 * export is per bucket folder (the base: `Debian`), while scans and their load requests name the
 * ecosystem as a lookup does (`Debian:12`, `npm`).
 */

/** Bucket folders as osv.dev's bucket names them (HttpOsvExport refuses anything else). */
const FOLDER = /^[A-Za-z0-9][A-Za-z0-9._ -]{0,63}$/;

export interface DerivedEcosystems {
  /** Bases to sync, in name order: those with a cursor first synced, then the ones only asked for. */
  readonly ecosystems: readonly string[];
  /** Bases asked for that have no cursor yet (never synced): worth checking the export has them. */
  readonly new: readonly string[];
  /** Load requests whose base is not a bucket folder name. */
  readonly refused: readonly { readonly requested: string; readonly reason: string }[];
}

/**
 * `derived`: the bases of the cursors already stored (what earlier syncs loaded) and of the
 * scanner's load requests (what an ADVISORIES_UNAVAILABLE scan asked for), each once.
 */
export function deriveEcosystems(cursorEcosystems: readonly string[], requested: readonly string[]): DerivedEcosystems {
  const known = new Set(cursorEcosystems.filter((name) => isFolder(name)));
  const asked = new Set<string>();
  const refused: { requested: string; reason: string }[] = [];
  for (const name of requested) {
    const base = parseEcosystem(name).base;
    if (!isFolder(base)) refused.push({ requested: name, reason: `${JSON.stringify(base)} is not an OSV bucket folder name` });
    else if (!known.has(base)) asked.add(base);
  }
  const sorted = (names: Iterable<string>): string[] => [...names].sort();
  return { ecosystems: [...sorted(known), ...sorted(asked)], new: sorted(asked), refused };
}

/**
 * The ecosystem names, as waiting scans name them, that a completed sync of `synced` has answered:
 * each base itself and every requested ecosystem whose base it is (`Debian` → `Debian:12`).
 */
export function waitingEcosystems(synced: readonly string[], requested: readonly string[]): string[] {
  const bases = new Set(synced);
  return [...new Set([...synced, ...requested.filter((name) => bases.has(parseEcosystem(name).base))])].sort();
}

function isFolder(name: string): boolean {
  return FOLDER.test(name) && !name.includes('..');
}
