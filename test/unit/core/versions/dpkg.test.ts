import { seededRandom } from '../../../support/seeded-random.ts';
import { readVersionVectors } from '../../../support/version-vectors.ts';
import { describe, expect, it } from 'vitest';
import { dpkgScheme } from '../../../../lambdas/core/versions/dpkg.ts';
import { CustomsError } from '../../../../lambdas/core/errors.ts';
import { sign } from '../../../../lambdas/core/versions/version-scheme.ts';
import { dpkgOracle } from '../../../support/version-oracle-dpkg.ts';

const vectors = readVersionVectors('dpkg.tsv');


const random = seededRandom(0x5eed);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

const DIGITS = ['0', '00', '1', '01', '007', '9', '10', '123', '2147483648', '99999999999999999999'];
const LETTERS = ['a', 'b', 'z', 'A', 'Z', 'foo', 'rc', 'dfsg', 'nmu'];
const SEPARATORS = ['.', '+', '~', '~~', '-', ':', '.', '+'];
// Rare pieces probe the parser: dpkg rejects some (spaces, empty parts) and only warns on others.
const RARE = ['_', '%', 'é', ' ', '', '-', ':', '@'];

function upstream(): string {
  let text = pick([...DIGITS, ...DIGITS, ...LETTERS]);
  const pieces = Math.floor(random() * 6);
  for (let i = 0; i < pieces; i++) text += pick([pick(DIGITS), pick(LETTERS), pick(SEPARATORS), random() < 0.1 ? pick(RARE) : '']);
  return text;
}

function version(): string {
  const epoch = random() < 0.3 ? `${pick(['0', '1', '2', '00', '+1', '10', ...(random() < 0.1 ? ['', '-1', 'a'] : [])])}:` : '';
  const revision = random() < 0.5 ? `-${pick([...DIGITS, ...LETTERS, '1ubuntu1', '0+deb12u1', '1~bpo1', ...(random() < 0.05 ? [''] : [])])}` : '';
  return epoch + upstream() + revision;
}

/** A near neighbour of `text`: the pairs where orderings are decided late. */
function mutate(text: string): string {
  const at = Math.floor(random() * (text.length + 1));
  switch (Math.floor(random() * 5)) {
    case 0:
      return text.slice(0, at) + pick([...SEPARATORS, ...DIGITS, ...LETTERS]) + text.slice(at);
    case 1:
      return text.slice(0, at) + text.slice(at + 1);
    case 2:
      return text.replace(/\d+/, (digits) => pick(['0', '00']) + digits);
    case 3:
      return text + pick(['~', '~rc1', '+b1', '.0', '-1', 'a']);
    default:
      return text.slice(0, at) + pick(['0', 'a', '~', '.', '+']) + text.slice(at + 1);
  }
}

function pairs(count: number): [string, string][] {
  const seeds = vectors.flatMap(([a, b]) => [a, b]);
  const out: [string, string][] = [];
  while (out.length < count) {
    const a = random() < 0.3 ? mutate(pick(seeds)) : version();
    out.push([a, random() < 0.75 ? mutate(a) : version()]);
  }
  // dpkg reads '' as "no version" rather than rejecting it; Customs rejects it (tested below).
  return out.filter(([a, b]) => a.trim() !== '' && b.trim() !== '');
}

describe('dpkgScheme', () => {
  it.each(vectors)('orders %s against %s as %s (dpkg test vectors)', (a, b, expected) => {
    expect(dpkgScheme.compare(a, b)).toBe(Number(expected));
    expect(dpkgScheme.compare(b, a)).toBe(sign(-Number(expected)));
  });

  it('agrees with dpkg --compare-versions on ~2,400 generated pairs and on which of 1,000 versions it accepts', () => {
    const generated = pairs(2400);
    // Each version against itself tells whether dpkg accepts it at all.
    const singles = [...new Set(generated.flat())].slice(0, 1000);
    const verdicts = dpkgOracle([...generated, ...singles.map((v): [string, string] => [v, v])]);
    const mismatches: string[] = [];
    singles.forEach((v, i) => {
      const accepted = verdicts[generated.length + i] !== 'invalid';
      if (dpkgScheme.isValid(v) !== accepted) mismatches.push(`valid(${JSON.stringify(v)}): dpkg ${accepted}`);
    });
    let compared = 0;
    generated.forEach(([a, b], i) => {
      const expected = verdicts[i]!;
      if (expected === 'invalid') {
        if (a !== '' && b !== '' && dpkgScheme.isValid(a) && dpkgScheme.isValid(b)) mismatches.push(`${a} vs ${b}: dpkg rejects`);
        return;
      }
      compared++;
      const actual = dpkgScheme.compare(a, b);
      if (actual !== expected) mismatches.push(`${JSON.stringify(a)} vs ${JSON.stringify(b)}: dpkg ${expected}, ours ${actual}`);
    });
    expect(mismatches).toEqual([]);
    expect(compared).toBeGreaterThan(2000);
    expect(singles.filter((v) => !dpkgScheme.isValid(v)).length).toBeGreaterThan(20);
  }, 120_000);

  it.each(['', ' ', ':1', '1:', '1-', '1:-1', 'a:1', '-1:1', '2147483648:1', '1 2'])('rejects %j as malformed, naming it', (bad) => {
    expect(dpkgScheme.isValid(bad)).toBe(false);
    expect(() => dpkgScheme.compare(bad, '1')).toThrow(CustomsError);
    expect(() => dpkgScheme.compare('1', bad)).toThrow(`'${bad}'`);
    try {
      dpkgScheme.compare(bad, '1');
    } catch (error) {
      expect((error as CustomsError).code).toBe('malformed');
    }
  });

  it('accepts what dpkg only warns about', () => {
    expect(dpkgScheme.isValid('a')).toBe(true);
    expect(dpkgScheme.isValid('1.0_é')).toBe(true);
    expect(dpkgScheme.compare(' 1:1 ', '1:1')).toBe(0);
  });
});
