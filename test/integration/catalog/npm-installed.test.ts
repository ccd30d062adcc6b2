import { describe, expect, it } from 'vitest';
import { defaultCatalogers } from '../../../lambdas/core/catalog/catalogers.ts';
import type { Package } from '../../../lambdas/core/sbom/model.ts';
import { directoryEntries } from '../../../tools/image-builder/directory-entries.ts';
import { layoutOf } from '../../support/layout.ts';
import { installedNpmApp, npmLsInstalls } from '../../support/npm-app.ts';
import { scan } from '../../support/scan.ts';

const catalogers = defaultCatalogers;
const npmPackages = (packages: readonly Package[]) => packages.filter((pkg) => pkg.type === 'npm');
const installs = (packages: readonly Package[]) => packages.map((pkg) => `${pkg.name}@${pkg.version} ${pkg.location.path}`).sort();

describe('npm app installed by the real npm', () => {
  const dir = installedNpmApp();
  const expected = npmLsInstalls(dir, 'app');

  it('has nested duplicates at different versions (the case this test is about)', () => {
    const debugs = expected.filter((line) => line.startsWith('debug@'));
    expect(new Set(debugs.map((line) => line.split(' ')[0])).size).toBeGreaterThan(1);
    expect(debugs.some((line) => line.includes('/node_modules/debug/') && line.split('/node_modules/').length > 2)).toBe(true);
  });

  it('lists exactly what npm ls lists, each install path once, and the lockfile adds nothing', async () => {
    const [image] = (await scan(`oci:${layoutOf([{ entries: directoryEntries(dir, 'app') }])}`, { catalogers })).images;
    const packages = npmPackages(image!.packages);
    expect(installs(packages)).toEqual(expected);
    expect(packages.filter((pkg) => pkg.location.path.startsWith('app/package-lock.json'))).toEqual([]);
    expect(image!.warnings.filter((warning) => warning.includes('npm'))).toEqual([]);
    const codeFrame = packages.find((pkg) => pkg.name === '@babel/code-frame')!;
    expect(codeFrame.purl).toBe('pkg:npm/%40babel/code-frame@7.0.0');
    expect(codeFrame.location.layerIndex).toBe(0);
  }, 120_000);

  it('falls back to the lockfile entry when a later layer deletes the installed copy', async () => {
    const image = layoutOf([{ entries: directoryEntries(dir, 'app') }, { entries: [{ type: 'file', path: 'app/node_modules/.wh.lodash', content: '' }] }]);
    const packages = npmPackages((await scan(`oci:${image}`, { catalogers })).images[0]!.packages);
    const lodash = packages.filter((pkg) => pkg.name === 'lodash');
    expect(lodash.map((pkg) => pkg.location.path)).toEqual(['app/package-lock.json!/node_modules/lodash']);
    expect(packages).toHaveLength(expected.length);
  }, 120_000);
});
