import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCatalogers } from '../../../lambdas/core/catalog/catalogers.ts';
import type { ImageSbom, Package } from '../../../lambdas/core/sbom/model.ts';
import { directoryEntries } from '../../../tools/image-builder/directory-entries.ts';
import type { TarInput } from '../../../tools/image-builder/tar-writer.ts';
import { layoutOf } from '../../support/layout.ts';
import { sharedFixtures } from '../../support/paths.ts';
import { importlibDistributions, PYTHON_PACKAGES, pythonRootfs } from '../../support/python-rootfs.ts';
import { scan } from '../../support/scan.ts';

const DIST_PACKAGES = 'usr/lib/python3/dist-packages';
const LOCAL_URLLIB3 = 'usr/local/lib/python3.11/dist-packages/urllib3-1.26.5.dist-info/METADATA';

async function sbomOf(layers: TarInput[][]): Promise<ImageSbom> {
  const dir = layoutOf(layers.map((entries) => ({ entries })));
  return (await scan(`oci:${dir}`, { catalogers: defaultCatalogers })).images[0]!;
}

const pypi = (image: ImageSbom): Package[] => image.packages.filter((pkg) => pkg.type === 'pypi');
const metadata = (path: string, name: string, version: string): TarInput => ({ type: 'file', path, content: `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n` });

/** The owner as the SBOM records it, with the name of the OS package its id points to. */
function ownerOf(image: ImageSbom, pkg: Package): string | undefined {
  if (!pkg.owner) return undefined;
  const os = image.packages.find((candidate) => candidate.id === pkg.owner!.id);
  expect(os, `owner id ${pkg.owner.id} of ${pkg.name} is a package of the SBOM`).toBeDefined();
  expect([os!.type, os!.name]).toEqual([pkg.owner.type, pkg.owner.name]);
  return `${pkg.owner.type} ${pkg.owner.name}`;
}

