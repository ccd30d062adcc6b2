import { parseEcosystem } from '../../core/advisories/ecosystem.ts';
import { DEFAULT_OSV_LIMITS } from '../../core/advisories/osv-limits.ts';
import type { OsvRecord } from '../../core/advisories/osv-schema.ts';
import { parseOsvRecord } from '../../core/advisories/parse-osv-record.ts';
import { namesEcosystem } from '../../core/advisories/sync-plan.ts';
import { CustomsError } from '../../core/errors.ts';
import type { ExportEntry, ModifiedEntry, OsvExport } from '../../core/ports.ts';
import { recordFilesAt, type RecordFileLimits, type RecordFiles } from './local-osv-files.ts';
import { parseModifiedIds } from './parse-modified-ids.ts';

export interface LocalOsvExportOptions {
  /** A directory of OSV records (any layout, `*.json` found recursively), or a zip of them (osv.dev's all.zip). */
  readonly path: string;
  readonly maxRecordBytes?: number;
  /** Candidate files (or zip entries) one read may meet; more is a `limit` error. */
  readonly maxFiles?: number;
}

/** A record as a listing sees it: where it is, and what modified() and the filter need. */
interface Listed {
  readonly name: string;
  readonly id: string;
  readonly modified: Date;
  readonly bases: ReadonlySet<string>;
}

interface Scan {
  /** One per ID (the newest `modified` when files repeat one), in walk order. */
  readonly listed: readonly Listed[];
  readonly rejected: readonly { readonly line: number; readonly reason: string }[];
  /** Files read whole that are not records (bad JSON, not OSV): all.zip would hand them out too. */
  readonly unparsed: ReadonlySet<string>;
  /** Every file read, in walk order. */
  readonly walk: readonly string[];
}

const EPOCH = '1970-01-01T00:00:00Z';

/**
 * OsvExport over a local directory or zip, for the local stack: every call reads the path afresh,
 * so a record added or edited is seen by the next sync. Each ecosystem is the records whose
 * affected packages name that base (`Debian` for `Debian:12`); one no record names is `not-found`,
 * as a bucket folder that does not exist is, so the sync leaves it unloaded rather than empty.
 */
export class LocalOsvExport implements OsvExport {
  private readonly path: string;
  private readonly limits: RecordFileLimits;
  /** Where the last scan found each ID: record() reads that file first instead of scanning again. */
  private locations = new Map<string, string>();

  constructor(options: LocalOsvExportOptions) {
    this.path = options.path;
    this.limits = { maxRecordBytes: options.maxRecordBytes ?? DEFAULT_OSV_LIMITS.maxRecordBytes, maxFiles: options.maxFiles ?? DEFAULT_OSV_LIMITS.maxZipEntries };
  }

  /** The base ecosystems the records name, sorted: what a local sync can load. */
  async ecosystemsOf(): Promise<string[]> {
    const { listed } = await this.scan(await this.files());
    return [...new Set(listed.flatMap((entry) => [...entry.bases]))].sort();
  }

  async modified(ecosystem: string): Promise<{ entries: ModifiedEntry[]; rejected: { line: number; reason: string }[] }> {
    checkEcosystem(ecosystem);
    const scan = await this.scan(await this.files());
    const entries = this.matching(scan, ecosystem).map(({ id, modified }) => ({ id, modified }));
    // A file that is not a record could have been any ecosystem's, so every listing reports it.
    return { entries, rejected: [...scan.rejected] };
  }

  async record(ecosystem: string, id: string): Promise<Uint8Array | undefined> {
    checkEcosystem(ecosystem);
    checkId(id);
    const files = await this.files();
    const hinted = this.locations.get(id);
    if (hinted !== undefined) {
      const bytes = await files.read(hinted);
      if (bytes && holds(bytes, id, ecosystem, this.limits.maxRecordBytes)) return bytes;
    }
    // Moved, edited into another record, or never listed: only a fresh scan can tell.
    const found = (await this.scan(files)).listed.find((entry) => entry.id === id && entry.bases.has(ecosystem));
    if (!found) return undefined;
    const bytes = await files.read(found.name);
    return bytes && holds(bytes, id, ecosystem, this.limits.maxRecordBytes) ? bytes : undefined;
  }

