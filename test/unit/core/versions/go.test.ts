import { readFileSync } from 'node:fs';
import semver from 'semver';
import { seededRandom } from '../../../support/seeded-random.ts';
import { describe, expect, it } from 'vitest';
import { canonicalGo, goScheme } from '../../../../lambdas/core/versions/go.ts';
import { sharedFixtures } from '../../../support/paths.ts';

function rows(name: string): string[][] {
  return readFileSync(sharedFixtures('version', name), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => line.split('\t'));
}


function pick<T>(next: () => number, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)]!;
}

describe('goScheme', () => {
  it('passes every golang.org/x/mod/semver compare vector, both ways round', () => {
    // The shared file says v1.19 < v1.2; x/mod/semver as vendored in the Go toolchain (compareInt:
    // shorter digit string first) answers +1, as numeric order demands. Go's answer wins here.
    const misprint = (a?: string, b?: string): boolean => a === 'v1.19' && b === 'v1.2';
    const vectors = rows('gosemver-compare.tsv');
    expect(vectors.filter(([a, b]) => misprint(a, b))).toEqual([['v1.19', 'v1.2', '-1']]);
    expect(goScheme.compare('v1.19', 'v1.2')).toBe(1);
    expect(vectors.length).toBeGreaterThan(1000);
    for (const [a = '', b = '', expected] of vectors.filter(([a, b]) => !misprint(a, b))) {
      expect(goScheme.compare(a, b), `${a} vs ${b}`).toBe(Number(expected));
      expect(goScheme.compare(b, a), `${b} vs ${a}`).toBe(-Number(expected) || 0);
    }
  });

  it('canonicalises and validates as x/mod/semver does', () => {
    const vectors = rows('gosemver-canonical.tsv');
    expect(vectors.length).toBeGreaterThan(30);
    for (const [input = '', canonical, validity] of vectors) {
      expect(canonicalGo(input), input).toBe(canonical);
      expect(goScheme.isValid(input), input).toBe(validity === 'valid');
    }
  });

  it('orders invalid versions below every valid one and equal to each other, never throwing', () => {
    for (const invalid of ['', 'bad', 'v', 'v01.2.3', 'v1.2.3-01', 'v1.2-pre', 'v1+meta', 'v1.2.3.4', 'V1.2.3', 'v1.2.3 ']) {
      expect(goScheme.isValid(invalid), invalid).toBe(false);
      expect(goScheme.compare(invalid, 'v0.0.0-0')).toBe(-1);
      expect(goScheme.compare('v0.0.0-0', invalid)).toBe(1);
      expect(goScheme.compare(invalid, 'bad')).toBe(0);
      expect(goScheme.compare(invalid, invalid)).toBe(0);
    }
  });

  it('reads shorthand, a missing v and toolchain names as Customs reports them', () => {
    expect(goScheme.compare('v1', 'v1.0.0')).toBe(0);
    expect(goScheme.compare('v1.2', 'v1.2.0')).toBe(0);
    expect(goScheme.compare('1.2.3', 'v1.2.3')).toBe(0);
    expect(canonicalGo('1.2')).toBe('v1.2.0');
    expect(canonicalGo('go1.21.3')).toBe('v1.21.3');
    expect(canonicalGo('go1.21')).toBe('v1.21.0');
    expect(canonicalGo('go1')).toBe('v1.0.0');
    expect(canonicalGo('go1.22rc1')).toBe('v1.22.0-rc1');
    expect(canonicalGo('go1.22beta2')).toBe('v1.22.0-beta2');
    expect(goScheme.compare('go1.22rc1', 'go1.22.0')).toBe(-1);
    expect(goScheme.compare('go1.22beta2', 'go1.22rc1')).toBe(-1);
    expect(goScheme.compare('go1.21.10', 'v1.21.9')).toBe(1);
    expect(goScheme.isValid('gox')).toBe(false);
  });

  it('compares numbers of any size exactly', () => {
    expect(goScheme.compare('v123456789012345678901234567890.0.0', 'v123456789012345678901234567889.0.0')).toBe(1);
    expect(goScheme.compare('v1.0.0-99999999999999999999', 'v1.0.0-100000000000000000000')).toBe(-1);
  });

  it('agrees with node-semver on 5,000+ seeded full v-prefixed pairs', () => {
    const next = seededRandom(1021);
    const number = (): string => (next() < 0.04 ? '01' : String(Math.floor(next() * 12)));
    const identifier = (): string =>
      next() < 0.03 ? pick(next, ['01', '']) : pick(next, ['0', '1', '11', 'alpha', 'Beta', 'rc', '0a', '-', 'x-1', String(Math.floor(next() * 20))]);
    const pool = Array.from({ length: 2000 }, () => {
      let text = `v${number()}.${number()}.${number()}`;
      if (next() < 0.6) text += '-' + Array.from({ length: 1 + Math.floor(next() * 5) }, identifier).join('.');
      if (next() < 0.25) text += '+' + pick(next, ['build', '001', 'x.y', '']);
      return text;
    });
    // For full vX.Y.Z forms without whitespace, x/mod/semver and node-semver accept the same strings.
    for (const version of pool) expect(goScheme.isValid(version), version).toBe(semver.valid(version) !== null);
    const valid = pool.filter((version) => semver.valid(version) !== null);
    expect(pool.length - valid.length).toBeGreaterThan(100);
    for (let pairs = 0; pairs < 6000; pairs++) {
      const a = pick(next, valid);
      const b = pick(next, valid);
      const expected = semver.compare(a, b);
      expect(goScheme.compare(a, b), `${a} vs ${b}`).toBe(expected);
      expect(goScheme.compare(b, a), `${b} vs ${a}`).toBe(-expected || 0);
    }
  });
});
