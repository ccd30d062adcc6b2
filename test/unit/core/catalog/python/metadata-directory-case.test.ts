import { describe, expect, it } from 'vitest';
import { defaultCatalogers } from '../../../../../lambdas/core/catalog/catalogers.ts';
import { directoryEntries } from '../../../../../tools/image-builder/directory-entries.ts';
import { layoutOf } from '../../../../support/layout.ts';
import { importlibDistributions, writeImportDirectory } from '../../../../support/python-rootfs.ts';
import { scan } from '../../../../support/scan.ts';

const meta = (name: string, version: string) => `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n`;

// The expectation is what Debian's python3 `importlib.metadata.distributions(path=[dir])` finds in
// the generated directory: it lowercases entry names when it looks for metadata directories.
describe('metadata directories whose suffix is not lower case', () => {
  const site = writeImportDirectory({
    'Upper-1.0.DIST-INFO/METADATA': meta('Upper', '1.0'),
    'Mixed-2.0.Dist-Info/METADATA': meta('Mixed', '2.0'),
    'Legacy-3.0.EGG-INFO/PKG-INFO': meta('Legacy', '3.0'),
    'Single-4.0.EGG-INFO': meta('Single', '4.0'),
    'lower-5.0.dist-info/METADATA': meta('lower', '5.0'),
    // Not metadata directories, whatever the file inside is called.
    'upper/METADATA': meta('NotADistribution', '9'),
    'tool.data/PKG-INFO': meta('AlsoNot', '9'),
  });

  it('lists exactly what importlib.metadata finds', async () => {
    const expected = importlibDistributions(site);
    expect(expected).toHaveLength(5);
    const dir = layoutOf([{ entries: directoryEntries(site, 'usr/lib/python3.11/site-packages') }]);
    const [image] = (await scan(`oci:${dir}`, { catalogers: defaultCatalogers })).images;
    const actual = image!.packages.map((pkg) => `${pkg.name}\t${pkg.version}`).sort();
    expect(actual).toEqual(expected);
    expect(image!.warnings.filter((warning) => warning.includes('python:'))).toEqual([]);
  });
});
