import { readFileSync } from 'node:fs';
import type { VersionScheme } from '../../lambdas/core/versions/version-scheme.ts';
import { sharedFixtures } from './paths.ts';

/** A shared vector file of `A<TAB>B<TAB>expected` lines. */
export function readVersionVectors(file: string): Array<[string, string, string]> {
  return readFileSync(sharedFixtures('version', file), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split('\t') as [string, string, string]);
}

/** An oracle's answer for one pair: validity of each side, and their order when both parse. */
export interface OracleVerdict {
  validA: boolean;
  validB: boolean;
  order: -1 | 0 | 1 | null;
}

/** Pairs where the scheme's validity or order differs from the real tool's verdict. */
export function disagreementsWithOracle(scheme: VersionScheme, pairs: readonly (readonly [string, string])[], verdicts: readonly OracleVerdict[]) {
  return pairs.flatMap(([a, b], i) => {
    const want = verdicts[i]!;
    const validA = scheme.isValid(a);
    const validB = scheme.isValid(b);
    const order = validA && validB ? scheme.compare(a, b) : null;
    const same = validA === want.validA && validB === want.validB && order === want.order;
    return same ? [] : [{ a, b, want, got: { validA, validB, order } }];
  });
}