  async *entries(ecosystem: string, options: { readonly skip?: number } = {}): AsyncIterable<ExportEntry> {
    checkEcosystem(ecosystem);
    const files = await this.files();
    const scan = await this.scan(files);
    // Files that are not records go out too (under their own name), as a bucket's all.zip holds
    // them, so the sync reports them malformed; no ecosystem can be told, so every one gets them.
    const wanted = new Set([...this.matching(scan, ecosystem).map((entry) => entry.name), ...scan.unparsed]);
    let toSkip = options.skip ?? 0;
    for await (const file of files.readSome(scan.walk.filter((name) => wanted.has(name)))) {
      // Read again after the scan: a file edited since into another ecosystem's record is not handed out.
      const parsed = parseOsvRecord(file.bytes, this.limits.maxRecordBytes);
      if (parsed.ok) {
        // A record the listing refuses (an unsafe ID, no time) is not handed out either.
        const listed = listedOf(file.name, parsed.record);
        if (typeof listed === 'string' || !listed.bases.has(ecosystem)) continue;
      }
      if (toSkip > 0) {
        toSkip--;
        continue;
      }
      yield { name: parsed.ok ? `${parsed.record.id}.json` : file.name, bytes: file.bytes };
    }
  }

  private files(): Promise<RecordFiles> {
    return recordFilesAt(this.path, this.limits);
  }

  private matching(scan: Scan, ecosystem: string): Listed[] {
    const matching = scan.listed.filter((entry) => entry.bases.has(ecosystem));
    if (matching.length === 0) throw new CustomsError('not-found', `no OSV record under ${this.path} names the ${ecosystem} ecosystem`);
    return matching;
  }

  /** Every file parsed once, its bytes dropped; what is not a record is rejected by its position and name. */
  private async scan(files: RecordFiles): Promise<Scan> {
    const byId = new Map<string, Listed>();
    const rejected: { line: number; reason: string }[] = [];
    const unparsed = new Set<string>();
    const walk: string[] = [];
    let position = 0;
    const reject = (name: string, reason: string): void => {
      rejected.push({ line: ++position, reason: `${name}: ${reason}` });
    };
    await files.each(({ name, bytes }) => {
      walk.push(name);
      const parsed = parseOsvRecord(bytes, this.limits.maxRecordBytes);
      if (!parsed.ok) unparsed.add(name);
      const listed = parsed.ok ? listedOf(name, parsed.record) : parsed.reason;
      if (typeof listed === 'string') return reject(name, listed);
      position++;
      const earlier = byId.get(listed.id);
      if (!earlier || earlier.modified <= listed.modified) byId.set(listed.id, listed);
    }, reject);
    this.locations = new Map([...byId.values()].map((entry) => [entry.id, entry.name]));
    return { listed: [...byId.values()], rejected, unparsed, walk };
  }
}

/** The record's listing fields, or why the file is not one. */
function listedOf(name: string, record: OsvRecord): Listed | string {
  const { id } = record;
  if (!safeId(id)) return `refused OSV ID ${JSON.stringify(id.slice(0, 200))}`;
  const modified = new Date(record.modified);
  if (Number.isNaN(modified.getTime())) return `modified is not a time: ${JSON.stringify(record.modified.slice(0, 100))}`;
  const bases = new Set((record.affected ?? []).flatMap((entry) => (entry.package ? [parseEcosystem(entry.package.ecosystem).base] : [])));
  return { name, id, modified, bases };
}

function holds(bytes: Uint8Array, id: string, ecosystem: string, maxBytes: number): boolean {
  const parsed = parseOsvRecord(bytes, maxBytes);
  return parsed.ok && parsed.record.id === id && namesEcosystem(parsed.record, ecosystem);
}

// The ID rule of osv.dev's listing, so the local export answers exactly the IDs an HTTP one could.
function safeId(id: string): boolean {
  const parsed = parseModifiedIds(`${EPOCH},${id}`);
  return parsed.entries.length === 1 && parsed.rejected.length === 0 && parsed.entries[0]?.id === id;
}

function checkId(id: string): void {
  if (!safeId(id)) throw new CustomsError('unsafe', `refused OSV ID ${JSON.stringify(id.slice(0, 200))}`);
}

function checkEcosystem(ecosystem: string): void {
  if (ecosystem.trim() === '' || ecosystem.includes(':')) {
    throw new CustomsError('usage', `not an OSV base ecosystem: ${JSON.stringify(ecosystem.slice(0, 100))} (pass the base: \`Debian\`, not \`Debian:12\`)`);
  }
}
