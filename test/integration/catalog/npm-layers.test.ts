import { describe, expect, it } from 'vitest';
import { npmCataloger } from '../../../lambdas/core/catalog/npm/npm-cataloger.ts';
import type { PackageCataloger } from '../../../lambdas/core/catalog/package-cataloger.ts';
import type { TarInput } from '../../../tools/image-builder/tar-writer.ts';
import { layoutOf } from '../../support/layout.ts';
import { scan } from '../../support/scan.ts';

const catalogers = [npmCataloger as PackageCataloger];
const manifest = (path: string, name: string, version: string): TarInput => ({ type: 'file', path, content: JSON.stringify({ name, version }) });

describe('npm packages across layers', () => {
  it('a whiteout in a later layer removes an installed package', async () => {
    const image = layoutOf([
      { entries: [manifest('app/node_modules/lodash/package.json', 'lodash', '4.17.15'), manifest('app/node_modules/minimist/package.json', 'minimist', '1.2.0')] },
      { entries: [{ type: 'file', path: 'app/node_modules/.wh.lodash', content: '' }] },
    ]);
    const [sbom] = (await scan(`oci:${image}`, { catalogers })).images;
    expect(sbom!.packages.map((pkg) => `${pkg.name}@${pkg.version}`)).toEqual(['minimist@1.2.0']);
  });

  it('attributes a package upgraded in a later layer to that layer, and a global install is found', async () => {
    const image = layoutOf([
      { entries: [manifest('app/node_modules/a/package.json', 'a', '1.0.0'), manifest('usr/local/lib/node_modules/npm/package.json', 'npm', '10.0.0')] },
      { entries: [manifest('app/node_modules/a/package.json', 'a', '2.0.0')] },
    ]);
    const [sbom] = (await scan(`oci:${image}`, { catalogers })).images;
    expect(sbom!.packages.map((pkg) => [pkg.purl, pkg.location.path, pkg.location.layerIndex])).toEqual([
      ['pkg:npm/a@2.0.0', 'app/node_modules/a/package.json', 1],
      ['pkg:npm/npm@10.0.0', 'usr/local/lib/node_modules/npm/package.json', 0],
    ]);
  });

  it('scans a layer of 20,000 installed packages without hanging', async () => {
    const entries = Array.from({ length: 20_000 }, (_, i) => manifest(`app/node_modules/pkg-${i}/package.json`, `pkg-${i}`, `1.0.${i}`));
    const image = layoutOf([{ entries }]);
    const started = Date.now();
    const [sbom] = (await scan(`oci:${image}`, { catalogers })).images;
    expect(sbom!.packages).toHaveLength(20_000);
    // A hang guard only: the point is that nothing here is quadratic in the number of files.
    expect(Date.now() - started).toBeLessThan(30_000);
  }, 120_000);
});
