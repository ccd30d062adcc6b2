import { execFileSync } from 'node:child_process';

import type { OracleVerdict } from './version-vectors.ts';

const PYTHON = '/usr/bin/python3';

// One process for all pairs: a JSON array [a, b] per input line, a JSON verdict per output line.
const SCRIPT = String.raw`
import json, sys
from packaging.version import Version, InvalidVersion
def parse(s):
    try:
        return Version(s)
    except InvalidVersion:
        return None
for line in sys.stdin:
    a, b = json.loads(line)
    va, vb = parse(a), parse(b)
    order = None if va is None or vb is None else (va > vb) - (va < vb)
    print(json.dumps([va is not None, vb is not None, order]))
`;

/** Waits for Debian's python3-packaging (it may still be installing), up to `timeoutMs`. */
export async function waitForPackaging(timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      execFileSync(PYTHON, ['-c', 'import packaging.version'], { stdio: 'ignore' });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error('python3-packaging is not importable under /usr/bin/python3', { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
  }
}

export function packagingVerdicts(pairs: readonly (readonly [string, string])[]): OracleVerdict[] {
  const input = pairs.map((pair) => JSON.stringify(pair)).join('\n') + '\n';
  const output = execFileSync(PYTHON, ['-c', SCRIPT], { input, encoding: 'utf8', maxBuffer: 64 << 20 });
  return output
    .trimEnd()
    .split('\n')
    .map((line) => {
      const [validA, validB, order] = JSON.parse(line) as [boolean, boolean, -1 | 0 | 1 | null];
      return { validA, validB, order };
    });
}
