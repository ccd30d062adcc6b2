import { seededRandom } from '../../../support/seeded-random.ts';
import { readVersionVectors } from '../../../support/version-vectors.ts';
import { describe, expect, it } from 'vitest';
import { CustomsError } from '../../../../lambdas/core/errors.ts';
import { apkScheme } from '../../../../lambdas/core/versions/apk.ts';
import { sign } from '../../../../lambdas/core/versions/version-scheme.ts';

const vectors = readVersionVectors('apk.tsv');

// apk-tools orders these anyway (an earlier token decides); Customs refuses versions apk's validator rejects.
const INVALID_IN_VECTORS = new Set(['23_foo', '1.0bc']);


const random = seededRandom(0xa1b);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const NUMBERS = ['0', '00', '01', '007', '1', '2', '9', '10', '20230101'];
const SUFFIXES = ['alpha', 'beta', 'pre', 'rc', 'cvs', 'svn', 'git', 'hg', 'p'];

/** A valid apk version built from the grammar's pieces, leaning on the tricky ones. */
function version(): string {
  let text = pick(['0', '1', '2', '10', '007']);
  const components = Math.floor(random() * 4);
  for (let i = 0; i < components; i++) text += `.${pick(NUMBERS)}`;
  if (random() < 0.2) text += pick(['a', 'b', 'z']) + (random() < 0.3 ? pick(['1', '2', '01']) : '');
  const suffixes = random() < 0.5 ? Math.floor(random() * 3) : 0;
  for (let i = 0; i < suffixes; i++) text += `_${pick(SUFFIXES)}${random() < 0.6 ? pick(NUMBERS) : ''}`;
  if (random() < 0.1) text += `~${pick(['0af', 'beef', '1a2b'])}`;
  if (random() < 0.5) text += `-r${pick(['0', '1', '2', '10', '00'])}`;
  return text;
}

const sampled = Array.from({ length: 400 }, version).concat(vectors.flatMap(([a, b]) => [a, b]).filter((v) => !INVALID_IN_VECTORS.has(v)));

describe('apkScheme', () => {
  it.each(vectors)('orders %s against %s as %s (apk-tools test vectors)', (a, b, expected) => {
    if (INVALID_IN_VECTORS.has(a) || INVALID_IN_VECTORS.has(b)) {
      expect(() => apkScheme.compare(a, b)).toThrow(CustomsError);
      return;
    }
    expect(apkScheme.compare(a, b)).toBe(Number(expected));
    expect(apkScheme.compare(b, a)).toBe(sign(-Number(expected)));
  });

  it('is a total order on 1,800 generated and vector versions: reflexive, antisymmetric, transitive', () => {
    expect(sampled.every((v) => apkScheme.isValid(v))).toBe(true);
    const sorted = [...sampled].sort((a, b) => apkScheme.compare(a, b));
    const broken: string[] = [];
    // After sorting, every earlier version must compare <= every later one (~1.6M checked pairs).
    for (let i = 0; i < sorted.length; i++) {
      for (let j = i; j < sorted.length; j++) {
        const forward = apkScheme.compare(sorted[i]!, sorted[j]!);
        if (forward > 0 || apkScheme.compare(sorted[j]!, sorted[i]!) !== sign(-forward)) broken.push(`${sorted[i]} / ${sorted[j]}`);
        if (broken.length > 10) break;
      }
    }
    expect(broken).toEqual([]);
  }, 60_000);

  it.each([
    // A component after '.' with a leading zero sorts as a string (apk-tools 3, Gentoo's rule)...
    ['1.0.05', '1.0.4', -1],
    ['1.0.010', '1.0.9', -1],
    ['1.00', '1.0', 1],
    ['1.2.02', '1.2.002', 1],
    ['006', '6', 0], // ...but the first component is a plain number
    ['3.3.3p01', '3.3.3p1', 0], // and so are digits after the letter (apk-tools 2.x leniency)
    ['3.3.3p1', '3.3.3p', 1],
    ['1.1_alpha', '1.1', -1],
    ['1.1_rc9', '1.1', -1],
    // apk-tools 2.x ordered these the other way (a stray empty token after a zero component).
    ['1.0_alpha', '1.0', -1],
    ['1.0_rc1', '1.0', -1],
    ['1.0~abc1', '1.0~abd', -1],
    ['1.0~abc1-r1', '1.0-r1', 1], // a hash token outranks reaching the revision
    ['1.0_p', '1.0', 1],
    ['1.0_p', '1.0_p0', -1],
    ['1.0_pre1', '1.0_p1', -1],
    ['1.0', '1.0-r0', -1],
    ['1.0-r0', '1.0-r00', 0],
    ['1.0-r9', '1.0-r10', -1],
    ['1.0_git9', '1.0_git10', -1],
    ['1.0a', '1.0', 1],
    ['3.3.3p1-r3', '3.3.3p1-r2', 1],
  ] as const)('orders %s against %s as %i', (a, b, expected) => {
    expect(apkScheme.compare(a, b)).toBe(expected);
    expect(apkScheme.compare(b, a)).toBe(sign(-expected));
  });

  it('accepts the grammar, commit hashes and post-letter digits', () => {
    expect(['1', '1.2.3a_alpha1_p2~0af-r3', '1_p_p', '3.3.3p1-r3', '1.0~ABC'].every((v) => apkScheme.isValid(v))).toBe(true);
  });

  it.each(['', '1.0bc', '23_foo', '1_alphax', '1.0-1', '1-r1a', '1.2a.3', '1 ', 'v1', 'a1', '1.', '1-r', '1_', '1~', '1~xyz', '1-r1.2', '1_rc1.2', '1-r1-r2', '1.0_P', '1a.2'])(
    'rejects %j as malformed, naming it',
    (bad) => {
      expect(apkScheme.isValid(bad)).toBe(false);
      expect(() => apkScheme.compare('1', bad)).toThrow(CustomsError);
      expect(() => apkScheme.compare(bad, '1')).toThrow(`apk version '${bad}' is malformed`);
    },
  );
});
