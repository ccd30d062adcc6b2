import { readFileSync } from 'node:fs';
import { sharedFixtures } from './paths.ts';

/** A shared vector file of `A<TAB>B<TAB>expected` lines. */
export function readVersionVectors(file: string): Array<[string, string, string]> {
  return readFileSync(sharedFixtures('version', file), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split('\t') as [string, string, string]);
}
