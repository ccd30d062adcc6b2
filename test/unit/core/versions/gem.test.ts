import { describe, expect, it } from 'vitest';
import { CustomsError } from '../../../../lambdas/core/errors.ts';
import { gemScheme } from '../../../../lambdas/core/versions/gem.ts';
import { gemVerdicts } from '../../../support/version-oracle-ruby.ts';
import { seededRandom } from '../../../support/seeded-random.ts';
import { disagreementsWithOracle } from '../../../support/version-vectors.ts';

describe('gemScheme', () => {
  it('orders the cases RubyGems documents', () => {
    expect(gemScheme.compare('1.0', '1.0.0')).toBe(0);
    expect(gemScheme.compare('1.0.a', '1.0')).toBe(-1);
    expect(gemScheme.compare('1.0.a', '1.0.b')).toBe(-1);
    expect(gemScheme.compare('1.0.0.rc1', '1.0.0.beta2')).toBe(1);
    expect(gemScheme.compare('1.0-1', '1.0.pre.1')).toBe(0);
    expect(gemScheme.compare('1.a.0', '1.a')).toBe(0);
    expect(gemScheme.compare('1.A', '1.a')).toBe(-1);
    expect(gemScheme.compare('', '0')).toBe(0);
    expect(gemScheme.compare(' 2.10 ', '2.9')).toBe(1);
    expect(gemScheme.compare('123456789012345678901234567890', '123456789012345678901234567889')).toBe(1);
  });

  it('rejects what Gem::Version.new rejects', () => {
    for (const bad of ['1.0.', '.1', 'a', '1..0', '1.0-', '1_0', '1 0', '1.0+b']) expect(gemScheme.isValid(bad), bad).toBe(false);
    expect(() => gemScheme.compare('1.0', 'junk')).toThrow(CustomsError);
    expect(() => gemScheme.compare('1.0', 'junk')).toThrow(/junk/);
  });
});


describe('gemScheme against Gem::Version (Debian ruby)', () => {
  const random = seededRandom(7);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const segment = (): string => pick(['0', '0', '1', '2', '10', '01', '00', 'a', 'b', 'pre', 'rc1', 'beta2', 'A', 'Z9', '3x', '99999999999999999999']);
  const version = (): string => {
    let v = pick(['0', '1', '2', '10', '01']);
    const n = Math.floor(random() * 5);
    for (let i = 0; i < n; i++) v += (random() < 0.85 ? '.' : '-') + segment();
    if (random() < 0.05) v = pick([' ', '\t', '\n']) + v + pick(['', ' ']);
    if (random() < 0.02) v = pick(['', ' ']);
    if (random() < 0.12) {
      const i = Math.floor(random() * (v.length + 1));
      v = v.slice(0, i) + pick(['.', '-', '_', '+', ' ', '--', 'a', '']) + v.slice(i + (random() < 0.5 ? 1 : 0));
    }
    return v;
  };
  const pool = Array.from({ length: 500 }, version);
  const pairs: [string, string][] = Array.from({ length: 3000 }, () => {
    const a = pick(pool);
    // Some pairs append zeros or respell `.pre.` so ties are common.
    if (random() < 0.25) return [a, pick([`${a}.0`, a.replace('.pre.', '-'), a.replace('-', '.pre.'), `${a}.0.0`])];
    return [a, random() < 0.5 ? pick(pool) : version()];
  });

  it('agrees on validity and order for 3,000 seeded pairs', () => {
    const verdicts = gemVerdicts(pairs);
    expect(verdicts).toHaveLength(pairs.length);
    const disagreements = disagreementsWithOracle(gemScheme, pairs, verdicts);
    expect(disagreements).toEqual([]);
    expect(verdicts.filter((v) => v.order !== null).length).toBeGreaterThan(2000);
    expect(verdicts.filter((v) => !v.validA || !v.validB).length).toBeGreaterThan(50);
    expect(verdicts.filter((v) => v.order === 0).length).toBeGreaterThan(100);
  }, 60_000);
});
