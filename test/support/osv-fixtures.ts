import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

/** Files under `root` by what a loader should make of them: `*.json` records, and everything else. */
export function osvFilesIn(root: string): { json: string[]; other: string[] } {
  const json: string[] = [];
  const other: string[] = [];
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = relative(root, join(entry.parentPath, entry.name));
    (entry.name.endsWith('.json') ? json : other).push(path);
  }
  return { json, other };
}

/** Zips `files` (relative to `cwd`) with the `zip` CLI, flat (`-j`) like osv.dev's all.zip, or with paths. */
export function zipWithCli(cwd: string, files: readonly string[], options: { flat?: boolean } = {}): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'customs-osv-zip-'));
  const out = join(dir, 'all.zip');
  try {
    // Names go through stdin (-@) so seven thousand of them do not overflow the argument list.
    execFileSync('zip', ['-q', ...(options.flat ? ['-j'] : []), out, '-@'], { cwd, input: files.join('\n') });
    return readFileSync(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
