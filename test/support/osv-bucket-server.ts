import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { z } from 'zod';
import { closeServer, listenOnLoopback } from './http-server.ts';
import { sharedFixtures } from './paths.ts';
import { seededRandom } from './seeded-random.ts';
import { zipStream } from './zip-stream-writer.ts';

/** Serves an in-memory OSV bucket: decoded URL path (`PyPI/all.zip`) → bytes. Records what was asked for. */
export async function startOsvBucket(files: ReadonlyMap<string, Uint8Array>): Promise<{ url: string; requests: string[]; close(): Promise<void>; server: Server }> {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://bucket').pathname).replace(/^\//, '');
    requests.push(path);
    const body = files.get(path);
    if (!body) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-length': body.byteLength }).end(body);
  });
  const host = await listenOnLoopback(server);
  return { url: `http://${host}/`, requests, server, close: () => closeServer(server) };
}

type FixtureSource = 'osv' | 'osv-corpus';

export interface OsvExportServerOptions {
  /** Shared fixture trees whose ecosystem folders are laid out (`osv`: ../shared/fixtures/osv). Default: both. */
  readonly sources?: readonly FixtureSource[];
  /** Ecosystem folders to serve (`PyPI`, `Debian`); default every folder holding `*.json` records. */
  readonly ecosystems?: readonly string[];
  /** At most this many records per ecosystem (first by file name), for a quick load of a large one. */
  readonly maxRecordsPerEcosystem?: number;
}

/** A record as tests change it: OSV JSON with at least `id` and `modified`. */
export type OsvJson = { readonly id: string; readonly modified: string } & Readonly<Record<string, unknown>>;

export interface GeneratedExport {
  readonly ecosystem: string;
  readonly count: number;
  /** Sum of the records' sizes: what all.zip inflates to. */
  readonly uncompressedBytes: number;
  /** The ID of the `index`th record (archive order). */
  idAt(index: number): string;
  /** The `index`th record's bytes, as all.zip and ID.json serve them. */
  recordAt(index: number): Buffer;
}

export interface OsvExportServer {
  /** Base URL, ending in `/`. */
  readonly url: string;
  /** Decoded paths asked for (`PyPI/all.zip`), in order. */
  readonly requests: readonly string[];
  ecosystems(): string[];
  /** IDs the export has for an ecosystem, in all.zip order. */
  ids(ecosystem: string): string[];
  /** A record as the export serves it now, parsed. */
  record(ecosystem: string, id: string): OsvJson | undefined;
  /** Adds a record or replaces the one with its ID (in place in all.zip); its `modified` is what the CSV lists, even if older than others. */
  put(ecosystem: string, record: OsvJson): void;
  /** Replaces a record with `change(record)`, stamping `modified` (default now). */
  modify(ecosystem: string, id: string, change: (record: OsvJson) => Readonly<Record<string, unknown>>, modified?: string): OsvJson;
  /** Marks a record withdrawn at `at` (also its new `modified`). */
  withdraw(ecosystem: string, id: string, at?: string): OsvJson;
  /** Drops a record from the export: gone from all.zip, ID.json and modified_id.csv. */
  remove(ecosystem: string, id: string): void;
  /** Serves these exact bytes at a path (`PyPI/all.zip`: a forged or truncated archive) until cleared with undefined. */
  serveRaw(path: string, bytes: Uint8Array | undefined): void;
  /**
   * Replaces an ecosystem with `count` generated records, deterministic from `seed`, each about
   * `recordBytes` long (half of it incompressible); all.zip is generated while it is sent, never held.
   */
  serveGenerated(ecosystem: string, options: { readonly count: number; readonly seed?: number; readonly recordBytes?: number }): GeneratedExport;
  /** The next `times` (default 1) responses to matching paths are cut after `bytes` body bytes (the connection dropped). */
  dropConnectionAfter(bytes: number, options?: { readonly path?: string | RegExp; readonly times?: number }): void;
  /** The `nth` matching request from now (1: the next) answers `status` (default 503). */
  failRequest(nth: number, options?: { readonly path?: string | RegExp; readonly status?: number }): void;
  close(): Promise<void>;
}

interface Served {
  readonly bytes: Buffer;
  readonly modified: Date;
}

/**
 * A local bucket laid out like osv.dev's (`ECOSYSTEM/all.zip`, `ECOSYSTEM/modified_id.csv` newest
 * first, `ECOSYSTEM/ID.json`) over real records from the shared fixtures, changed by tests through
 * its mutation methods and faults. all.zip is written while it is sent, from the records as they are.
 */
