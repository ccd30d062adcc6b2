import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultCatalogers } from '../../../lambdas/core/catalog/catalogers.ts';
import type { ImageSbom } from '../../../lambdas/core/sbom/model.ts';
import { directoryEntries } from '../../../tools/image-builder/directory-entries.ts';
import type { TarInput } from '../../../tools/image-builder/tar-writer.ts';
import { layoutOf } from '../../support/layout.ts';
import { importlibDistributions, pythonRootfs } from '../../support/python-rootfs.ts';
import { scan } from '../../support/scan.ts';

const DIST_PACKAGES = 'usr/lib/python3/dist-packages';

describe('python packages of a Debian rootfs (debootstrap with python3-jinja2, -requests, -urllib3, -yaml, -six)', () => {
  let rootfs: string;
  let image: ImageSbom;

  beforeAll(async () => {
    rootfs = pythonRootfs();
    // Only the Python tree and os-release: enough for the cataloger, small enough to pack quickly.
    const osRelease: TarInput = { type: 'file', path: 'etc/os-release', content: readFileSync(`${rootfs}/etc/os-release`) };
    const dir = layoutOf([{ entries: [osRelease, ...directoryEntries(`${rootfs}/usr/lib/python3`, 'usr/lib/python3')] }]);
    [image] = (await scan(`oci:${dir}`, { catalogers: defaultCatalogers })).images as [ImageSbom];
  }, 600_000);

  it('lists exactly what importlib.metadata finds in dist-packages', () => {
    const expected = importlibDistributions(`${rootfs}/${DIST_PACKAGES}`);
    expect(expected.length).toBeGreaterThanOrEqual(6);
    const actual = image.packages.filter((pkg) => pkg.type === 'pypi').map((pkg) => `${pkg.name}\t${pkg.version}`).sort();
    expect(actual).toEqual(expected);
    expect(image.warnings).toEqual([]);
  });

  it('reads both the .egg-info and the .dist-info kinds Debian ships', () => {
    const kinds = new Set(image.packages.map((pkg) => /\.(dist-info|egg-info)(?:\/|$)/.exec(pkg.location.path)?.[1]));
    expect(kinds).toEqual(new Set(['dist-info', 'egg-info']));
    expect(image.packages.every((pkg) => pkg.location.path.startsWith(`${DIST_PACKAGES}/`))).toBe(true);
  });

  it('writes PEP 503 names into purls', () => {
    const jinja = image.packages.find((pkg) => pkg.name === 'Jinja2')!;
    expect(jinja.purl).toBe(`pkg:pypi/jinja2@${jinja.version}`);
    const yaml = image.packages.find((pkg) => pkg.name === 'PyYAML')!;
    expect(yaml.purl).toBe(`pkg:pypi/pyyaml@${yaml.version}`);
  });
});
