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

  it('names an alias by its own package, the folder becoming the alias', () => {
    expect(parse('app/node_modules/string-width-cjs/package.json', '{"name":"string-width","version":"4.2.3"}')).toEqual({
      result: { kind: 'installed', packages: [{ name: 'string-width', alias: 'string-width-cjs', version: '4.2.3' }] },
      warnings: [],
    });
    expect(parse('app/node_modules/@x/y/package.json', '{"name":"@babel/core","version":"7.0.0"}').result?.packages).toEqual([{ namespace: '@babel', name: 'core', alias: '@x/y', version: '7.0.0' }]);
  });

  it('falls back to the folder name when the manifest’s name is missing or not a package name', () => {
    expect(parse('app/node_modules/foo/package.json', '{"version":"1.0.0"}')).toEqual({ result: { kind: 'installed', packages: [{ name: 'foo', version: '1.0.0' }] }, warnings: [] });
    expect(parse('app/node_modules/foo/package.json', '{"name":"node_modules/async","version":"1.0.0"}')).toEqual({
      result: { kind: 'installed', packages: [{ name: 'foo', version: '1.0.0' }] },
      warnings: ['the manifest names the invalid package name "node_modules/async"; the folder name foo is used'],
    });
    expect(parse('app/node_modules/foo/package.json', '{"name":7,"version":"1.0.0"}').warnings).toEqual(['the manifest has a non-string name; the folder name foo is used']);
  });

  it('skips a package when neither its folder nor its manifest gives a package name', () => {
    expect(parse('app/node_modules/_x y/package.json', '{"name":"Not Valid","version":"1.0.0"}')).toEqual({
      result: undefined,
      warnings: ['the manifest names the invalid package name "Not Valid"; skipped'],
    });
    expect(parse('app/node_modules/_x/package.json', '{"name":"real","version":"1.0.0"}').result?.packages).toEqual([{ name: 'real', version: '1.0.0' }]);
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
