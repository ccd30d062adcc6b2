import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mavenScheme } from '../../../../lambdas/core/versions/maven.ts';
import { sharedFixtures } from '../../../support/paths.ts';
import { mavenOracleAvailable, mavenOracleCompare } from '../../../support/version-oracle-maven.ts';
import { seededRandom } from '../../../support/seeded-random.ts';

function readVectors(): [string, string, number][] {
  return readFileSync(sharedFixtures('version', 'maven-compare.tsv'), 'utf8')
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [a = '', b = '', expected = ''] = line.split('\t');
      return [a, b, Number(expected)];
    });
}


const WORDS = ['alpha', 'a', 'beta', 'b', 'milestone', 'm', 'rc', 'cr', 'snapshot', 'SNAPSHOT', 'ga', 'final', 'release', 'sp', 'Alpha', 'RC', 'GA', 'Final', 'foo', 'xyz', 'redhat', 'jre', 'z', ''];
const NUMBERS = ['0', '00', '1', '01', '2', '9', '10', '007', '123', '999999999', '1000000000', '0000000000', '000000000012', '123456789012345678', '1234567890123456789', '99999999999999999999999', '00000000000000000000001'];

function generateVersion(random: () => number): string {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  let version = pick(NUMBERS);
  const parts = Math.floor(random() * 5);
  for (let i = 0; i < parts; i++) {
    const roll = random();
    const separator = roll < 0.45 ? '.' : roll < 0.85 ? '-' : ''; // '' makes a digit↔letter transition
    const token = random() < 0.5 ? pick(NUMBERS) : random() < 0.3 ? pick(WORDS) + pick(NUMBERS) : pick(WORDS);
    version += separator + token;
  }
  if (random() < 0.2) version += pick(['.0', '-0', '.0.0', '-', '.', '..', '-0.0']);
  return version;
}

describe('mavenScheme', () => {
  it('orders the ComparableVersionTest vectors, both ways', () => {
    const vectors = readVectors();
    expect(vectors.length).toBeGreaterThan(1500);
    for (const [a, b, expected] of vectors) {
      expect([a, b, mavenScheme.compare(a, b)]).toEqual([a, b, expected]);
      expect([b, a, mavenScheme.compare(b, a)]).toEqual([b, a, -expected || 0]);
    }
  });

  it('reads any non-empty string and refuses the empty one', () => {
    expect(mavenScheme.isValid('1.0')).toBe(true);
    expect(mavenScheme.isValid('!@#')).toBe(true);
    expect(mavenScheme.isValid('')).toBe(false);
    expect(() => mavenScheme.compare('', '1')).toThrow(expect.objectContaining({ code: 'malformed' }));
  });

  it('keeps the quirks of Maven 3.8.7: width before value, .X as -X, short aliases only before digits', () => {
    expect(mavenScheme.compare('1.0000000000.1', '1.5.1')).toBe(1);
    expect(mavenScheme.compare('1.0.X1', '1.0-X1')).toBe(0);
    expect(mavenScheme.compare('1-a1', '1-alpha-1')).toBe(0);
    expect(mavenScheme.compare('1-a', '1-alpha')).toBe(1);
    expect(mavenScheme.compare('1.0.0-GA', '1')).toBe(0);
  });

  it.skipIf(!mavenOracleAvailable())('agrees with Maven 3.8.7 ComparableVersion on 6,000 generated pairs', () => {
    const random = seededRandom(0x6d617665);
    const pairs: [string, string][] = [];
    for (let i = 0; i < 6000; i++) {
      const a = generateVersion(random);
      // A third of pairs share a prefix, so comparisons reach the deep items.
      const b = random() < 0.33 ? a + generateVersion(random).replace(/^\d+/, '') : generateVersion(random);
      pairs.push([a, b]);
    }
    const expected = mavenOracleCompare(pairs);
    const mismatches = pairs.map(([a, b], i) => [a, b, mavenScheme.compare(a, b), expected[i]] as const).filter(([, , ours, theirs]) => ours !== theirs);
    expect(mismatches.slice(0, 20)).toEqual([]);
  }, 60_000);
});
