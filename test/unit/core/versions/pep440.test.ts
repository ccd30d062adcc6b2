import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CustomsError } from '../../../../lambdas/core/errors.ts';
import { pep440Scheme } from '../../../../lambdas/core/versions/pep440.ts';
import { sharedFixtures } from '../../../support/paths.ts';
import { packagingVerdicts, waitForPackaging } from '../../../support/version-oracle-python.ts';
import { seededRandom } from '../../../support/seeded-random.ts';
import { disagreementsWithOracle } from '../../../support/version-vectors.ts';

function rows(name: string): string[][] {
  return readFileSync(sharedFixtures('version', name), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map((line) => line.split('\t'));
}

describe('pep440Scheme on pypa/packaging vectors', () => {
  it('orders every sorted pair', () => {
    const cases = rows('pep440-sorted-pairs.tsv');
    expect(cases.length).toBeGreaterThan(8000);
    const wrong = cases.filter(([a, b, want]) => pep440Scheme.compare(a!, b!) !== Number(want));
    expect(wrong).toEqual([]);
  });

  it('treats normalised spellings as equal', () => {
    const cases = rows('pep440-normalized-equal.tsv');
    const wrong = cases.filter(([a, b, want]) => pep440Scheme.compare(a!, b!) !== Number(want));
    expect(wrong).toEqual([]);
  });

  it('rejects invalid versions', () => {
    const invalid = readFileSync(sharedFixtures('version', 'pep440-invalid.txt'), 'utf8').split('\n').filter((l) => l !== '');
    expect(invalid.filter((v) => pep440Scheme.isValid(v))).toEqual([]);
    expect(() => pep440Scheme.compare('french toast', '1.0')).toThrow(CustomsError);
    expect(() => pep440Scheme.compare('1.0', '1..0')).toThrow(/1\.\.0/);
  });

  it('reads the spellings the spec allows', () => {
    expect(pep440Scheme.compare(' V1!2.0-Preview.3+Ubuntu-1 ', '1!2rc3+ubuntu.1')).toBe(0);
    expect(pep440Scheme.compare('1.0-1', '1.0.post1')).toBe(0);
    expect(pep440Scheme.compare('1.0rev', '1.0.post0')).toBe(0);
    expect(pep440Scheme.compare('1.0+5', '1.0+abc')).toBe(1);
    expect(pep440Scheme.compare('1.0.dev1', '1.0a1')).toBe(-1);
    expect(pep440Scheme.compare('99999999999999999999999.1', '99999999999999999999999.01')).toBe(0);
  });
});


function pickOne(random: () => number, items: string[]): string {
  return items[Math.floor(random() * items.length)]!;
}

function generator(random: () => number) {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const maybe = (p: number, f: () => string): string => (random() < p ? f() : '');
  const num = (): string => pick(['0', '1', '2', '3', '10', '00', '01', '007', '12345678901234567890']);
  const sep = (): string => pick(['', '', '.', '-', '_']);
  const cased = (s: string): string => (random() < 0.2 ? s.toUpperCase() : s);
  const version = (): string =>
    maybe(0.05, () => pick([' ', '\t', '\n'])) +
    maybe(0.1, () => pick(['v', 'V'])) +
    maybe(0.1, () => `${pick(['0', '1', '2'])}!`) +
    Array.from({ length: 1 + Math.floor(random() * 4) }, num).join('.') +
    maybe(0.4, () => sep() + cased(pick(['a', 'b', 'c', 'rc', 'alpha', 'beta', 'pre', 'preview'])) + maybe(0.7, () => sep() + num())) +
    maybe(0.3, () => (random() < 0.3 ? `-${num()}` : sep() + cased(pick(['post', 'rev', 'r'])) + maybe(0.7, () => sep() + num()))) +
    maybe(0.3, () => sep() + cased('dev') + maybe(0.7, () => sep() + num())) +
    maybe(0.2, () => '+' + Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(['abc', 'ubuntu', 'B', '5', '05', '0', 'x1'])).join(pick(['.', '-', '_']))) +
    maybe(0.05, () => pick([' ', '\n']));
  // Mutations push some strings over the edge of the grammar, so validity is tested too.
  const mutate = (v: string): string => {
    const i = Math.floor(random() * (v.length + 1));
    return pick([() => v.slice(0, i) + pick(['.', '-', '+', '_', '!', ' ', 'x', 'dev', '..']) + v.slice(i), () => v.slice(0, i) + v.slice(i + 1)])();
  };
  return (): string => (random() < 0.15 ? mutate(version()) : version());
}

describe('pep440Scheme against packaging.version (Debian python3-packaging)', () => {
  const random = seededRandom(440);
  const next = generator(random);
  const pool = Array.from({ length: 600 }, next);
  const pairs: [string, string][] = Array.from({ length: 3000 }, () => {
    const a = pool[Math.floor(random() * pool.length)]!;
    // A third of pairs respell the same version so ties and near-ties are common.
    if (random() < 0.33) return [a, pickOne(random, [a.toUpperCase(), `${a}.0`, a.replace('.', '_'), a.trim()])];
    // Another tenth differ only in local labels, which have their own ordering rules.
    if (random() < 0.15) {
      const base = a.split('+')[0]!.trim();
      const local = (): string => pickOne(random, ['', '+1', '+a', '+1.a', '+a.1', '+1.1', '+01', '+A', '+b', '+1-2', '+abc.5']);
      return [base + local(), base + local()];
    }
    return [a, random() < 0.5 ? pool[Math.floor(random() * pool.length)]! : next()];
  });

  beforeAll(() => waitForPackaging(), 180_000);

  it('agrees on validity and order for 3,000 seeded pairs', () => {
    const verdicts = packagingVerdicts(pairs);
    expect(verdicts).toHaveLength(pairs.length);
    const disagreements = disagreementsWithOracle(pep440Scheme, pairs, verdicts);
    expect(disagreements).toEqual([]);
    const bothValid = verdicts.filter((v) => v.order !== null).length;
    expect(bothValid).toBeGreaterThan(2000);
    expect(verdicts.filter((v) => !v.validA || !v.validB).length).toBeGreaterThan(50);
    expect(verdicts.filter((v) => v.order === 0).length).toBeGreaterThan(20);
  }, 60_000);
});
