import { isExecutableFormat } from '../executable-format.ts';
import type { IssueSink, StreamScan } from '../file-analyzer.ts';
import type { LanguageFile } from '../language-package.ts';
import { ElfVersionSymbols } from './elf-version-symbols.ts';
import { fileOffsetOf, type ExeLayout } from './exe-layout.ts';
import {
  BUILDINFO_ALIGN,
  BUILDINFO_MAGIC,
  MAX_BUILDINFO_STRING,
  parseBuildInfoHeader,
  readStringHeader,
  unwrapModinfo,
  type BuildInfoHeader,
} from './go-buildinfo-header.ts';
import { ldflagsAssignments } from './go-ldflags-version.ts';
import { DEVEL, goModules, mainModule, MODINFO_END, MODINFO_START } from './go-modinfo.ts';
import { pickVersionVariable } from './go-version-variable.ts';
import { GoVersionStrings, MAX_VERSION_TEXT } from './go-version-strings.ts';
import { readExeLayout } from './read-exe-layout.ts';
import { StreamCapture } from './stream-capture.ts';
import { StreamReads } from './stream-reads.ts';

/** Where every executable format keeps its segment and section tables. */
const HEAD_BYTES = 64 * 1024;
/** Bytes each window repeats from the last: more than any string looked for across a boundary. */
const OVERLAP = 128;
const MAX_MODINFO = MAX_BUILDINFO_STRING;

/**
 * Finds a Go binary's build info while the file streams past, with bounded memory. Go 1.18+ put it
 * in a `\xff Go buildinf:` header with the version and module text inline; Go 1.13–1.17 put pointers
 * there, followed with the segment map read from the file's start: the string headers lie ahead (in
 * .data), the strings mostly behind (rodata), so version strings and the module text seen earlier are
 * remembered by offset. Other toolchains still embed the module text between fixed markers and the
 * version as a NUL-delimited `go1.x` string, which is used when there is one only.
 * The main module's `(devel)` is replaced by a version set with `-ldflags -X`, when one is found.
 */
export class GoBinaryScan implements StreamScan<LanguageFile> {
  private head: Buffer[] | undefined = [];
  private headBytes = 0;
  private rejected = false;
  private layout: ExeLayout | undefined;
  private position = 0; // file offset of the first byte of `carry`
  private carry: Buffer = Buffer.alloc(0);
  private readonly reads = new StreamReads();
  private readonly versionStrings = new GoVersionStrings();
  private symbols: ElfVersionSymbols | undefined;
  private header: StreamCapture | undefined;
  private headerRead = false;
  private marker: StreamCapture | undefined;
  private markerModinfo: { offset: number; text: string } | undefined;
  private goVersion: string | undefined;
  private modinfo: string | undefined;
  private modinfoOffset: number | undefined; // pointer format: where the module text is, when behind
  private readonly troubles: string[] = [];

