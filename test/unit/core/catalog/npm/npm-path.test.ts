import { describe, expect, it } from 'vitest';
import { appDirectoryOf, installedIdentity } from '../../../../../lambdas/core/catalog/npm/npm-path.ts';

describe('npm paths', () => {
  it.each([
    ['app/node_modules/express/package.json', { name: 'express' }],
    ['node_modules/@babel/code-frame/package.json', { namespace: '@babel', name: 'code-frame' }],
    ['app/node_modules/send/node_modules/debug/node_modules/ms/package.json', { name: 'ms' }],
    ['usr/local/lib/node_modules/npm/node_modules/@npmcli/arborist/package.json', { namespace: '@npmcli', name: 'arborist' }],
    ['app/node_modules/.pnpm/debug@4.3.4/node_modules/debug/package.json', { name: 'debug' }],
  ])('%s is an installed manifest', (path, identity) => {
    expect(installedIdentity(path)).toEqual(identity);
  });

  it.each([
    'app/package.json',
    'app/node_modules/x/lib/package.json',
    'app/node_modules/x/test/fixtures/node_modules/y/package.json',
    'app/node_modules/@scope/package.json',
    'app/node_modules/.bin/package.json',
    'app/node_modules/package.json',
  ])('%s is not', (path) => {
    expect(installedIdentity(path)).toBeUndefined();
  });

  it('owns a nested install by the directory above its first node_modules', () => {
    expect(appDirectoryOf('srv/app/node_modules/a/node_modules/b/package.json')).toBe('srv/app');
    expect(appDirectoryOf('node_modules/a/package.json')).toBe('');
  });
});
