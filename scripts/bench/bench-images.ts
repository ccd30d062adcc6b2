import type { ImageSpec, ScanExpectation } from './bench-entries.ts';
import { DPKG_PACKAGES } from './dpkg-status.ts';
import { planNpmTree, type NpmTreeShape } from './npm-tree.ts';

/**
 * Bump when the generator changes what it writes: cached images live under images-v<version>, so a
 * stale cache is never measured and older versions are deleted.
 */
export const FIXTURE_VERSION = '3';

const MiB = 1024 * 1024;

const DEBIAN_12 = { id: 'debian', versionId: '12' } as const;
const DEBIAN_DPKG: ScanExpectation = { packages: { deb: DPKG_PACKAGES }, distro: DEBIAN_12 };

const NPM_SEED = 4;
/** 20,500 installed packages: 12,000 hoisted (about 15% scoped), 8,500 nested copies. */
const NPM_TREE: NpmTreeShape = { app: 'srv/app', topLevel: 12_000, nested: 8_500 };
/** Every install path's package.json is one package: the count comes from the plan itself. */
const NPM_MANIFESTS = planNpmTree(NPM_SEED, NPM_TREE).manifests;

/**
 * The 1 GiB images share a seed: the same files, in one layer or split across three. The rpm image
 * puts Amazon Linux 2023's real 3 MiB rpmdb.sqlite in each of 24 small layers. The npm image is a
 * Debian 12 base layer under two layers of one application's node_modules (20,500 package.json).
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
    expect: { packages: { rpm: 102 }, distro: { id: 'amzn', versionId: '2023' } },
  },
  { name: 'npm-20k-3layers', kind: 'npm', seed: NPM_SEED, layers: 3, tree: NPM_TREE, expect: { packages: { deb: DPKG_PACKAGES, npm: NPM_MANIFESTS }, distro: DEBIAN_12 } },
];

/** The pair the RSS flatness target compares: small and large single-layer dpkg images. */
export const FLATNESS_PAIR = { small: '100MiB-1layer', large: '1GiB-1layer' } as const;