  write(chunk: Uint8Array): boolean {
    const data = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.rejected) return false;
    if (!this.head) return this.process(data);
    this.head.push(Buffer.from(data));
    this.headBytes += data.length;
    return this.headBytes < HEAD_BYTES || this.start();
  }

  end(issues: IssueSink): LanguageFile | undefined {
    if (this.head) this.start(); // a file shorter than the head
    if (this.rejected) return undefined;
    for (const trouble of this.troubles) issues.warn(trouble);
    const modinfo = this.modinfo ?? this.fallbackModinfo(issues);
    if (modinfo === undefined) return undefined;
    const releases = this.versionStrings.delimitedReleases();
    const goVersion = this.goVersion ?? (releases.size === 1 ? [...releases][0] : undefined);
    if (!goVersion) issues.warn(`the Go toolchain version could not be told (${releases.size} candidates); stdlib is not listed`);
    const mainVersion = this.inferMainVersion(modinfo);
    const packages = goModules({ ...(goVersion ? { goVersion } : {}), modinfo, ...(mainVersion ? { mainVersion } : {}) });
    return packages.length > 0 ? { packages } : undefined;
  }

  /** Reads the segment map from the buffered head, then scans the head. False: no need to go on. */
  private start(): boolean {
    const head = Buffer.concat(this.head ?? []);
    this.head = undefined;
    if (!isExecutableFormat(head)) {
      this.rejected = true;
      return false;
    }
    this.layout = readExeLayout(head);
    if (this.layout?.symbols) this.symbols = new ElfVersionSymbols(this.layout, this.layout.symbols, this.reads);
    return this.process(head);
  }

  private process(data: Buffer): boolean {
    const window = this.carry.length > 0 ? Buffer.concat([this.carry, data]) : data;
    const base = this.position;
    const keep = Math.min(OVERLAP, window.length);
    this.versionStrings.scan(window, base);
    if (this.header) this.readHeader(this.header.add(data));
    else if (!this.headerRead) this.findHeader(window, base);
    if (this.marker) this.readMarker(this.marker.add(data));
    else if (!this.markerModinfo) this.findMarker(window, base);
    this.symbols?.scan(window, base, keep);
    this.reads.feed(window, base, keep);
    this.carry = Buffer.from(window.subarray(window.length - keep));
    this.position = base + window.length - keep;
    return !this.finished();
  }

  private finished(): boolean {
    if (this.goVersion === undefined || this.modinfo === undefined || this.reads.size > 0) return false;
    if (!this.symbols || this.symbols.done) return true;
    return mainModule(this.modinfo)?.version !== DEVEL || this.inferMainVersion(this.modinfo) !== undefined;
  }

  private findHeader(window: Buffer, base: number): void {
    for (let at = window.indexOf(BUILDINFO_MAGIC); at >= 0; at = window.indexOf(BUILDINFO_MAGIC, at + 1)) {
      if ((base + at) % BUILDINFO_ALIGN !== 0) continue;
      this.header = new StreamCapture(base + at, window.subarray(at), MAX_MODINFO + 64);
      this.readHeader(this.header.add());
      if (this.header || this.headerRead) return; // else a stray copy: look further on
    }
  }

  private readHeader(bytes: Buffer | undefined): void {
    const parsed = bytes ? parseBuildInfoHeader(bytes) : 'invalid';
    if (parsed === 'incomplete') return;
    this.header = undefined;
    if (parsed === 'invalid') return; // a stray copy of the magic: look on
    this.headerRead = true;
    if (parsed.kind === 'inline') {
      this.goVersion = parsed.version;
      this.modinfo = unwrapModinfo(parsed.modinfo);
    } else this.followPointers(parsed);
  }

  /** Go before 1.18: the header points at two Go string headers, which point at the strings. */
  private followPointers(header: Extract<BuildInfoHeader, { kind: 'pointers' }>): void {
    const { pointerSize, bigEndian } = header;
    this.readGoString(header.versionAddress, pointerSize, bigEndian, 'version', MAX_VERSION_TEXT, (offset, length, bytes) => {
      const version = bytes?.toString('latin1') ?? this.versionStrings.at(offset, length);
      if (version) this.goVersion = version;
      else this.troubles.push('the build info names a Go version the scan had not kept; trying other ways');
    });
    this.readGoString(header.modinfoAddress, pointerSize, bigEndian, 'module text', MAX_MODINFO, (offset, _length, bytes) => {
      if (bytes) this.modinfo = unwrapModinfo(bytes);
      else if (this.markerModinfo?.offset === offset) this.modinfo = this.markerModinfo.text;
      else this.modinfoOffset = offset;
    });
  }

  /** Calls `found` with the string's bytes, or only its place when it lies behind the stream. */
  private readGoString(
    address: number,
    pointerSize: 4 | 8,
    bigEndian: boolean,
    what: string,
    maxLength: number,
    found: (offset: number, length: number, bytes?: Buffer) => void,
  ): void {
    const at = this.layout ? fileOffsetOf(this.layout, address, 2 * pointerSize) : undefined;
    const asked = at !== undefined && this.reads.request(at, 2 * pointerSize, (bytes) => {
      const string = readStringHeader(bytes, pointerSize, bigEndian);
      const offset = string && this.layout ? fileOffsetOf(this.layout, string.address, string.length) : undefined;
      if (!string || offset === undefined || string.length > maxLength) {
        this.troubles.push(`the build info's ${what} points outside the file`);
        return;
      }
      if (!this.reads.request(offset, string.length, (text) => found(offset, string.length, text))) found(offset, string.length);
    });
    if (!asked) this.troubles.push(`the build info's pointer to the ${what} could not be followed`);
  }

  private findMarker(window: Buffer, base: number): void {
    const at = window.indexOf(MODINFO_START);
    if (at < 0) return;
    this.marker = new StreamCapture(base + at, window.subarray(at), MAX_MODINFO);
    this.readMarker(this.marker.add());
  }

  private readMarker(bytes: Buffer | undefined): void {
    const offset = this.marker?.offset ?? 0;
    const end = bytes?.indexOf(MODINFO_END, MODINFO_START.length) ?? -1;
    if (bytes && end < 0) return;
    this.marker = undefined;
    if (bytes) this.markerModinfo = { offset, text: bytes.toString('utf8', MODINFO_START.length, end) };
  }

  /** The module text found between markers: the one the header points at, if it points behind. */
  private fallbackModinfo(issues: IssueSink): string | undefined {
    const marked = this.markerModinfo;
    if (marked && this.modinfoOffset !== undefined && marked.offset !== this.modinfoOffset) issues.warn('the build info points at other module text than the scan kept; using the first seen');
    return marked?.text;
  }

  /** For a `(devel)` main module: a version set with -X, from the recorded -ldflags or the symbol table. */
  private inferMainVersion(modinfo: string): string | undefined {
    const main = mainModule(modinfo);
    if (main?.version !== DEVEL) return undefined;
    const found = new Map([...(this.symbols?.variables() ?? []), ...ldflagsAssignments(modinfo)]);
    return pickVersionVariable(found, main.path);
  }
}