export async function startOsvExportServer(options: OsvExportServerOptions = {}): Promise<OsvExportServer> {
  const records = loadFixtureRecords(options);
  const generated = new Map<string, GeneratedExport & { readonly recordBytes: number; readonly seed: number }>();
  const raw = new Map<string, Buffer>();
  const requests: string[] = [];
  const drops: { path?: string | RegExp; bytes: number; times: number }[] = [];
  const failures: { path?: string | RegExp; remaining: number; status: number }[] = [];

  const folder = (ecosystem: string): Map<string, Served> => {
    let map = records.get(ecosystem);
    if (!map) records.set(ecosystem, (map = new Map()));
    return map;
  };
  const current = (ecosystem: string, id: string): OsvJson => {
    const found = records.get(ecosystem)?.get(id);
    if (!found) throw new Error(`the export has no ${ecosystem}/${id}`);
    return JSON.parse(found.bytes.toString('utf8')) as OsvJson;
  };
  const put = (ecosystem: string, record: OsvJson): void => {
    generated.delete(ecosystem);
    folder(ecosystem).set(record.id, { bytes: Buffer.from(JSON.stringify(record, null, 2)), modified: parseTime(record.modified) });
  };

  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://bucket').pathname).replace(/^\//, '');
    requests.push(path);
    // Every matching rule counts the request; the first that reaches its turn answers it.
    const due = failures.filter((rule) => matches(rule.path, path) && --rule.remaining === 0);
    for (const rule of due) failures.splice(failures.indexOf(rule), 1);
    if (due[0]) {
      response.writeHead(due[0].status).end();
      return;
    }
    const drop = drops.find((rule) => matches(rule.path, path));
    if (drop && --drop.times === 0) drops.splice(drops.indexOf(drop), 1);
    const body = answer(path);
    if (!body) {
      response.writeHead(404).end();
      return;
    }
    send(response, body, drop?.bytes);
  });

  const answer = (path: string): { bytes: Buffer } | { stream: AsyncIterable<Buffer> } | undefined => {
    const fixed = raw.get(path);
    if (fixed) return { bytes: fixed };
    const slash = path.indexOf('/');
    if (slash <= 0) return undefined;
    const ecosystem = path.slice(0, slash);
    const file = path.slice(slash + 1);
    const large = generated.get(ecosystem);
    if (large) return answerGenerated(large, file);
    const map = records.get(ecosystem);
    if (!map) return undefined;
    if (file === 'all.zip') return { stream: zipStream([...map].map(([id, served]) => ({ name: `${id}.json`, data: served.bytes }))) };
    if (file === 'modified_id.csv') return { bytes: modifiedCsv([...map].map(([id, served]) => ({ id, modified: served.modified }))) };
    if (file.endsWith('.json')) {
      const served = map.get(file.slice(0, -'.json'.length));
      return served && { bytes: served.bytes };
    }
    return undefined;
  };

  const host = await listenOnLoopback(server);
  return {
    url: `http://${host}/`,
    requests,
    ecosystems: () => [...new Set([...records.keys(), ...generated.keys()])].sort(),
    ids: (ecosystem) => {
      const large = generated.get(ecosystem);
      if (large) return Array.from({ length: large.count }, (_, index) => large.idAt(index));
      return [...(records.get(ecosystem)?.keys() ?? [])];
    },
    record: (ecosystem, id) => (records.get(ecosystem)?.has(id) ? current(ecosystem, id) : undefined),
    put,
    modify: (ecosystem, id, change, modified = new Date().toISOString()) => {
      const next = { ...change(current(ecosystem, id)), id, modified };
      put(ecosystem, next);
      return next;
    },
    withdraw: (ecosystem, id, at = new Date().toISOString()) => {
      const next = { ...current(ecosystem, id), withdrawn: at, modified: at };
      put(ecosystem, next);
      return next;
    },
    remove: (ecosystem, id) => {
      if (!records.get(ecosystem)?.delete(id)) throw new Error(`the export has no ${ecosystem}/${id}`);
    },
    serveRaw: (path, bytes) => {
      if (bytes) raw.set(path, Buffer.from(bytes));
      else raw.delete(path);
    },
    serveGenerated: (ecosystem, { count, seed = 1, recordBytes = 2048 }) => {
      records.delete(ecosystem);
      const recordAt = (index: number): Buffer => generatedRecord(ecosystem, seed, index, recordBytes);
      let uncompressedBytes = 0;
      for (let index = 0; index < count; index++) uncompressedBytes += recordAt(index).length;
      const large = { ecosystem, count, uncompressedBytes, seed, recordBytes, idAt: generatedId, recordAt };
      generated.set(ecosystem, large);
      return large;
    },
    dropConnectionAfter: (bytes, { path, times = 1 } = {}) => {
      drops.push({ path, bytes, times });
    },
    failRequest: (nth, { path, status = 503 } = {}) => {
      failures.push({ path, remaining: nth, status });
    },
    close: () => closeServer(server),
  };
}

function answerGenerated(large: GeneratedExport, file: string): { bytes: Buffer } | { stream: AsyncIterable<Buffer> } | undefined {
  if (file === 'all.zip') {
    return {
      stream: zipStream(
        (function* entries() {
          for (let index = 0; index < large.count; index++) yield { name: `${large.idAt(index)}.json`, data: large.recordAt(index) };
        })(),
        { level: 1 },
      ),
    };
  }
  const time = (index: number) => new Date(Date.UTC(2024, 0, 1) + index * 1000);
  if (file === 'modified_id.csv') return { bytes: modifiedCsv(Array.from({ length: large.count }, (_, index) => ({ id: large.idAt(index), modified: time(index) }))) };
  const match = /^GEN-(\d+)\.json$/.exec(file);
  const index = match ? Number(match[1]) : -1;
  return index >= 0 && index < large.count ? { bytes: large.recordAt(index) } : undefined;
}

