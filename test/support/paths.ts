import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The shared fixtures beside the repository, or where CUSTOMS_SHARED_FIXTURES points. */
export function sharedFixtures(...parts: string[]): string {
  const base = process.env.CUSTOMS_SHARED_FIXTURES ?? join(repoRoot, '..', 'shared', 'fixtures');
  if (!existsSync(base)) throw new Error(`shared fixtures not found at ${base}; set CUSTOMS_SHARED_FIXTURES`);
  return join(base, ...parts);
}

/** A cache for expensive test inputs (a debootstrap rootfs), kept between local runs. */
export function testCacheDir(...parts: string[]): string {
  return join(process.env.CUSTOMS_TEST_CACHE ?? join(repoRoot, '.cache', 'test'), ...parts);
}
