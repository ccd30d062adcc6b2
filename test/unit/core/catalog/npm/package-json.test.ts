import { describe, expect, it } from 'vitest';
import { parsePackageJson } from '../../../../../lambdas/core/catalog/npm/package-json.ts';
import { parseText } from '../../../../support/npm-parse.ts';

const parse = (path: string, text: string) => parseText(parsePackageJson, path, text);

describe('package.json', () => {
  it('reads an installed package, scoped', () => {
    expect(parse('app/node_modules/@babel/code-frame/package.json', '{"name":"@babel/code-frame","version":"7.0.0"}')).toEqual({
      result: { kind: 'installed', packages: [{ namespace: '@babel', name: 'code-frame', version: '7.0.0' }] },
      warnings: [],
    });
  });

  it('trusts the folder over a disagreeing name (an alias), with a warning', () => {
    const { result, warnings } = parse('app/node_modules/foo/package.json', '{"name":"bar","version":"1.0.0"}');
    expect(result).toEqual({ kind: 'installed', packages: [{ name: 'foo', version: '1.0.0' }] });
    expect(warnings).toEqual(['names "bar" but is installed as foo; the folder name is used']);
  });

  it('skips manifests without a version and files deeper inside a package', () => {
    expect(parse('app/node_modules/a/package.json', '{"name":"a"}').result).toBeUndefined();
    expect(parse('app/node_modules/a/lib/package.json', '{"name":"a","version":"1.0.0"}').result).toBeUndefined();
  });

  it('keeps an application manifest’s dependency lists, ignoring odd values', () => {
    const text = '{"name":"app","dependencies":{"a":"^1","b":2},"optionalDependencies":{"c":"~3"},"devDependencies":{"__proto__":"1","d":"*"}}';
    const { result } = parse('srv/package.json', text);
    expect(result).toMatchObject({ kind: 'manifest', packages: [], dependencies: { a: '^1', c: '~3' } });
    // A `__proto__` key must never reach an object's prototype.
    expect(result?.kind === 'manifest' && Object.getPrototypeOf(result.devDependencies)).toBe(Object.prototype);
    expect(result?.kind === 'manifest' && Object.keys(result.devDependencies)).toContain('d');
  });

  it('warns about malformed JSON and wrong shapes without throwing', () => {
    expect(parse('app/node_modules/a/package.json', '{"name": "a",').warnings[0]).toMatch(/^is not valid JSON/);
    expect(parse('app/node_modules/a/package.json', '[1,2]').warnings[0]).toMatch(/^is not the expected document/);
    expect(parse('app/node_modules/a/package.json', '\xff\xfe').result).toBeUndefined();
  });
});
