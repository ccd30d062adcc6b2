import { seededRandom } from '../../../support/seeded-random.ts';
import { readVersionVectors } from '../../../support/version-vectors.ts';
import { describe, expect, it } from 'vitest';
import { CustomsError } from '../../../../lambdas/core/errors.ts';
import { rpmScheme } from '../../../../lambdas/core/versions/rpm.ts';
import { sign } from '../../../../lambdas/core/versions/version-scheme.ts';
import { rpmOracle } from '../../../support/version-oracle-rpm.ts';

const vectors = readVersionVectors('rpm.tsv');


const random = seededRandom(0x0e7a);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

const DIGITS = ['0', '00', '1', '01', '007', '9', '10', '123', '99999999999999999999'];
const LETTERS = ['a', 'b', 'z', 'A', 'Z', 'git', 'rc', 'el9', 'fc38'];
const SEPARATORS = ['.', '.', '+', '~', '^', '_', '-', '~~', '^^'];
const RARE = [':', '%', 'é', ' ', '@', '--'];

function version(): string {
  const epoch = random() < 0.3 ? `${pick(['0', '1', '2', '00', '10', ''])}:` : '';
  let text = pick([...DIGITS, ...DIGITS, ...LETTERS, '~', '^']);
  const pieces = Math.floor(random() * 7);
  for (let i = 0; i < pieces; i++) text += pick([pick(DIGITS), pick(LETTERS), pick(SEPARATORS), random() < 0.1 ? pick(RARE) : '']);
  const release = random() < 0.5 ? `-${pick([...DIGITS, '1.el9', '3.fc38', '0.1~rc1', '2^git1', ''])}` : '';
  return epoch + text + release;
}

/** A near neighbour of `text`: the pairs where orderings are decided late. */
function mutate(text: string): string {
  const at = Math.floor(random() * (text.length + 1));
  switch (Math.floor(random() * 5)) {
    case 0:
      return text.slice(0, at) + pick([...SEPARATORS, ...DIGITS, ...LETTERS]) + text.slice(at);
    case 1:
      return text.slice(0, at) + text.slice(at + 1) || '0';
    case 2:
      return text.replace(/\d+/, (digits) => pick(['0', '00']) + digits);
    case 3:
      return text + pick(['~', '^', '~rc1', '^git1', '.0', '-1', 'a', '.']);
    default:
      return text.slice(0, at) + pick(['0', 'a', '~', '^', '.', '-', ':']) + text.slice(at + 1) || '0';
  }
}

describe('rpmScheme', () => {
  it.each(vectors)('orders %s against %s as %s (rpm test vectors)', (a, b, expected) => {
    expect(rpmScheme.compare(a, b)).toBe(Number(expected));
    expect(rpmScheme.compare(b, a)).toBe(sign(-Number(expected)));
  });

  it('agrees with rpm.vercmp on 3,000 generated EVR pairs', () => {
    const seeds = vectors.flatMap(([a, b]) => [a, b]);
    const pairs: [string, string][] = [];
    while (pairs.length < 3000) {
      const a = random() < 0.3 ? mutate(pick(seeds)) : version();
      pairs.push([a, random() < 0.75 ? mutate(a) : version()]);
    }
    const verdicts = rpmOracle(pairs);
    const mismatches = pairs.flatMap(([a, b], i) => {
      const actual = rpmScheme.compare(a, b);
      return actual === verdicts[i] ? [] : [`${JSON.stringify(a)} vs ${JSON.stringify(b)}: rpm ${verdicts[i]}, ours ${actual}`];
    });
    expect(mismatches).toEqual([]);
    expect(pairs.filter(([a, b]) => a.includes(':') || b.includes(':')).length).toBeGreaterThan(500);
  }, 60_000);

  it('compares epochs numerically (missing = 0); a missing release sorts below any stated one', () => {
    expect(rpmScheme.compare('1:1.0', '2.0')).toBe(1);
    expect(rpmScheme.compare('0:1.0', '1.0')).toBe(0);
    expect(rpmScheme.compare('010:1', '10:1')).toBe(0);
    expect(rpmScheme.compare('1.0-1', '1.0')).toBe(1);
    expect(rpmScheme.compare('1.0', '1.0-')).toBe(-1);
  });

  it('rejects only the empty version, naming it', () => {
    expect(rpmScheme.isValid('')).toBe(false);
    expect(rpmScheme.isValid('~^:-')).toBe(true);
    expect(() => rpmScheme.compare('', '1')).toThrow(CustomsError);
    expect(() => rpmScheme.compare('1', '')).toThrow("rpm version '' is empty");
  });
});
