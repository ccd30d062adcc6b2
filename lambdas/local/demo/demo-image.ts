import { DEBIAN_12_OS_RELEASE } from '../../../tools/image-builder/debian-os-release.ts';
import { OciLayoutWriter } from '../../../tools/image-builder/oci-layout-writer.ts';
import { tarBytes, type TarInput } from '../../../tools/image-builder/tar-writer.ts';
import { basePackages, dpkgStatus, GLIBC_FIXED, GLIBC_VULNERABLE, NODEJS_PACKAGES } from './debian-packages.ts';
import { FIXED_DEPENDENCIES, npmAppEntries, VULNERABLE_DEPENDENCIES, type NpmDependency } from './npm-app.ts';

export { demoAdvisoriesDir } from './demo-advisories-dir.ts';

/**
 * The demo image (linux/amd64, two layers): a Debian 12 base, then nodejs from apt and an npm
 * application. buildDemoImage's glibc, lodash and minimist are published versions the shipped
 * advisories affect; buildCleanDemoImage has their fixed versions and nothing else changed.
 */
export interface DemoImage {
  /** The OCI image layout directory. */
  readonly layoutDir: string;
  /** Its tag in the layout: scan `oci:<layoutDir>:<tag>`. */
  readonly tag: string;
}

export function buildDemoImage(dir: string): Promise<DemoImage> {
  return Promise.resolve(writeImage(dir, 'demo', GLIBC_VULNERABLE, VULNERABLE_DEPENDENCIES));
}

export function buildCleanDemoImage(dir: string): Promise<DemoImage> {
  return Promise.resolve(writeImage(dir, 'demo-clean', GLIBC_FIXED, FIXED_DEPENDENCIES));
}

function writeImage(dir: string, tag: string, glibc: string, dependencies: readonly NpmDependency[]): DemoImage {
  const base = basePackages(glibc);
  const baseLayer: TarInput[] = [
    { type: 'dir', path: 'etc' },
    { type: 'symlink', path: 'etc/os-release', target: '../usr/lib/os-release' },
    { type: 'file', path: 'etc/debian_version', content: '12.0\n' },
    { type: 'dir', path: 'usr/lib' },
    { type: 'file', path: 'usr/lib/os-release', content: DEBIAN_12_OS_RELEASE },
    dpkgStatus(base),
  ];
  const appLayer: TarInput[] = [dpkgStatus([...base, ...NODEJS_PACKAGES].sort((a, b) => a.name.localeCompare(b.name))), ...npmAppEntries(dependencies)];
  const writer = new OciLayoutWriter(dir);
  const manifest = writer.image({
    platform: { os: 'linux', architecture: 'amd64' },
    layers: [
      { tar: tarBytes(baseLayer), compression: 'gzip' },
      { tar: tarBytes(appLayer), compression: 'gzip' },
    ],
  });
  writer.finish([{ descriptor: manifest, tag }]);
  return { layoutDir: dir, tag };
}
