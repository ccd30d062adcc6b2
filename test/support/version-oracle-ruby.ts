import { execFileSync } from 'node:child_process';
import type { OracleVerdict } from './version-vectors.ts';

// One process for all pairs: a JSON array [a, b] per input line, a JSON verdict per output line.
// Gem::Version.new raises ArgumentError on a malformed string; that is what "invalid" means here.
const SCRIPT = String.raw`
require 'json'
def parse(s)
  Gem::Version.new(s)
rescue ArgumentError
  nil
end
STDIN.each_line do |line|
  a, b = JSON.parse(line)
  va, vb = parse(a), parse(b)
  order = va.nil? || vb.nil? ? nil : (va <=> vb)
  puts JSON.generate([!va.nil?, !vb.nil?, order])
end
`;

/** Asks Debian's ruby how `Gem::Version` orders each pair. */
export function gemVerdicts(pairs: readonly (readonly [string, string])[]): OracleVerdict[] {
  const input = pairs.map((pair) => JSON.stringify(pair)).join('\n') + '\n';
  const output = execFileSync('/usr/bin/ruby', ['-e', SCRIPT], { input, encoding: 'utf8', maxBuffer: 64 << 20 });
  return output
    .trimEnd()
    .split('\n')
    .map((line) => {
      const [validA, validB, order] = JSON.parse(line) as [boolean, boolean, -1 | 0 | 1 | null];
      return { validA, validB, order };
    });
}
