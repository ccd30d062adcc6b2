import { describe, expect, it } from 'vitest';
import { parsePackageLock } from '../../../../../lambdas/core/catalog/npm/package-lock.ts';
import { parseText } from '../../../../support/npm-parse.ts';

const LOCK = 'srv/app/package-lock.json';
const parse = (text: string) => parseText(parsePackageLock, LOCK, text);

describe('package-lock.json', () => {
  it('reads v2/v3 packages keyed by install path, skipping the root, workspaces and links', () => {
    const lock = {
      lockfileVersion: 3,
      packages: {
        '': { name: 'app', version: '1.0.0' },
        'node_modules/@babel/code-frame': { version: '7.0.0' },
        'node_modules/send/node_modules/debug': { version: '2.6.9', dev: true },
        'node_modules/ws-a': { resolved: 'packages/ws-a', link: true },
        'packages/ws-a': { version: '0.1.0' },
        'packages/ws-a/node_modules/ms': { version: '2.0.0' },
        'node_modules/broken': 'nope',
      },
    };
    const { result, warnings } = parse(JSON.stringify(lock));
    expect(result).toEqual({
      kind: 'package-lock',
      directory: 'srv/app',
      packages: [
        { namespace: '@babel', name: 'code-frame', version: '7.0.0', path: `${LOCK}!/node_modules/@babel/code-frame`, installedAt: 'srv/app/node_modules/@babel/code-frame/package.json' },
        { name: 'debug', version: '2.6.9', dev: true, path: `${LOCK}!/node_modules/send/node_modules/debug`, installedAt: 'srv/app/node_modules/send/node_modules/debug/package.json' },
        { name: 'ms', version: '2.0.0', path: `${LOCK}!/packages/ws-a/node_modules/ms`, installedAt: 'srv/app/packages/ws-a/node_modules/ms/package.json' },
      ],
    });
    expect(warnings).toEqual(['entry "node_modules/broken" is malformed and was skipped']);
  });

  it('names a v2/v3 alias by the entry’s name, the key’s folder becoming the alias', () => {
    const lock = {
      lockfileVersion: 3,
      packages: {
        'node_modules/string-width-cjs': { name: 'string-width', version: '4.2.3' },
        'node_modules/lodash': { name: 'lodash.get', version: '4.4.2' },
        'node_modules/odd': { name: '../../etc', version: '1.0.0' },
      },
    };
    const { result, warnings } = parse(JSON.stringify(lock));
    expect(result?.packages.map(({ name, alias, version }) => ({ name, alias, version }))).toEqual([
      { name: 'string-width', alias: 'string-width-cjs', version: '4.2.3' },
      { name: 'lodash.get', alias: 'lodash', version: '4.4.2' },
      { name: 'odd', alias: undefined, version: '1.0.0' },
    ]);
    expect(warnings).toEqual(['entry "node_modules/odd" names the invalid package name "../../etc"; the folder name odd is used']);
  });

  it('warns about and skips keys that are not npm install paths', () => {
    const keys = ['node_modules/node_modules/async', 'node_modules/a/lib', 'node_modules/@scope', '../node_modules/x', 'node_modules/.bin', 'node_modules/a b', 'node_modules/.pnpm/x@1/node_modules/x'];
    const { result, warnings } = parse(JSON.stringify({ lockfileVersion: 3, packages: Object.fromEntries([...keys, 'node_modules/ok'].map((key) => [key, { version: '1.0.0' }])) }));
    expect(result?.packages.map((record) => record.name)).toEqual(['ok']);
    expect(warnings).toEqual(keys.map((key) => `key ${JSON.stringify(key)} is not an npm install path and was skipped`));
  });

  it('reads the v1 dependencies tree, nested ones at nested paths, everything under a dev entry dev', () => {
    const lock = {
      lockfileVersion: 1,
      dependencies: {
        send: { version: '0.17.1', dependencies: { debug: { version: '2.6.9' } } },
        mocha: { version: '10.0.0', dev: true, dependencies: { debug: { version: '4.3.4', dependencies: { ms: { version: '2.1.2' } } } } },
      },
    };
    expect(parse(JSON.stringify(lock)).result?.packages).toEqual([
      { name: 'send', version: '0.17.1', path: `${LOCK}!/node_modules/send`, installedAt: 'srv/app/node_modules/send/package.json' },
      { name: 'debug', version: '2.6.9', path: `${LOCK}!/node_modules/send/node_modules/debug`, installedAt: 'srv/app/node_modules/send/node_modules/debug/package.json' },
      { name: 'mocha', version: '10.0.0', dev: true, path: `${LOCK}!/node_modules/mocha`, installedAt: 'srv/app/node_modules/mocha/package.json' },
      { name: 'debug', version: '4.3.4', dev: true, path: `${LOCK}!/node_modules/mocha/node_modules/debug`, installedAt: 'srv/app/node_modules/mocha/node_modules/debug/package.json' },
      { name: 'ms', version: '2.1.2', dev: true, path: `${LOCK}!/node_modules/mocha/node_modules/debug/node_modules/ms`, installedAt: 'srv/app/node_modules/mocha/node_modules/debug/node_modules/ms/package.json' },
    ]);
  });

  it('names a v1 alias (`npm:real@version`) by the real package, and skips versions that are sources', () => {
    const lock = {
      lockfileVersion: 1,
      dependencies: {
        'string-width-cjs': { version: 'npm:string-width@4.2.3' },
        'babel-core': { version: 'npm:@babel/core@7.0.0' },
        local: { version: 'file:local-1.0.0.tgz', dependencies: { ms: { version: '2.0.0' } } },
        fromgit: { version: 'git+https://example.com/x.git#0123abc' },
        broken: { version: 'npm:@' },
      },
    };
    const { result, warnings } = parse(JSON.stringify(lock));
    expect(result?.packages.map(({ namespace, name, alias, version, path }) => ({ namespace, name, alias, version, path }))).toEqual([
      { namespace: undefined, name: 'string-width', alias: 'string-width-cjs', version: '4.2.3', path: `${LOCK}!/node_modules/string-width-cjs` },
      { namespace: '@babel', name: 'core', alias: 'babel-core', version: '7.0.0', path: `${LOCK}!/node_modules/babel-core` },
      { namespace: undefined, name: 'ms', alias: undefined, version: '2.0.0', path: `${LOCK}!/node_modules/local/node_modules/ms` },
    ]);
    expect(warnings).toEqual(['dependency "node_modules/broken" has the malformed alias version "npm:@" and was skipped']);
  });

  it('warns about and skips v1 names that are not package names, with what they nest', () => {
    const lock = { lockfileVersion: 1, dependencies: { 'node_modules/async': { version: '3.2.0', dependencies: { x: { version: '1.0.0' } } }, ok: { version: '1.0.0' } } };
    const { result, warnings } = parse(JSON.stringify(lock));
    expect(result?.packages.map((record) => record.name)).toEqual(['ok']);
    expect(warnings).toEqual(['dependency "node_modules/async" is not a package name and was skipped, with what it nests']);
  });

  it('warns about malformed JSON without throwing', () => {
    const { result, warnings } = parse('{"lockfileVersion": 3, "packages": {');
    expect(result).toBeUndefined();
    expect(warnings).toHaveLength(1);
  });
});
