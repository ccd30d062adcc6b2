import { constants, inflateSync } from 'node:zlib';
import type { IssueSink, StreamScan } from '../file-analyzer.ts';
import type { LanguageFile } from '../language-package.ts';
import { cargoRecords } from './cargo-dependency-tree.ts';
import { EXECUTABLE_MAGIC_BYTES, isExecutableFormat } from '../executable-format.ts';

const ZLIB_DEFLATE_32K = 0x78;
const FDICT = 0x20;
// A dynamic Huffman block's header alone can take ~70 bytes, so the trial needs a few hundred.
const TRIAL_INPUT = 256;
// The trial stops here; real JSON never inflates 32-fold in its first bytes, a crafted stream might.
const TRIAL_OUTPUT = 8 * 1024;
const JSON_START = Buffer.from('{"packages":', 'latin1');
const MAX_COMPRESSED = 4 * 1024 * 1024;
const MAX_JSON = 16 * 1024 * 1024;
const FIRST_CAPACITY = 64 * 1024;

type Outcome = { records: LanguageFile['packages'] } | { warning: string };

/**
 * Finds the dependency list `cargo auditable` embeds (section `.dep-v0`: zlib-compressed JSON)
 * while the file streams past. The section table sits at the end of the file, out of reach of a
 * stream, so the data is recognised by itself: every plausible zlib header is trial-inflated for a
 * few hundred bytes, and the first one that starts `{"packages":` is captured whole and read.
 */
export class RustAuditableScan implements StreamScan<LanguageFile> {
  private head: Buffer | undefined = Buffer.alloc(0); // bytes seen before the format is known
  private executable = false;
  private carry: Buffer = Buffer.alloc(0); // the tail whose candidates still wait for trial bytes
  private captured: Buffer | undefined;
  private capturedLength = 0;
  private nextAttempt = 0;
  private outcome: Outcome | undefined;

  write(chunk: Uint8Array): boolean {
    if (this.outcome) return false;
    let data = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.head) {
      this.head = Buffer.concat([this.head, data]);
      if (this.head.length < EXECUTABLE_MAGIC_BYTES) return true;
      data = this.head;
      this.head = undefined;
      this.executable = isExecutableFormat(data);
      if (!this.executable) return false;
    }
    if (this.captured) this.extend(data, false);
    else this.search(data, false);
    return this.outcome === undefined;
  }

  end(issues: IssueSink): LanguageFile | undefined {
    if (!this.executable) return undefined;
    if (!this.outcome) {
      // The last bytes were never trial-inflated with a full window; try them with what there is.
      if (!this.captured) this.search(Buffer.alloc(0), true);
      if (this.captured) this.attempt(true);
    }
    const outcome = this.outcome;
    if (!outcome) return undefined;
    if ('warning' in outcome) {
      issues.warn(outcome.warning);
      return undefined;
    }
    return outcome.records.length > 0 ? { packages: outcome.records } : undefined;
  }

  private search(data: Buffer, last: boolean): void {
    const window = this.carry.length > 0 ? Buffer.concat([this.carry, data]) : data;
    const stop = last ? window.length : window.length - TRIAL_INPUT;
    for (let at = window.indexOf(ZLIB_DEFLATE_32K); at >= 0 && at < stop; at = window.indexOf(ZLIB_DEFLATE_32K, at + 1)) {
      if (isZlibHeader(window, at) && firstBlockMayFit(window, at + 2) && startsWithPackages(window.subarray(at, at + TRIAL_INPUT))) {
        this.carry = Buffer.alloc(0);
        this.captured = Buffer.alloc(FIRST_CAPACITY);
        this.nextAttempt = TRIAL_INPUT;
        return this.extend(window.subarray(at), last);
      }
    }
    this.carry = Buffer.from(window.subarray(Math.max(0, stop)));
  }

  private extend(data: Buffer, last: boolean): void {
    const taken = data.subarray(0, MAX_COMPRESSED - this.capturedLength);
    const needed = this.capturedLength + taken.length;
    if (needed > this.captured!.length) {
      let capacity = this.captured!.length;
      while (capacity < needed) capacity *= 2;
      const grown = Buffer.alloc(Math.min(capacity, MAX_COMPRESSED));
      this.captured!.copy(grown, 0, 0, this.capturedLength);
      this.captured = grown;
    }
    taken.copy(this.captured!, this.capturedLength);
    this.capturedLength = needed;
    const full = needed >= MAX_COMPRESSED;
    // Inflating again each time the capture doubles keeps the total work linear in its size.
    if (last || full || needed >= this.nextAttempt) {
      this.attempt(last || full);
      this.nextAttempt = needed * 2;
    }
  }

  /** Inflates the capture; bytes after the zlib stream's end (the rest of the file) are ignored. */
  private attempt(final: boolean): void {
    let json: Buffer;
    try {
      json = inflateSync(this.captured!.subarray(0, this.capturedLength), { maxOutputLength: MAX_JSON });
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === 'Z_BUF_ERROR' && !final) return; // the stream goes on past the bytes seen so far
      this.outcome = { warning: inflateWarning(code, this.capturedLength >= MAX_COMPRESSED) };
      return this.release();
    }
    const messages: string[] = [];
    const records = cargoRecords(json.toString('utf8'), { warn: (message) => messages.push(message) });
    this.outcome = records ? { records } : { warning: messages[0] ?? 'the cargo auditable dependency data (.dep-v0) could not be read' };
    this.release();
  }

  private release(): void {
    this.captured = undefined;
    this.capturedLength = 0;
  }
}

