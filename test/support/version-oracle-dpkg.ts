import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type OracleVerdict = -1 | 0 | 1 | 'invalid';

// One bash process walks the NUL-separated pairs; dpkg exits 2 when either version is bad syntax.
const LOOP = `while IFS= read -r -d '' a && IFS= read -r -d '' b; do
  dpkg --compare-versions -- "$a" lt "$b" 2>/dev/null; rc=$?
  if [ $rc -eq 0 ]; then echo -1
  elif [ $rc -eq 2 ]; then echo E
  elif dpkg --compare-versions -- "$a" eq "$b" 2>/dev/null; then echo 0
  else echo 1; fi
done < "$1"`;

/** Asks `dpkg --compare-versions` to order every pair; versions must not contain NUL. */
export function dpkgOracle(pairs: readonly (readonly [string, string])[]): OracleVerdict[] {
  const dir = mkdtempSync(join(tmpdir(), 'customs-dpkg-oracle-'));
  try {
    const file = join(dir, 'pairs');
    writeFileSync(file, pairs.map(([a, b]) => `${a}\0${b}\0`).join(''));
    const out = execFileSync('bash', ['-c', LOOP, 'oracle', file], { encoding: 'utf8', maxBuffer: 64 << 20 });
    const verdicts = out.split('\n').filter(Boolean).map((line): OracleVerdict => (line === 'E' ? 'invalid' : (Number(line) as -1 | 0 | 1)));
    if (verdicts.length !== pairs.length) throw new Error(`dpkg oracle answered ${verdicts.length} of ${pairs.length} pairs`);
    return verdicts;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
