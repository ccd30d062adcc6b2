import { describe, expect, it } from 'vitest';
import { npmCataloger } from '../../../../../lambdas/core/catalog/npm/npm-cataloger.ts';
import type { PackageCataloger } from '../../../../../lambdas/core/catalog/package-cataloger.ts';
import type { TarInput } from '../../../../../tools/image-builder/tar-writer.ts';
import { layoutOf } from '../../../../support/layout.ts';
import { scan } from '../../../../support/scan.ts';

const file = (path: string, content: string): TarInput => ({ type: 'file', path, content });
const json = (path: string, value: unknown): TarInput => file(path, JSON.stringify(value));

async function packagesOf(entries: TarInput[]) {
  const [image] = (await scan(`oci:${layoutOf([{ entries }])}`, { catalogers: [npmCataloger as PackageCataloger] })).images;
  return image!.packages.map((pkg) => `${pkg.name}@${pkg.version} ${pkg.location.path}${pkg.dev ? ' dev' : ''}`);
}

const YARN = `# yarn lockfile v1

a@^1.0.0:
  version "1.0.0"
  dependencies:
    shared "^1.0.0"

mocha@^10.0.0:
  version "10.0.0"
  dependencies:
    glob "^7.0.0"
    shared "^1.0.0"

glob@^7.0.0:
  version "7.2.0"

shared@^1.0.0:
  version "1.1.0"
`;

