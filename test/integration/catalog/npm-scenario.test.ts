import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { npmCataloger } from '../../../lambdas/core/catalog/npm/npm-cataloger.ts';
import type { PackageCataloger } from '../../../lambdas/core/catalog/package-cataloger.ts';
import type { Package } from '../../../lambdas/core/sbom/model.ts';
import { directoryEntries } from '../../../tools/image-builder/directory-entries.ts';
import type { TarInput } from '../../../tools/image-builder/tar-writer.ts';
import { layoutOf } from '../../support/layout.ts';
import { npmLsLocations, npmScenario, type NpmLsInstall } from '../../support/npm-scenario.ts';
import { scan } from '../../support/scan.ts';

const catalogers = [npmCataloger as PackageCataloger];

/** name@version, where it sits, dev and alias: what is compared with npm ls. */
const line = (name: string, version: string, where: string, dev: boolean | undefined, alias: string | undefined) => `${name}@${version} ${where}${dev ? ' dev' : ''}${alias ? ` alias=${alias}` : ''}`;
const customs = (packages: readonly Package[]) => packages.map((pkg) => line(pkg.name, pkg.version, pkg.location.path, pkg.dev, pkg.alias)).sort();
const installedAt = (install: NpmLsInstall) => `app/${install.location}/package.json`;
const lockedAt = (install: NpmLsInstall) => `app/package-lock.json!/${install.location}`;
const expected = (installs: readonly NpmLsInstall[], where: (install: NpmLsInstall) => string) => installs.map((install) => line(install.name, install.version, where(install), install.dev, install.alias)).sort();

async function packagesOf(entries: TarInput[]) {
  const [image] = (await scan(`oci:${layoutOf([{ entries }])}`, { catalogers })).images;
  return { packages: image!.packages, warnings: image!.warnings.filter((warning) => warning.startsWith('npm')) };
}

/** Only the files a lockfile-only image would hold: the app's manifests and its lock. */
const lockOnly = (dir: string, paths: readonly string[]): TarInput[] => paths.map((path) => ({ type: 'file', path: `app/${path}`, content: readFileSync(`${dir}/${path}`) }));

describe('npm aliases, dev flags, tarballs and workspaces, compared with npm ls', () => {
  const scenario = npmScenario();
  const tree = npmLsLocations(scenario.installed);

  it('has the cases this test is about', () => {
    expect(tree).toContainEqual(expect.objectContaining({ name: 'string-width', alias: 'string-width-cjs', location: 'node_modules/string-width-cjs' }));
    expect(tree).toContainEqual(expect.objectContaining({ name: 'lodash.get', alias: 'lodash' }));
    const ms = tree.filter((install) => install.name === 'ms' && install.version === '2.0.0');
    expect(ms.map((install) => [install.location, install.dev]).sort()).toEqual([
      ['node_modules/dev-lib/node_modules/ms', true],
      ['node_modules/prod-lib/node_modules/ms', false],
      ['packages/ws-a/node_modules/ms', false],
    ]);
    expect(tree.find((install) => install.name === 'prod-lib')?.resolved).toMatch(/^file:/);
  });

  it('an installed tree: every install path once, by its real name, with npm’s dev flag', async () => {
    const { packages, warnings } = await packagesOf(directoryEntries(scenario.installed, 'app'));
    expect(customs(packages)).toEqual(expected(tree, installedAt));
    expect(packages.find((pkg) => pkg.alias === 'string-width-cjs')?.purl).toBe('pkg:npm/string-width@4.2.3');
    expect(warnings).toEqual([]);
  }, 120_000);

  it('an installed tree copied without its package-lock.json: the hidden lockfile still gives dev flags', async () => {
    const entries = directoryEntries(scenario.installed, 'app').filter((entry) => entry.path !== 'app/package-lock.json');
    const { packages } = await packagesOf(entries);
    expect(customs(packages)).toEqual(expected(tree, installedAt));
  }, 120_000);

  it('the same tree from package-lock.json v3 alone', async () => {
    const { packages, warnings } = await packagesOf(lockOnly(scenario.installed, ['package.json', 'package-lock.json', 'packages/ws-a/package.json']));
    expect(customs(packages)).toEqual(expected(tree, lockedAt));
    expect(warnings).toEqual([]);
  }, 120_000);

  it('a lockfileVersion 1 lock written by npm 6, as npm reads it', async () => {
    const lock = JSON.parse(readFileSync(`${scenario.v1}/package-lock.json`, 'utf8')) as { lockfileVersion?: unknown };
    expect(lock.lockfileVersion).toBe(1);
    const locked = npmLsLocations(scenario.v1, true);
    const { packages, warnings } = await packagesOf(lockOnly(scenario.v1, ['package.json', 'package-lock.json']));
    // v1 writes a local tarball's source (`file:prod-lib-1.0.0.tgz`) instead of its version: no version to report.
    const fromRegistry = locked.filter((install) => !install.resolved?.startsWith('file:'));
    expect(fromRegistry.length).toBe(locked.length - 2);
    expect(customs(packages)).toEqual(expected(fromRegistry, lockedAt));
    expect(warnings).toEqual([]);
  }, 120_000);
});
