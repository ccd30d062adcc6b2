import { describe, expect, it } from 'vitest';
import { defaultCatalogers } from '../../../lambdas/core/catalog/catalogers.ts';
import { layoutOf } from '../../support/layout.ts';
import { SELF_CONTAINED_DEPS, SELF_CONTAINED_PACKAGES, WEBAPP_DEPS, WEBAPP_PACKAGES } from '../../support/dotnet-deps-fixtures.ts';
import { scan } from '../../support/scan.ts';

const catalogers = defaultCatalogers;

describe('.NET applications packed into an image', () => {
  it('lists the NuGet packages of each .deps.json, attributed to the layer that added it', async () => {
    const dir = layoutOf([
      { entries: [{ type: 'file', path: 'usr/share/dotnet/shared/Microsoft.NETCore.App/8.0.1/Microsoft.NETCore.App.deps.json', content: JSON.stringify({ libraries: {} }) }] },
      {
        entries: [
          { type: 'file', path: 'app/WebApp.deps.json', content: WEBAPP_DEPS },
          { type: 'file', path: 'app/WebApp.dll', content: 'MZ' },
        ],
      },
    ]);
    const [image] = (await scan(`oci:${dir}`, { catalogers })).images;
    const rows = image!.packages.map((pkg) => [pkg.name, pkg.version, pkg.purl]).sort((a, b) => a[0]!.localeCompare(b[0]!));
    expect(rows).toEqual(WEBAPP_PACKAGES);
    expect(image!.packages.every((pkg) => pkg.type === 'nuget' && pkg.location.path === 'app/WebApp.deps.json' && pkg.location.layerIndex === 1)).toBe(true);
  });

  // Built from the SDK's documented deps.json format (no .NET SDK runs here): see dotnet-deps-fixtures.ts.
  it('lists the .NET runtime a self-contained app carries, so runtime advisories match it', async () => {
    const dir = layoutOf([{ entries: [{ type: 'file', path: 'app/WebApp.deps.json', content: SELF_CONTAINED_DEPS }] }]);
    const [image] = (await scan(`oci:${dir}`, { catalogers })).images;
    const rows = image!.packages.map((pkg) => [pkg.name, pkg.version, pkg.purl]).sort((a, b) => a[0]!.localeCompare(b[0]!));
    expect(rows).toEqual(SELF_CONTAINED_PACKAGES);
    expect(image!.packages.every((pkg) => pkg.type === 'nuget' && pkg.location.path === 'app/WebApp.deps.json')).toBe(true);
  });

  it('warns about a broken .deps.json and keeps the other applications', async () => {
    const dir = layoutOf([
      {
        entries: [
          { type: 'file', path: 'app/Broken.deps.json', content: '{"libraries": {' },
          { type: 'file', path: 'app/WebApp.deps.json', content: WEBAPP_DEPS },
        ],
      },
    ]);
    const [image] = (await scan(`oci:${dir}`, { catalogers })).images;
    expect(image!.packages).toHaveLength(WEBAPP_PACKAGES.length);
    expect(image!.warnings.some((text) => text.includes('dotnet: app/Broken.deps.json: is not valid JSON'))).toBe(true);
  });
});