/** CMF 0x78 (deflate, 32 KiB window), a check byte that makes the pair a multiple of 31, no preset dictionary. */
function isZlibHeader(window: Buffer, at: number): boolean {
  if (at + 1 >= window.length) return false;
  const flags = window[at + 1]!;
  return ((ZLIB_DEFLATE_32K << 8) | flags) % 31 === 0 && (flags & FDICT) === 0;
}

/**
 * Rules out, without zlib, most decoys a trial would reject slowly (zlib failures throw, ~0.1 ms
 * each): an invalid block type, and stored blocks, which are common in binaries (`78 01 00…`),
 * whose length check fails or whose bytes, stored as they are, do not start the JSON.
 */
function firstBlockMayFit(window: Buffer, at: number): boolean {
  if (at >= window.length) return true;
  const type = (window[at]! >> 1) & 3;
  if (type === 3) return false;
  if (type !== 0 || at + 5 + JSON_START.length > window.length) return true;
  const length = window.readUInt16LE(at + 1);
  if ((length ^ window.readUInt16LE(at + 3)) !== 0xffff) return false;
  return length < JSON_START.length || window.subarray(at + 5, at + 5 + JSON_START.length).equals(JSON_START);
}

function startsWithPackages(input: Buffer): boolean {
  try {
    const head = inflateSync(input, { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: TRIAL_OUTPUT });
    return head.length >= JSON_START.length && head.subarray(0, JSON_START.length).equals(JSON_START);
  } catch {
    return false; // not deflate data, or it inflates implausibly far
  }
}

function inflateWarning(code: unknown, full: boolean): string {
  if (code === 'ERR_BUFFER_TOO_LARGE') return `the cargo auditable dependency data (.dep-v0) inflates past ${MAX_JSON / 1024 / 1024} MiB; nothing was read`;
  if (code === 'Z_BUF_ERROR') {
    return full ? `the cargo auditable dependency data (.dep-v0) is larger than ${MAX_COMPRESSED / 1024 / 1024} MiB compressed; nothing was read` : 'the cargo auditable dependency data (.dep-v0) is cut short; nothing was read';
  }
  return 'the cargo auditable dependency data (.dep-v0) is not valid zlib data; nothing was read';
}