/** dpkg itself: which package's list holds this path (`name[:arch]: /path`), or undefined. */
function dpkgOwner(admindir: string, path: string): string | undefined {
  try {
    const output = execFileSync('dpkg-query', [`--admindir=${admindir}`, '-S', `/${path}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const owners = output
      .split('\n')
      .filter((line) => line.endsWith(`: /${path}`) && !line.startsWith('diversion '))
      .map((line) => line.slice(0, line.indexOf(':')));
    return owners.length === 1 ? `deb ${owners[0]}` : `ambiguous: ${owners.join(', ')}`;
  } catch {
    return undefined;
  }
}

describe('language packages installed by dpkg (debootstrap bookworm with python3-* packages)', () => {
  let rootfs: string;
  let image: ImageSbom;

  beforeAll(async () => {
    rootfs = pythonRootfs();
    const osRelease: TarInput = { type: 'file', path: 'etc/os-release', content: readFileSync(`${rootfs}/etc/os-release`) };
    const base = [osRelease, ...directoryEntries(`${rootfs}/var/lib/dpkg`, 'var/lib/dpkg'), ...directoryEntries(`${rootfs}/usr/lib/python3`, 'usr/lib/python3')];
    // A second layer as `pip install --prefix /usr/local` would write it: no OS package lists it.
    image = await sbomOf([base, [metadata(LOCAL_URLLIB3, 'urllib3', '1.26.5')]]);
  }, 600_000);

  it('lists every distribution importlib.metadata finds in dist-packages', () => {
    const expected = importlibDistributions(`${rootfs}/${DIST_PACKAGES}`);
    const actual = pypi(image)
      .filter((pkg) => pkg.location.path.startsWith(`${DIST_PACKAGES}/`))
      .map((pkg) => `${pkg.name}\t${pkg.version}`)
      .sort();
    expect(actual).toEqual(expected);
    expect(image.warnings).toEqual([]);
  });

  it('records as owner of each the package dpkg -S names for its metadata file', () => {
    const admindir = `${rootfs}/var/lib/dpkg`;
    const dist = pypi(image).filter((pkg) => pkg.location.path.startsWith(`${DIST_PACKAGES}/`));
    const actual = dist.map((pkg) => [pkg.location.path, ownerOf(image, pkg)]);
    const expected = dist.map((pkg) => [pkg.location.path, dpkgOwner(admindir, pkg.location.path)]);
    expect(actual).toEqual(expected);
    const owners = new Set(actual.map(([, owner]) => owner));
    for (const name of PYTHON_PACKAGES) expect(owners).toContain(`deb ${name}`);
  });

  it('leaves the dist-info of a later pip install unowned', () => {
    const local = pypi(image).find((pkg) => pkg.location.path === LOCAL_URLLIB3)!;
    expect(local.version).toBe('1.26.5');
    expect(local.owner).toBeUndefined();
    expect(dpkgOwner(`${rootfs}/var/lib/dpkg`, LOCAL_URLLIB3)).toBeUndefined();
  });
});

/** A py3-six stanza as apk writes it: package fields, then each directory (F:) and its files (R:, Z: checksum). */
const PY3_SIX = `C:Q1mWVmcpQaq4J6fz9GyM2cJAPtWxY=
P:py3-six
V:1.16.0-r9
A:noarch
S:18915
I:86016
T:Python 2 and 3 compatibility library
U:https://github.com/benjaminp/six
L:MIT
o:py3-six
m:Natanael Copa <ncopa@alpinelinux.org>
t:1712750052
c:4d3e07c15b4a5b3a7f65e7e8e5b9cba0f8bdbc8a
D:python3~3.12
p:py3.12:six=1.16.0-r9
F:usr
F:usr/lib
F:usr/lib/python3.12
F:usr/lib/python3.12/site-packages
R:six.py
Z:Q1FSn9ZnyhnT+2Bk0Tp2PDoUVrQDE=
F:usr/lib/python3.12/site-packages/__pycache__
R:six.cpython-312.pyc
Z:Q1xWuv0RXRJbCEN0ubU6rPPOnKeLs=
F:usr/lib/python3.12/site-packages/six-1.16.0.dist-info
R:LICENSE
Z:Q1V7UIhPDXwJ3W6SpMnw3TeFXbrV0=
R:METADATA
Z:Q1Ug0rXVrvLBm0zxGvHAKy/ltGzSo=
R:RECORD
Z:Q1aSTmUZr7VCkJwSc4mzHLrtzPSKU=
R:WHEEL
Z:Q1uEkMlYfiCm/QOh1dHkNkrPsFVYI=
R:top_level.txt
Z:Q1a+b1VzbTnnMbzIZ7XNuGIqB2Mf0=

`;

describe('language packages installed by apk (Alpine 3.20 database with py3-six added)', () => {
  const SIX = 'usr/lib/python3.12/site-packages/six-1.16.0.dist-info/METADATA';
  const PIP_REQUESTS = 'usr/lib/python3.12/site-packages/requests-2.32.3.dist-info/METADATA';

  it('names py3-six as owner of its dist-info and leaves a pip-installed one unowned', async () => {
    const alpine = (...parts: string[]) => readFileSync(sharedFixtures('os', 'apk', 'alpine-3.20.3', ...parts));
    const installed = `${alpine('lib', 'apk', 'db', 'installed').toString('utf8')}${PY3_SIX}`;
    const image = await sbomOf([
      [
        { type: 'file', path: 'etc/os-release', content: alpine('etc', 'os-release') },
        { type: 'file', path: 'lib/apk/db/installed', content: installed },
        metadata(SIX, 'six', '1.16.0'),
        metadata(PIP_REQUESTS, 'requests', '2.32.3'),
      ],
    ]);
    const owners = Object.fromEntries(pypi(image).map((pkg) => [pkg.location.path, ownerOf(image, pkg)]));
    expect(owners).toEqual({ [SIX]: 'apk py3-six', [PIP_REQUESTS]: undefined });
    expect(image.packages.find((pkg) => pkg.name === 'py3-six')!.purl).toBe('pkg:apk/alpine/py3-six@1.16.0-r9?arch=noarch&distro=alpine-3.20.3');
    expect(image.warnings).toEqual([]);
  });
});

describe('language packages installed by rpm (Amazon Linux 2023 sqlite database)', () => {
  const DATABASE = sharedFixtures('os', 'rpm', 'real', 'amazonlinux2023-sqlite', 'rpmdb.sqlite');
  const SITE = 'usr/lib64/python3.9/site-packages';
  const paths = {
    libcomps: `${SITE}/libcomps-0.1.18-py3.9.egg-info/PKG-INFO`,
    gpg: `${SITE}/gpg-1.15.1-py3.9.egg-info`,
    requests: `usr/local/lib/python3.9/site-packages/requests-2.31.0.dist-info/METADATA`,
  };
  let dbpath: string;

  beforeAll(() => {
    dbpath = mkdtempSync(join(tmpdir(), 'customs-rpmdb-'));
    copyFileSync(DATABASE, join(dbpath, 'rpmdb.sqlite'));
  });
  afterAll(() => rmSync(dbpath, { recursive: true, force: true }));

  /** rpm itself: the package whose header lists the path, or undefined when rpm says it is not owned. */
  function rpmOwner(path: string): string | undefined {
    try {
      const output = execFileSync('rpm', ['--dbpath', dbpath, '--define', '_db_backend sqlite', '-qf', '--qf', '%{NAME}\\n', `/${path}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      return `rpm ${output.trim()}`;
    } catch {
      return undefined;
    }
  }

  it('names the rpm package rpm -qf names, and none for a file no package lists', async () => {
    const image = await sbomOf([
      [
        { type: 'file', path: 'etc/os-release', content: readFileSync(sharedFixtures('os', 'os-release', 'amazonlinux-2023.os-release')) },
        { type: 'file', path: 'var/lib/rpm/rpmdb.sqlite', content: readFileSync(DATABASE) },
        metadata(paths.libcomps, 'libcomps', '0.1.18'),
        metadata(paths.gpg, 'gpg', '1.15.1'),
        metadata(paths.requests, 'requests', '2.31.0'),
      ],
    ]);
    const actual = Object.fromEntries(pypi(image).map((pkg) => [pkg.location.path, ownerOf(image, pkg)]));
    const expected = Object.fromEntries(Object.values(paths).map((path) => [path, rpmOwner(path)]));
    expect(expected).toEqual({ [paths.libcomps]: 'rpm python3-libcomps', [paths.gpg]: 'rpm python3-gpg', [paths.requests]: undefined });
    expect(actual).toEqual(expected);
  });
});
