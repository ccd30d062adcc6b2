import { describe, expect, it } from 'vitest';
import { isValidPackageName } from '../../../../../lambdas/core/catalog/npm/npm-path.ts';

describe('isValidPackageName', () => {
  it.each(['express', '@babel/code-frame', 'string-width', 'lodash.get', 'JSONStream', 'a', "x-y_z.~!*'()", '@a/_b-c', '@scope/.x'])('%s is a package name', (name) => {
    expect(isValidPackageName(name)).toBe(true);
  });

  it.each([
    '',
    'node_modules/async',
    'node_modules',
    'favicon.ico',
    '.bin',
    '_hidden',
    '../x',
    'a b',
    ' express',
    '@scope',
    '@/x',
    '@scope/',
    '@sc ope/x',
    '@a/b/c',
    'a/b',
    'x'.repeat(215),
  ])('%j is not', (name) => {
    expect(isValidPackageName(name)).toBe(false);
  });
});
