import type { ImageSpec, ScanExpectation } from './bench-entries.ts';
import { DPKG_PACKAGES } from './dpkg-status.ts';

/**
 * Bump when the generator changes what it writes: cached images live under images-v<version>, so a
 * stale cache is never measured and older versions are deleted.
 */
export const FIXTURE_VERSION = '2';

const MiB = 1024 * 1024;

const DEBIAN_DPKG: ScanExpectation = { packages: DPKG_PACKAGES, packageType: 'deb', distro: { id: 'debian', versionId: '12' } };

/**
 * The 1 GiB images share a seed: the same files, in one layer or split across three. The rpm image
 * puts Amazon Linux 2023's real 3 MiB rpmdb.sqlite in each of 24 small layers.
 */
export const BENCH_IMAGES: readonly ImageSpec[] = [
  { name: '100MiB-1layer', kind: 'dpkg', seed: 1, contentBytes: 100 * MiB, layers: 1, expect: DEBIAN_DPKG },
  { name: '1GiB-1layer', kind: 'dpkg', seed: 2, contentBytes: 1024 * MiB, layers: 1, expect: DEBIAN_DPKG },
  { name: '1GiB-3layers', kind: 'dpkg', seed: 2, contentBytes: 1024 * MiB, layers: 3, expect: DEBIAN_DPKG },
  {
    name: 'rpm-sqlite-24layers',
    kind: 'rpm',
    seed: 3,
    contentBytes: 24 * 2 * MiB,
    layers: 24,
    fixtures: { osRelease: 'os/os-release/amazonlinux-2023.os-release', rpmdb: 'os/rpm/real/amazonlinux2023-sqlite/rpmdb.sqlite' },
    // 103 headers in the database; Customs leaves out the gpg-pubkey signing key.
    expect: { packages: 102, packageType: 'rpm', distro: { id: 'amzn', versionId: '2023' } },
  },
];

/** The pair the RSS flatness target compares: small and large single-layer dpkg images. */
export const FLATNESS_PAIR = { small: '100MiB-1layer', large: '1GiB-1layer' } as const;
