import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type RpmVerdict = -1 | 0 | 1 | 'invalid';

/** A Lua string literal holding exactly the UTF-8 bytes of `text`. */
function luaString(text: string): string {
  return `"${[...Buffer.from(text, 'utf8')].map((byte) => `\\${byte}`).join('')}"`;
}

/**
 * Asks Debian's rpm to order every pair with `rpm.vercmp` (full EVR strings) in one Lua chunk,
 * loaded from a file because the chunk outgrows a single command-line argument.
 */
export function rpmOracle(pairs: readonly (readonly [string, string])[]): RpmVerdict[] {
  const dir = mkdtempSync(join(tmpdir(), 'customs-rpm-oracle-'));
  try {
    const file = join(dir, 'pairs.lua');
    const lines = pairs.map(([a, b]) => `c(${luaString(a)}, ${luaString(b)})`);
    const chunk = [
      'local out = {}',
      'local function c(a, b) local ok, r = pcall(rpm.vercmp, a, b); out[#out + 1] = ok and tostring(r) or "E" end',
      ...lines,
      'io.stdout:write(table.concat(out, "\\n"), "\\n")',
    ].join('\n');
    writeFileSync(file, chunk);
    const out = execFileSync('rpm', ['--eval', `%{lua: dofile("${file}")}`], { encoding: 'utf8', maxBuffer: 64 << 20 });
    const verdicts = out.split('\n').filter(Boolean).map((line): RpmVerdict => (line === 'E' ? 'invalid' : (Number(line) as -1 | 0 | 1)));
    if (verdicts.length !== pairs.length) throw new Error(`rpm oracle answered ${verdicts.length} of ${pairs.length} pairs`);
    return verdicts;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
