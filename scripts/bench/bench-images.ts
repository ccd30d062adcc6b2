import type { ImageSpec } from './bench-entries.ts';

/**
 * Bump when the generator changes what it writes: cached images live under images-v<version>, so a
 * stale cache is never measured and older versions are deleted.
 */
export const FIXTURE_VERSION = '1';

const MiB = 1024 * 1024;

/** The 1 GiB images share a seed: the same files, in one layer or split across three. */
export const BENCH_IMAGES: readonly ImageSpec[] = [
  { name: '100MiB-1layer', seed: 1, contentBytes: 100 * MiB, layers: 1 },
  { name: '1GiB-1layer', seed: 2, contentBytes: 1024 * MiB, layers: 1 },
  { name: '1GiB-3layers', seed: 2, contentBytes: 1024 * MiB, layers: 3 },
];

/** The pair the RSS flatness target compares: small and large single-layer images. */
export const FLATNESS_PAIR = { small: '100MiB-1layer', large: '1GiB-1layer' } as const;
