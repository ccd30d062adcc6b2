import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';

/** A cargo auditable dependency tree as written down by a test, before it is compressed. */
export interface AuditablePackage {
  name: string;
  version: string;
  source: string;
  kind?: 'runtime' | 'build';
  dependencies?: number[];
  root?: boolean;
}

let hello: string | undefined;

/** A small C program compiled by the `cc` here: any ELF executable will do to carry the section. */
function helloExecutable(): string {
  if (hello) return hello;
  const dir = mkdtempSync(join(tmpdir(), 'customs-rust-'));
  writeFileSync(join(dir, 'hello.c'), '#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n');
  execFileSync('cc', ['-O2', '-o', join(dir, 'hello'), join(dir, 'hello.c')], { stdio: 'pipe' });
  hello = join(dir, 'hello');
  return hello;
}

/** What `cargo auditable` embeds: serde_json's compact output, zlib-compressed. */
export function auditableSection(packages: readonly AuditablePackage[], level = 6): Buffer {
  return deflateSync(JSON.stringify({ packages }), { level });
}

/**
 * An ELF executable carrying `.dep-v0`, as `cargo auditable` leaves it, between sections of noise
 * (`before`, `after`) so the data sits mid-file with decoys on both sides.
 */
export function elfWithDepSection(section: Uint8Array, noiseAround: { before?: Uint8Array; after?: Uint8Array } = {}): { path: string; bytes: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'customs-rust-'));
  const path = join(dir, 'app');
  const args: string[] = [];
  // objcopy lays added sections out in the reverse of the order they are named.
  for (const [name, bytes] of [['.zz-after', noiseAround.after], ['.dep-v0', section], ['.zz-before', noiseAround.before]] as const) {
    if (!bytes || bytes.length === 0) continue;
    writeFileSync(join(dir, name), bytes);
    args.push('--add-section', `${name}=${join(dir, name)}`, '--set-section-flags', `${name}=noload,readonly`);
  }
  execFileSync('objcopy', [...args, helloExecutable(), path], { stdio: 'pipe' });
  return { path, bytes: readFileSync(path) };
}

/** Section names and file offsets as `readelf -S` lists them. */
export function elfSections(path: string): Map<string, { offset: number; size: number }> {
  const text = execFileSync('readelf', ['-S', '--wide', path], { encoding: 'utf8' });
  const sections = new Map<string, { offset: number; size: number }>();
  for (const match of text.matchAll(/\]\s+(\S+)\s+\S+\s+[0-9a-f]+\s+([0-9a-f]+)\s+([0-9a-f]+)/g)) sections.set(match[1]!, { offset: parseInt(match[2]!, 16), size: parseInt(match[3]!, 16) });
  return sections;
}

/** A cheap deterministic byte stream (xorshift) for noise that still holds many 0x78 bytes. */
export function noise(length: number, seed = 0x9e3779b9): Buffer {
  const bytes = Buffer.alloc(length);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    bytes[i] = state & 0xff;
  }
  return bytes;
}
