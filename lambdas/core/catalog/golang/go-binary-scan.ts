import { isExecutableFormat } from '../executable-format.ts';
import type { IssueSink, StreamScan } from '../file-analyzer.ts';
import type { LanguageFile } from '../language-package.ts';
import { goModules, MODINFO_END, MODINFO_START } from './go-modinfo.ts';

const BUILDINFO_MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
const BUILDINFO_HEADER = 32;
const BUILDINFO_ALIGN = 16;
const FLAG_INLINE_STRINGS = 2;
const MAX_CAPTURE = 1024 * 1024;
const OVERLAP = 32;
const GO_PREFIX = Buffer.from('go1.', 'latin1');

type Capture = { kind: 'buildinfo' | 'modinfo'; parts: Buffer[]; bytes: number };

/**
 * Finds a Go binary's build info while the file streams past, holding only the build info itself.
 * Go 1.18–1.25 put it in a `\xff Go buildinf:` header with the version and module text inline; other
 * toolchains (older, or newer linkers that moved it) still embed the module text between fixed
 * markers and the version as a NUL-delimited `go1.x` string, which is used when there is one only.
 */
export class GoBinaryScan implements StreamScan<LanguageFile> {
  private fileOffset = 0; // offset of the first byte of `carry`
  private carry: Buffer = Buffer.alloc(0);
  private capture: Capture | undefined;
  private goVersion: string | undefined;
  private modinfo: string | undefined;
  private readonly versions = new Set<string>();
  private first = true;
  private inlineBuildInfo = false;

  write(chunk: Uint8Array): boolean {
    const data = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.first) {
      this.first = false;
      if (!isExecutableFormat(data)) return false;
    }
    const window = this.carry.length > 0 ? Buffer.concat([this.carry, data]) : data;
    const base = this.fileOffset;
    if (this.capture) this.extend(this.capture, data);
    else if (this.modinfo === undefined) this.findStart(window, base);
    if (this.inlineBuildInfo) return false;
    this.findVersions(window);
    const keep = Math.min(OVERLAP, window.length);
    this.carry = Buffer.from(window.subarray(window.length - keep));
    this.fileOffset = base + window.length - keep;
    return true;
  }

  end(issues: IssueSink): LanguageFile | undefined {
    if (this.first || this.modinfo === undefined) return undefined;
    const goVersion = this.goVersion ?? (this.versions.size === 1 ? [...this.versions][0] : undefined);
    if (!goVersion) issues.warn(`the Go toolchain version could not be told (${this.versions.size} candidates); stdlib is not listed`);
    const packages = goModules({ ...(goVersion ? { goVersion } : {}), modinfo: this.modinfo });
    return packages.length > 0 ? { packages } : undefined;
  }

  private findStart(window: Buffer, base: number): void {
    for (let from = 0; ; ) {
      const at = window.indexOf(BUILDINFO_MAGIC, from);
      if (at < 0) break;
      if ((base + at) % BUILDINFO_ALIGN === 0) return this.begin('buildinfo', window.subarray(at));
      from = at + 1;
    }
    const at = window.indexOf(MODINFO_START);
    if (at >= 0) this.begin('modinfo', window.subarray(at));
  }

  private begin(kind: Capture['kind'], first: Buffer): void {
    this.capture = { kind, parts: [], bytes: 0 };
    this.extend(this.capture, first);
  }

  private extend(capture: Capture, data: Buffer): void {
    const room = MAX_CAPTURE - capture.bytes;
    if (room <= 0) return this.abandon();
    const part = Buffer.from(data.subarray(0, room));
    capture.parts.push(part);
    capture.bytes += part.length;
    const bytes = Buffer.concat(capture.parts);
    capture.parts = [bytes];
    if (capture.kind === 'buildinfo') this.tryBuildInfo(bytes);
    else this.tryModinfo(bytes);
  }

  private tryBuildInfo(bytes: Buffer): void {
    if (bytes.length < BUILDINFO_HEADER) return;
    const pointerSize = bytes[14];
    const flags = bytes[15]!;
    // Before Go 1.18 the header holds pointers into the data segment, which a stream cannot follow.
    if ((pointerSize !== 4 && pointerSize !== 8) || (flags & FLAG_INLINE_STRINGS) === 0) return this.abandon();
    const version = readVarBytes(bytes, BUILDINFO_HEADER);
    if (version === 'incomplete') return;
    if (version === 'invalid') return this.abandon();
    const modinfo = readVarBytes(bytes, version.next);
    if (modinfo === 'incomplete') return;
    if (modinfo === 'invalid') return this.abandon();
    this.goVersion = version.bytes.toString('latin1');
    // As debug/buildinfo does: the module text sits between 16-byte markers when there is one.
    const wrapped = modinfo.bytes.length >= 33 && modinfo.bytes[modinfo.bytes.length - 17] === 0x0a;
    this.modinfo = (wrapped ? modinfo.bytes.subarray(16, modinfo.bytes.length - 16) : modinfo.bytes).toString('utf8');
    this.inlineBuildInfo = true;
    this.capture = undefined;
  }

  private tryModinfo(bytes: Buffer): void {
    const end = bytes.indexOf(MODINFO_END, MODINFO_START.length);
    if (end < 0) return;
    this.modinfo = bytes.toString('utf8', MODINFO_START.length, end);
    this.capture = undefined;
  }

  private abandon(): void {
    this.capture = undefined;
  }

  /** NUL-delimited `go1.N[.M][rcK|betaK]` strings: runtime.buildVersion looks like this. */
  private findVersions(window: Buffer): void {
    for (let at = window.indexOf(GO_PREFIX); at >= 0; at = window.indexOf(GO_PREFIX, at + 1)) {
      if (at === 0 || window[at - 1] !== 0) continue;
      let end = at + GO_PREFIX.length;
      while (end < window.length && end - at < 24 && isVersionByte(window[end]!)) end++;
      if (end >= window.length || window[end] !== 0) continue;
      const text = window.toString('latin1', at, end);
      if (/^go1\.\d+(?:\.\d+)?(?:(?:rc|beta)\d+)?$/.test(text)) this.versions.add(text);
    }
  }
}

function isVersionByte(byte: number): boolean {
  return (byte >= 0x30 && byte <= 0x39) || byte === 0x2e || (byte >= 0x61 && byte <= 0x7a);
}

/** A uvarint length followed by that many bytes, as the inline build info stores its strings. */
function readVarBytes(bytes: Buffer, offset: number): { bytes: Buffer; next: number } | 'incomplete' | 'invalid' {
  let length = 0;
  let shift = 0;
  let position = offset;
  for (;;) {
    if (position >= bytes.length) return 'incomplete';
    const byte = bytes[position++]!;
    length += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) break;
    shift += 7;
    if (shift > 28) return 'invalid';
  }
  if (length > MAX_CAPTURE) return 'invalid';
  if (position + length > bytes.length) return 'incomplete';
  return { bytes: bytes.subarray(position, position + length), next: position + length };
}
