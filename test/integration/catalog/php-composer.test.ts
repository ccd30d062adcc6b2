import { describe, expect, it } from 'vitest';
import { defaultCatalogers } from '../../../lambdas/core/catalog/catalogers.ts';
import type { Package } from '../../../lambdas/core/sbom/model.ts';
import { layoutOf } from '../../support/layout.ts';
import { EXPECTED_V1, EXPECTED_V2, INSTALLED_V1, INSTALLED_V2 } from '../../support/php-composer-fixtures.ts';
import { scan } from '../../support/scan.ts';

const catalogers = defaultCatalogers;
const rows = (packages: readonly Package[]) => packages.map((pkg) => [pkg.name, pkg.version, pkg.purl, pkg.dev === true]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));

describe('composer packages packed into an image', () => {
  it('lists Composer 1 and Composer 2 vendor directories, each at its own path', async () => {
    const dir = layoutOf([
      {
        entries: [
          { type: 'file', path: 'srv/legacy/vendor/composer/installed.json', content: INSTALLED_V1 },
          { type: 'file', path: 'var/www/html/vendor/composer/installed.json', content: INSTALLED_V2 },
        ],
      },
    ]);
    const [image] = (await scan(`oci:${dir}`, { catalogers })).images;
    const at = (path: string) => image!.packages.filter((pkg) => pkg.location.path === path);
    expect(rows(at('srv/legacy/vendor/composer/installed.json'))).toEqual(EXPECTED_V1);
    expect(rows(at('var/www/html/vendor/composer/installed.json'))).toEqual(EXPECTED_V2);
    expect(image!.packages.every((pkg) => pkg.type === 'composer' && pkg.cataloger === 'composer')).toBe(true);
    expect(image!.packages).toHaveLength(EXPECTED_V1.length + EXPECTED_V2.length);
  });

  it('warns about a broken installed.json and keeps the other vendor directories', async () => {
    const dir = layoutOf([
      {
        entries: [
          { type: 'file', path: 'app/vendor/composer/installed.json', content: '{"packages": [{"name": "a/b", "version": ' },
          { type: 'file', path: 'var/www/html/vendor/composer/installed.json', content: INSTALLED_V2 },
        ],
      },
    ]);
    const [image] = (await scan(`oci:${dir}`, { catalogers })).images;
    expect(rows(image!.packages)).toEqual(EXPECTED_V2);
    expect(image!.warnings.some((text) => text.includes('composer: app/vendor/composer/installed.json: is not valid JSON'))).toBe(true);
  });
});