function generatedId(index: number): string {
  return `GEN-${String(index).padStart(7, '0')}`;
}

const NOISE_POOL_BYTES = 1 << 20;
const noisePools = new Map<number, string>();

/** A megabyte of seeded letters and digits per seed: records take slices, so generating stays fast. */
function noisePool(seed: number): string {
  let pool = noisePools.get(seed);
  if (!pool) {
    const random = seededRandom(seed);
    const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
    const chars = new Array<string>(NOISE_POOL_BYTES);
    for (let index = 0; index < NOISE_POOL_BYTES; index++) chars[index] = alphabet[Math.floor(random() * alphabet.length)] as string;
    noisePools.set(seed, (pool = chars.join('')));
  }
  return pool;
}

/** A small valid OSV record; half its details are seeded noise so the archive does not compress away. */
function generatedRecord(ecosystem: string, seed: number, index: number, recordBytes: number): Buffer {
  const pool = noisePool(seed);
  const length = Math.min(Math.floor(recordBytes / 2), NOISE_POOL_BYTES);
  const start = Math.floor(seededRandom(seed * 1_000_003 + index)() * (NOISE_POOL_BYTES - length));
  const record = {
    schema_version: '1.6.0',
    id: generatedId(index),
    modified: new Date(Date.UTC(2024, 0, 1) + index * 1000).toISOString().replace('.000Z', 'Z'),
    summary: `generated advisory ${index}`,
    details: pool.slice(start, start + length).padEnd(Math.max(0, recordBytes - 400), ' '),
    affected: [{ package: { ecosystem, name: `package-${index % 1000}` }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: `1.${index % 97}.0` }] }] }],
  };
  return Buffer.from(JSON.stringify(record));
}

/** osv.dev's listing: `<RFC 3339 modified>,<ID>` per line, newest first. */
function modifiedCsv(entries: { id: string; modified: Date }[]): Buffer {
  entries.sort((a, b) => b.modified.getTime() - a.modified.getTime() || a.id.localeCompare(b.id));
  return Buffer.from(entries.map(({ id, modified }) => `${modified.toISOString().replace('.000Z', 'Z')},${id}\n`).join(''));
}

function send(response: ServerResponse, body: { bytes: Buffer } | { stream: AsyncIterable<Buffer> }, dropAfter: number | undefined): void {
  if ('bytes' in body) response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.bytes.length });
  else response.writeHead(200, { 'content-type': 'application/octet-stream' });
  const chunks = 'bytes' in body ? [body.bytes] : body.stream;
  void (async () => {
    let sent = 0;
    for await (const chunk of chunks) {
      if (response.destroyed) return;
      const room = dropAfter === undefined ? chunk.length : dropAfter - sent;
      const part = room < chunk.length ? chunk.subarray(0, Math.max(0, room)) : chunk;
      sent += part.length;
      const flushed = response.write(part);
      if (dropAfter !== undefined && sent >= dropAfter) {
        // Let the bytes so far reach the client, then cut the connection mid-body.
        response.once('drain', () => response.destroy());
        if (flushed) setImmediate(() => response.destroy());
        return;
      }
      if (!flushed) await new Promise((resolveDrain) => response.once('drain', resolveDrain));
    }
    response.end();
  })().catch(() => response.destroy());
}

function matches(rule: string | RegExp | undefined, path: string): boolean {
  if (rule === undefined) return true;
  return typeof rule === 'string' ? rule === path : rule.test(path);
}

function parseTime(text: string): Date {
  const time = new Date(text);
  if (Number.isNaN(time.getTime())) throw new Error(`not a time: ${text}`);
  return time;
}

function loadFixtureRecords(options: OsvExportServerOptions): Map<string, Map<string, Served>> {
  const records = new Map<string, Map<string, Served>>();
  for (const source of options.sources ?? ['osv', 'osv-corpus']) {
    const root = sharedFixtures(source);
    for (const ecosystem of readdirSync(root).sort()) {
      if (options.ecosystems && !options.ecosystems.includes(ecosystem)) continue;
      const dir = join(root, ecosystem);
      if (!statSync(dir).isDirectory()) continue;
      const files = readdirSync(dir).filter((name) => name.endsWith('.json')).sort();
      for (const name of files.slice(0, options.maxRecordsPerEcosystem ?? files.length)) {
        const bytes = readFileSync(join(dir, name));
        const parsed = fixtureRecord.parse(JSON.parse(bytes.toString('utf8')));
        let map = records.get(ecosystem);
        if (!map) records.set(ecosystem, (map = new Map()));
        // The same advisory in both trees: the newer copy is what the export has.
        const modified = parseTime(parsed.modified);
        const seen = map.get(parsed.id);
        if (!seen || seen.modified < modified) map.set(parsed.id, { bytes, modified });
      }
    }
  }
  return records;
}

const fixtureRecord = z.object({ id: z.string().min(1), modified: z.string().min(1) });
