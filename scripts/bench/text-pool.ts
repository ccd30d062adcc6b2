import { Prng } from './prng.ts';

/**
 * A few MiB of text-like bytes (prose, config lines, code-ish lines) that text files are sliced
 * from. Words follow a Zipf-like law over a few thousand words, so gzip compresses it about as well
 * as real docs and scripts (3–4x) rather than absurdly well or hardly at all.
 */
const POOL_BYTES = 4 * 1024 * 1024;
const SYLLABLES = ['ba', 'ce', 'di', 'fo', 'gu', 'ha', 'je', 'ki', 'lo', 'mu', 'na', 'pe', 'ri', 'so', 'tu', 'va', 'we', 'xi', 'yo', 'za', 'st', 'tr', 'pl', 'ng', 'ck', 'th', 'sh', 'qu', 'er', 'on', 'in', 'al'];
const PUNCTUATION = ['.', ',', ':', ';', ' =', ' {', '}', '()', ' ->', ' //'];

let pool: Buffer | undefined;

export function textPool(): Buffer {
  pool ??= buildPool();
  return pool;
}

function buildPool(): Buffer {
  const random = new Prng(0x7e57);
  const words = Array.from({ length: 1000 }, () => {
    let word = '';
    for (let count = random.int(1, 5); count > 0; count--) word += random.pick(SYLLABLES);
    return word;
  });
  const lines: string[] = [];
  let size = 0;
  while (size < POOL_BYTES) {
    // Code and config repeat nearby lines with small edits; that is most of what gzip finds.
    const recent = lines.length > 16 && random.chance(0.4) ? lines[lines.length - random.int(1, 16)]! : undefined;
    const line = recent ? `${recent.slice(0, random.int(0, recent.length))}${zipf(random, words)}` : makeLine(random, words);
    lines.push(line);
    size += line.length + 1;
  }
  return Buffer.from(lines.join('\n'), 'latin1');
}

function makeLine(random: Prng, words: readonly string[]): string {
  const style = random.int(0, 3);
  if (style === 0) return `${zipf(random, words)}_${zipf(random, words)}=${zipf(random, words)}${random.int(0, 1000)}`;
  const indent = style === 1 ? ' '.repeat(random.int(0, 4) * 2) : '';
  const parts: string[] = [];
  for (let count = random.int(3, 14); count > 0; count--) {
    parts.push(zipf(random, words));
    if (random.chance(0.15)) parts.push(random.pick(PUNCTUATION));
  }
  return indent + parts.join(' ');
}

/** Word i with probability about 1/i, as in natural language and source code. */
function zipf(random: Prng, words: readonly string[]): string {
  return words[random.logUniform(1, words.length + 1) - 1]!;
}
