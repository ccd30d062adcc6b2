import semver from 'semver';
import { seededRandom } from '../../../support/seeded-random.ts';
import { describe, expect, it } from 'vitest';
import { CustomsError } from '../../../../lambdas/core/errors.ts';
import { nugetScheme } from '../../../../lambdas/core/versions/nuget.ts';

/** Known NuGet orderings (NuGet.Versioning's VersionComparer.Default): [a, b, expected]. */
const ORDERINGS: ReadonlyArray<readonly [string, string, -1 | 0 | 1]> = [
  ['1.0.0-alpha', '1.0.0-Beta', -1], // labels compare case-insensitively…
  ['1.0.0-ALPHA', '1.0.0-alpha', 0], // …so case alone never orders
  ['1.0.0-RC.1', '1.0.0-rc.1', 0],
  ['1.0.0.1', '1.0.0', 1], // a fourth part counts
  ['1.0', '1.0.0.0', 0], // missing parts are zero
  ['1', '1.0.0', 0],
  ['1.0.0+build.1', '1.0.0+build.2', 0], // metadata ignored
  ['1.0.0-beta+a', '1.0.0-beta', 0],
  ['1.0.0-beta', '1.0.0', -1], // a prerelease sorts below its release
  ['1.0.0.0-beta', '1.0.0', -1],
  ['1.0.0-alpha', '1.0.0-alpha.1', -1], // SemVer 2.0.0's own example chain
  ['1.0.0-alpha.1', '1.0.0-alpha.beta', -1],
  ['1.0.0-alpha.beta', '1.0.0-beta', -1],
  ['1.0.0-beta', '1.0.0-beta.2', -1],
  ['1.0.0-beta.2', '1.0.0-beta.11', -1],
  ['1.0.0-beta.11', '1.0.0-rc.1', -1],
  ['1.0.0-rc.1', '1.0.0', -1],
  ['1.0.0-2', '1.0.0-10', -1], // numeric labels compare as numbers
  ['1.0.0-10', '1.0.0-a', -1], // numeric below alphanumeric
  ['2.0.0', '10.0.0', -1],
  ['1.2.3.4', '1.2.3.10', -1],
  ['1.10', '1.9.9.9', 1],
  ['01.2', '1.2', 0], // NuGet's lenient parser reads leading zeros
  ['4.6.0-preview1-26124-04', '4.6.0-preview1-26124-4', -1], // a hyphenated label is one string, compared as text
  ['8.0.0-rc.2.23479.6', '8.0.0', -1],
  ['8.0.0-rc.2.23479.6', '8.0.0-rc.1.23419.4', 1],
];


function pick<T>(next: () => number, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)]!;
}

function generate(next: () => number): string {
  let text = `${Math.floor(next() * 4)}.${Math.floor(next() * 4)}.${Math.floor(next() * 4)}`;
  if (next() < 0.3) text += `.${pick(next, ['0', '1', '2'])}`;
  if (next() < 0.6) {
    text += '-' + Array.from({ length: 1 + Math.floor(next() * 4) }, () => pick(next, ['0', '1', '11', 'alpha', 'Alpha', 'BETA', 'beta', 'rc', 'x-1'])).join('.');
  }
  if (next() < 0.2) text += '+' + pick(next, ['b', 'sha.1', 'X-Y']);
  return text;
}

describe('nugetScheme', () => {
  it.each(ORDERINGS)('%s vs %s → %i (and reversed)', (a, b, expected) => {
    expect(nugetScheme.compare(a, b)).toBe(expected);
    expect(nugetScheme.compare(b, a)).toBe(-expected || 0);
  });

  it('reads only what NuGetVersion.TryParse reads', () => {
    for (const valid of ['1', '1.2', '1.2.3', '1.2.3.4', '1.2.3.4-beta.01+meta', '2147483647.0']) {
      expect(nugetScheme.isValid(valid), valid).toBe(true);
    }
    for (const invalid of ['', 'v1.0.0', ' 1.0.0', '1.0.0 ', '1.2.3.4.5', '1..2', '1.0.0-', '1.0.0-a..b', '1.0.0+', '1.0.0-a_b', '2147483648.0', 'x']) {
      expect(nugetScheme.isValid(invalid), invalid).toBe(false);
    }
    expect(() => nugetScheme.compare('v1.0.0', '1.0.0')).toThrow(CustomsError);
    expect(() => nugetScheme.compare('1.0.0', '1..0')).toThrow(/"1\.\.0"/);
  });

  it('is antisymmetric, case-blind and zero-padding-blind, and agrees with SemVer on lower-case 3-part versions over 8,000 seeded pairs', () => {
    const next = seededRandom(4242);
    let semverPairs = 0;
    for (let i = 0; i < 8000; i++) {
      const a = generate(next);
      const b = generate(next);
      const order = nugetScheme.compare(a, b);
      expect(nugetScheme.compare(b, a), `${b} vs ${a}`).toBe(-order || 0);
      expect(nugetScheme.compare(a.toLowerCase(), b.toUpperCase()), `${a} vs ${b} (case)`).toBe(order);
      const padded = a.replace(/^(\d+\.\d+\.\d+)(?=[-+]|$)/, '$1.0');
      expect(nugetScheme.compare(padded, b), `${padded} vs ${b}`).toBe(order);
      const [x, y] = [a.toLowerCase(), b.toLowerCase()];
      if (semver.valid(x) && semver.valid(y)) {
        expect(order, `${a} vs ${b} (semver)`).toBe(semver.compare(x, y));
        semverPairs++;
      }
    }
    expect(semverPairs).toBeGreaterThan(3500);
  });

  it('orders a shuffled list the same as a sorted one (a total order)', () => {
    const next = seededRandom(7);
    const list = Array.from({ length: 400 }, () => generate(next));
    const sorted = [...list].sort(nugetScheme.compare);
    for (let i = 1; i < sorted.length; i++) expect(nugetScheme.compare(sorted[i - 1]!, sorted[i]!)).toBeLessThanOrEqual(0);
    for (let i = 0; i < 2000; i++) {
      const [a, b, c] = [pick(next, list), pick(next, list), pick(next, list)];
      if (nugetScheme.compare(a, b) <= 0 && nugetScheme.compare(b, c) <= 0) expect(nugetScheme.compare(a, c)).toBeLessThanOrEqual(0);
    }
  });
});
