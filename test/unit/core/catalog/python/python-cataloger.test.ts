import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultCatalogers } from '../../../../../lambdas/core/catalog/catalogers.ts';
import { zipWithCli } from '../../../../support/java-archive-oracle.ts';
import { layoutOf } from '../../../../support/layout.ts';
import { scan } from '../../../../support/scan.ts';

const SITE = 'opt/app/lib/python3.12/site-packages';
const catalogers = defaultCatalogers;

describe('python cataloger', () => {
  it('finds dist-info, egg-info directories and egg-info files, with pypi purls and layer of origin', async () => {
    const dir = layoutOf([
      {
        entries: [
          { type: 'file', path: `${SITE}/Jinja2-3.1.2.dist-info/METADATA`, content: 'Metadata-Version: 2.1\nName: Jinja2\nVersion: 3.1.2\n\nbody' },
          { type: 'file', path: 'usr/lib/python3/dist-packages/six-1.16.0.egg-info', content: 'Metadata-Version: 1.2\nName: six\nVersion: 1.16.0\n' },
        ],
      },
      {
        entries: [
          { type: 'file', path: `${SITE}/zope.interface-6.0.egg-info/PKG-INFO`, content: 'Metadata-Version: 2.1\nName: zope.interface\nVersion: 6.0\n' },
          { type: 'file', path: `${SITE}/broken-1.0.dist-info/METADATA`, content: 'Metadata-Version: 2.1\nName: broken\n' },
        ],
      },
    ]);
    const [image] = (await scan(`oci:${dir}`, { catalogers })).images;
    const found = image!.packages.map((pkg) => [pkg.name, pkg.version, pkg.purl, pkg.location.layerIndex, pkg.type]).sort();
    expect(found).toEqual([
      ['Jinja2', '3.1.2', 'pkg:pypi/jinja2@3.1.2', 0, 'pypi'],
      ['six', '1.16.0', 'pkg:pypi/six@1.16.0', 0, 'pypi'],
      ['zope.interface', '6.0', 'pkg:pypi/zope-interface@6.0', 1, 'pypi'],
    ]);
    expect(image!.warnings).toContain(`layer 2: python: ${SITE}/broken-1.0.dist-info/METADATA: has no Version header; the distribution was skipped`);
  });

  it('reads eggs, zipped (made by the zip tool) and unzipped, and warns about a broken one', async () => {
    const egg = readFileSync(zipWithCli({ 'EGG-INFO/PKG-INFO': 'Metadata-Version: 1.1\nName: Paste\nVersion: 3.5.0\n', 'paste/__init__.py': '' }));
    const dir = layoutOf([
      {
        entries: [
          { type: 'file', path: `${SITE}/Paste-3.5.0-py3.12.egg`, content: egg },
          { type: 'file', path: `${SITE}/simplejson-3.19.1-py3.12.egg/EGG-INFO/PKG-INFO`, content: 'Metadata-Version: 1.1\nName: simplejson\nVersion: 3.19.1\n' },
          { type: 'file', path: `${SITE}/truncated-1.0-py3.12.egg`, content: egg.subarray(0, egg.length - 30) },
        ],
      },
    ]);
    const [image] = (await scan(`oci:${dir}`, { catalogers })).images;
    expect(image!.packages.map((pkg) => [pkg.purl, pkg.location.path]).sort()).toEqual([
      ['pkg:pypi/paste@3.5.0', `${SITE}/Paste-3.5.0-py3.12.egg`],
      ['pkg:pypi/simplejson@3.19.1', `${SITE}/simplejson-3.19.1-py3.12.egg/EGG-INFO/PKG-INFO`],
    ]);
    expect(image!.warnings.some((warning) => warning.startsWith(`layer 1: python: ${SITE}/truncated-1.0-py3.12.egg: is not a readable egg`))).toBe(true);
  });
});