describe('npm cataloger', () => {
  it('marks yarn entries reached only from devDependencies as dev, transitively', async () => {
    const packages = await packagesOf([json('app/package.json', { dependencies: { a: '^1.0.0' }, devDependencies: { mocha: '^10.0.0' } }), file('app/yarn.lock', YARN)]);
    expect(packages).toEqual(['a@1.0.0 app/yarn.lock', 'glob@7.2.0 app/yarn.lock dev', 'mocha@10.0.0 app/yarn.lock dev', 'shared@1.1.0 app/yarn.lock']);
  });

  it('reports a yarn or pnpm entry installed under the same app once, as the installed copy', async () => {
    const pnpm = "lockfileVersion: '9.0'\npackages:\n  a@1.0.0:\n    resolution: {integrity: x}\n  b@2.0.0:\n    resolution: {integrity: y}\n";
    const packages = await packagesOf([
      file('app/yarn.lock', YARN),
      json('app/node_modules/a/package.json', { name: 'a', version: '1.0.0' }),
      json('app/node_modules/mocha/node_modules/shared/package.json', { name: 'shared', version: '1.1.0' }),
      file('web/pnpm-lock.yaml', pnpm),
      json('web/node_modules/.pnpm/a@1.0.0/node_modules/a/package.json', { name: 'a', version: '1.0.0' }),
      { type: 'symlink', path: 'web/node_modules/a', target: '.pnpm/a@1.0.0/node_modules/a' },
    ]);
    expect(packages).toEqual([
      'a@1.0.0 app/node_modules/a/package.json',
      'a@1.0.0 web/node_modules/.pnpm/a@1.0.0/node_modules/a/package.json',
      'b@2.0.0 web/pnpm-lock.yaml',
      'glob@7.2.0 app/yarn.lock',
      'mocha@10.0.0 app/yarn.lock',
      'shared@1.1.0 app/node_modules/mocha/node_modules/shared/package.json',
    ]);
  });

  it('drops package-lock entries whose install path holds a package, and ignores lockfiles inside node_modules', async () => {
    const lock = { lockfileVersion: 3, packages: { 'node_modules/a': { version: '1.0.0' }, 'node_modules/b': { version: '2.0.0', dev: true } } };
    const packages = await packagesOf([
      json('app/package-lock.json', lock),
      json('app/node_modules/a/package.json', { name: 'a', version: '1.0.1' }),
      json('app/node_modules/a/package-lock.json', { lockfileVersion: 3, packages: { 'node_modules/zzz': { version: '9.9.9' } } }),
      file('app/node_modules/a/yarn.lock', YARN),
    ]);
    expect(packages).toEqual(['a@1.0.1 app/node_modules/a/package.json', 'b@2.0.0 app/package-lock.json!/node_modules/b dev']);
  });

  it('reports one package at two paths twice, each with its own dev flag, installed or locked', async () => {
    const lock = {
      lockfileVersion: 3,
      packages: {
        'node_modules/dev-lib': { version: '1.0.0', dev: true },
        'node_modules/dev-lib/node_modules/ms': { version: '2.0.0', dev: true },
        'node_modules/prod-lib': { version: '1.0.0' },
        'node_modules/prod-lib/node_modules/ms': { version: '2.0.0' },
      },
    };
    expect(await packagesOf([json('app/package-lock.json', lock)])).toEqual([
      'dev-lib@1.0.0 app/package-lock.json!/node_modules/dev-lib dev',
      'ms@2.0.0 app/package-lock.json!/node_modules/dev-lib/node_modules/ms dev',
      'ms@2.0.0 app/package-lock.json!/node_modules/prod-lib/node_modules/ms',
      'prod-lib@1.0.0 app/package-lock.json!/node_modules/prod-lib',
    ]);
    const installed = ['dev-lib', 'prod-lib'].flatMap((lib) => [json(`app/node_modules/${lib}/package.json`, { name: lib, version: '1.0.0' }), json(`app/node_modules/${lib}/node_modules/ms/package.json`, { name: 'ms', version: '2.0.0' })]);
    expect(await packagesOf([json('app/package-lock.json', lock), ...installed])).toEqual([
      'dev-lib@1.0.0 app/node_modules/dev-lib/package.json dev',
      'ms@2.0.0 app/node_modules/dev-lib/node_modules/ms/package.json dev',
      'ms@2.0.0 app/node_modules/prod-lib/node_modules/ms/package.json',
      'prod-lib@1.0.0 app/node_modules/prod-lib/package.json',
    ]);
  });

  it('takes installed dev flags from the hidden lockfile, only for the same package at that path', async () => {
    const hidden = { lockfileVersion: 3, packages: { 'node_modules/a': { version: '1.0.0', dev: true }, 'node_modules/b': { version: '1.0.0', dev: true } } };
    expect(
      await packagesOf([json('app/node_modules/.package-lock.json', hidden), json('app/node_modules/a/package.json', { name: 'a', version: '1.0.0' }), json('app/node_modules/b/package.json', { name: 'b', version: '2.0.0' })]),
    ).toEqual(['a@1.0.0 app/node_modules/a/package.json dev', 'b@2.0.0 app/node_modules/b/package.json']);
  });

  it('names an installed alias by its package, and still matches a yarn entry that names it by folder or package', async () => {
    const yarn = '# yarn lockfile v1\n\n"string-width-cjs@npm:string-width@^4.2.0":\n  version "4.2.3"\n\nstring-width@^4.2.0:\n  version "4.2.3"\n';
    const [image] = (
      await scan(`oci:${layoutOf([{ entries: [file('app/yarn.lock', yarn), json('app/node_modules/string-width-cjs/package.json', { name: 'string-width', version: '4.2.3' })] }])}`, {
        catalogers: [npmCataloger as PackageCataloger],
      })
    ).images;
    expect(image!.packages.map((pkg) => [pkg.purl, pkg.alias, pkg.location.path])).toEqual([['pkg:npm/string-width@4.2.3', 'string-width-cjs', 'app/node_modules/string-width-cjs/package.json']]);
  });

  it('keeps going past malformed files, with warnings', async () => {
    const [image] = (
      await scan(`oci:${layoutOf([{ entries: [file('app/package-lock.json', '{oops'), file('app/node_modules/x/package.json', '{'), json('app/node_modules/y/package.json', { name: 'y', version: '1.0.0' })] }])}`, {
        catalogers: [npmCataloger as PackageCataloger],
      })
    ).images;
    expect(image!.packages.map((pkg) => pkg.purl)).toEqual(['pkg:npm/y@1.0.0']);
    expect(image!.warnings.filter((warning) => warning.includes('npm: app/'))).toHaveLength(2);
  });
});
