import { readFileSync } from 'node:fs';
import semver from 'semver';
import { seededRandom } from '../../../support/seeded-random.ts';
import { describe, expect, it } from 'vitest';
import { CustomsError } from '../../../../lambdas/core/errors.ts';
import { semverScheme } from '../../../../lambdas/core/versions/semver.ts';
import { sharedFixtures } from '../../../support/paths.ts';


function pick<T>(next: () => number, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)]!;
}

/** Version-like strings, mostly valid, with the edges node-semver cares about. */
function generateVersion(next: () => number): string {
  const number = (): string =>
    next() < 0.04 ? pick(next, ['01', '00', '9007199254740991', '9007199254740992']) : String(Math.floor(next() * 12));
  const identifier = (): string =>
    next() < 0.03 ? pick(next, ['01', '', '_']) : pick(next, ['0', '1', '2', '11', 'alpha', 'Alpha', 'beta', 'rc', '0a', 'a0', '-', '--x', 'x-1', 'RC', String(Math.floor(next() * 20))]);
  const prefix = next() < 0.8 ? '' : pick(next, ['v', 'v', ' ', '=', 'V', 'v ', ' v']);
  const partCount = next() < 0.95 ? 3 : pick(next, [2, 4]);
  let text = prefix + Array.from({ length: partCount }, number).join('.');
  if (next() < 0.6) text += '-' + Array.from({ length: 1 + Math.floor(next() * 6) }, identifier).join('.');
  if (next() < 0.25) text += '+' + Array.from({ length: 1 + Math.floor(next() * 3) }, () => pick(next, ['build', '001', 'x-y', 'sha.5', next() < 0.1 ? '' : 'b'])).join('.');
  if (next() < 0.03) text += pick(next, [' ', '.', '_', '!']);
  return text;
}

describe('semverScheme', () => {
  const vectors = readFileSync(sharedFixtures('version', 'semver-compare.tsv'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => line.split('\t') as [string, string, string]);

  it('passes every node-semver vector, both ways round', () => {
    expect(vectors.length).toBeGreaterThan(30);
    for (const [a, b, expected] of vectors) {
      expect(semverScheme.compare(a, b), `${a} vs ${b}`).toBe(Number(expected));
      expect(semverScheme.compare(b, a), `${b} vs ${a}`).toBe(-Number(expected) || 0);
    }
  });

  it('reads a leading v and trims whitespace like node-semver, but not = or V', () => {
    expect(semverScheme.compare('v1.2.3', '1.2.3')).toBe(0);
    expect(semverScheme.isValid(' 1.2.3 ')).toBe(true);
    expect(semverScheme.isValid('=1.2.3')).toBe(false);
    expect(semverScheme.isValid('V1.2.3')).toBe(false);
    expect(semverScheme.isValid('1.2')).toBe(false);
    expect(semverScheme.isValid('01.2.3')).toBe(false);
    expect(semverScheme.isValid('1.2.3-01')).toBe(false);
    expect(semverScheme.isValid('1.2.3+01')).toBe(true);
    expect(semverScheme.isValid('9007199254740992.0.0')).toBe(false);
    expect(semverScheme.isValid(`1.2.3-${'a'.repeat(251)}`)).toBe(false);
  });

  it('throws a malformed CustomsError naming the unreadable version', () => {
    expect(() => semverScheme.compare('1.2', '1.2.3')).toThrow(CustomsError);
    expect(() => semverScheme.compare('1.2.3', 'nope')).toThrow(/"nope"/);
  });

  it('compares numeric prerelease identifiers exactly past 2^53 (node-semver rounds them)', () => {
    expect(semverScheme.compare('1.0.0-9007199254740993', '1.0.0-9007199254740992')).toBe(1);
    expect(semver.compare('1.0.0-9007199254740993', '1.0.0-9007199254740992')).toBe(0);
  });

  it('agrees with node-semver on 5,000+ seeded generated pairs', () => {
    const next = seededRandom(20260528);
    const pool = Array.from({ length: 3000 }, () => generateVersion(next));
    for (const version of pool) {
      expect(semverScheme.isValid(version), JSON.stringify(version)).toBe(semver.valid(version) !== null);
    }
    const valid = pool.filter((version) => semver.valid(version) !== null);
    // Both sides of isValid are exercised: hundreds of the generated strings are invalid.
    expect(valid.length).toBeGreaterThan(1500);
    expect(pool.length - valid.length).toBeGreaterThan(200);
    const byRelease = new Map<string, string[]>();
    for (const version of valid) {
      const release = semver.coerce(version)!.version;
      byRelease.set(release, [...(byRelease.get(release) ?? []), version]);
    }
    let pairs = 0;
    let ties = 0;
    while (pairs < 6000) {
      const a = pick(next, valid);
      // Half the time a near neighbour: shares the release, so prerelease ordering is exercised.
      const b = next() < 0.5 ? pick(next, valid) : pick(next, byRelease.get(semver.coerce(a)!.version)!);
      const expected = semver.compare(a, b);
      expect(semverScheme.compare(a, b), `${a} vs ${b}`).toBe(expected);
      expect(semverScheme.compare(b, a), `${b} vs ${a}`).toBe(-expected || 0);
      if (expected === 0) ties++;
      pairs++;
    }
    expect(ties).toBeGreaterThan(50);
  });
});
