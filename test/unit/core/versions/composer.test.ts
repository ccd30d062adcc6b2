import { describe, expect, it } from 'vitest';
import { CustomsError } from '../../../../lambdas/core/errors.ts';
import { normalizeComposer } from '../../../../lambdas/core/versions/composer-normalize.ts';
import { composerScheme } from '../../../../lambdas/core/versions/composer.ts';
import { seededRandom } from '../../../support/seeded-random.ts';

// Expected normal forms, from composer/semver's VersionParserTest and its documented rules.
const NORMAL_FORMS: [string, string][] = [
  ['1.0.0', '1.0.0.0'],
  ['1.2.3.4', '1.2.3.4'],
  ['1', '1.0.0.0'],
  ['v1.0.0', '1.0.0.0'],
  ['  1.0.0 ', '1.0.0.0'],
  ['1.0.0RC1dev', '1.0.0.0-RC1-dev'],
  ['1.0.0-rC15-dev', '1.0.0.0-RC15-dev'],
  ['1.0.0.RC.15-dev', '1.0.0.0-RC15-dev'],
  ['1.0.0-rc1', '1.0.0.0-RC1'],
  ['1.0.0-pl3', '1.0.0.0-patch3'],
  ['1.0.0-b2', '1.0.0.0-beta2'],
  ['1.0-alpha.3.4', '1.0.0.0-alpha3.4'],
  ['1.0.0-stable', '1.0.0.0'],
  ['1.0-dev', '1.0.0.0-dev'],
  ['2010-01-05', '2010.01.05'],
  ['20100102-203040', '20100102.203040'],
  ['2010.01.02', '2010.01.02.0'],
  ['1.x-dev', '1.9999999.9999999.9999999-dev'],
  ['2.1.*-dev', '2.1.9999999.9999999-dev'],
  ['dev-master', 'dev-master'],
  ['master', 'dev-master'],
  ['trunk', 'dev-trunk'],
  ['DEV-Feature/Foo', 'dev-Feature/Foo'],
  ['1.0.0+foo', '1.0.0.0'],
  ['1.0.0-alpha.1+build.5', '1.0.0.0-alpha1'],
  ['1.0.0 as 2.0.0', '1.0.0.0'],
  ['1.0.0@beta', '1.0.0.0'],
];

const INVALID = ['', 'a', 'foo-dev', '1.0.0.0.0', '1.0.0-meh', '1.0.0.0.0-dev', '1.0.0-alpha.b', '1.2.3 foo', '1.0 as', 'dev', 'v', '1..0'];

// Each row strictly ascends, by version_compare over the normal forms.
const ASCENDING: string[][] = [
  ['1.0.0-dev', '1.0.0-alpha1', '1.0.0-alpha2', '1.0.0-beta1-dev', '1.0.0-beta1', '1.0.0-beta2', '1.0.0-beta10', '1.0.0-RC1', '1.0.0', '1.0.0-patch1', '1.0.1'],
  ['0.9', '1.0.0-rc1', 'v1.0', '1.0.0.1', '1.1-dev', '1.1', '1.9', '1.10', '1.x-dev', '2.0'],
  ['dev-main', '0.0.1', '2020.12.31', '2023-01-31', '20230131'],
  ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.2.1', '1.0.0-alpha3'],
];

const EQUAL: [string, string][] = [
  ['1', '1.0.0.0'],
  ['v1.0.0', '1.0.0'],
  ['1.0.0-b2', '1.0.0-beta2'],
  ['1.0.0-RC1', '1.0.0.rc1'],
  ['1.0.0-pl1', '1.0.0-patch.1'],
  ['1.0.0+a', '1.0.0+b'],
  ['1.0@dev', '1.0'],
  ['master', 'dev-master'],
];

describe('composerScheme normalisation', () => {
  it.each(NORMAL_FORMS)('normalises %j to %j', (input, normal) => {
    expect(normalizeComposer(input)).toBe(normal);
    expect(composerScheme.isValid(input)).toBe(true);
  });

  it('rejects what VersionParser::normalize throws on', () => {
    expect(INVALID.filter((v) => composerScheme.isValid(v))).toEqual([]);
    expect(() => composerScheme.compare('1.0', 'foo-dev')).toThrow(CustomsError);
    expect(() => composerScheme.compare('1.0', 'foo-dev')).toThrow(/foo-dev/);
  });
});

describe('composerScheme ordering', () => {
  it.each(ASCENDING.map((row) => [row.join(' < '), row] as const))('%s', (_, row) => {
    for (let i = 0; i < row.length; i++)
      for (let j = 0; j < row.length; j++) expect(composerScheme.compare(row[i]!, row[j]!), `${row[i]} vs ${row[j]}`).toBe(Math.sign(i - j));
  });

  it.each(EQUAL)('%j equals %j', (a, b) => {
    expect(composerScheme.compare(a, b)).toBe(0);
    expect(composerScheme.compare(b, a)).toBe(0);
  });
});


describe('composerScheme consistency over generated numbered versions', () => {
  const random = seededRandom(1952);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const num = (): string => pick(['0', '1', '2', '10', '01']);
  const version = (): string =>
    pick(['', 'v']) +
    Array.from({ length: 1 + Math.floor(random() * 4) }, num).join('.') +
    (random() < 0.5 ? pick(['-', '.', '']) + pick(['alpha', 'a', 'beta', 'b', 'RC', 'rc', 'patch', 'pl', 'p', 'stable']) + pick(['', '1', '2', '.3']) : '') +
    (random() < 0.2 ? pick(['-dev', '.dev', 'dev']) : '') +
    (random() < 0.1 ? '+build' : '');
  const pool = [...new Set(Array.from({ length: 400 }, version))];

  it('generates only valid versions', () => {
    expect(pool.filter((v) => !composerScheme.isValid(v))).toEqual([]);
  });

  it('is reflexive and antisymmetric on every pair', () => {
    const broken = pool.flatMap((a) => pool.filter((b) => composerScheme.compare(a, b) + composerScheme.compare(b, a) !== 0).map((b) => [a, b]));
    expect(broken).toEqual([]);
    expect(pool.length ** 2).toBeGreaterThan(50_000);
    expect(pool.filter((a) => composerScheme.compare(a, a) !== 0)).toEqual([]);
  });

  it('sorts into an order every pair agrees with (transitivity)', () => {
    const sorted = [...pool].sort(composerScheme.compare);
    const broken = sorted.flatMap((a, i) => sorted.slice(i + 1).filter((b) => composerScheme.compare(a, b) > 0).map((b) => [a, b]));
    expect(broken).toEqual([]);
  });
});
