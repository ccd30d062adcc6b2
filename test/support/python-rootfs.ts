import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { testCacheDir } from './paths.ts';

/** Debian packages whose Python modules the rootfs carries: a mix of `.egg-info` and `.dist-info`. */
export const PYTHON_PACKAGES = ['python3-jinja2', 'python3-requests', 'python3-urllib3', 'python3-yaml', 'python3-six'];

/**
 * A Debian bookworm minbase rootfs with a few python3-* packages, made by debootstrap once and kept
 * in the test cache (a few minutes on first use). The mirror can be changed with CUSTOMS_DEBIAN_MIRROR.
 */
export function pythonRootfs(): string {
  // Bump the suffix whenever PYTHON_PACKAGES changes, so a rootfs cached with the old set is not reused.
  const rootfs = testCacheDir('debootstrap-bookworm-python-2');
  if (existsSync(`${rootfs}/usr/lib/python3/dist-packages`)) return rootfs;
  const building = `${rootfs}.building`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(dirname(rootfs), { recursive: true });
  const mirror = process.env.CUSTOMS_DEBIAN_MIRROR ?? 'http://deb.debian.org/debian';
  execFileSync('debootstrap', ['--variant=minbase', `--include=${PYTHON_PACKAGES.join(',')}`, 'bookworm', building, mirror], { stdio: 'pipe', timeout: 600_000 });
  renameSync(building, rootfs);
  return rootfs;
}

const LIST_DISTRIBUTIONS = `
import sys, importlib.metadata as m
for d in m.distributions(path=[sys.argv[1]]):
    print(f"{d.metadata['Name']}\\t{d.version}")
`;

/**
 * What Python itself finds installed in a dist-packages directory: `name\tversion`, sorted. Runs
 * Debian's own interpreter, not whichever python3 comes first on PATH (pyenv and the like).
 */
export function importlibDistributions(directory: string): string[] {
  const output = execFileSync('/usr/bin/python3', ['-I', '-c', LIST_DISTRIBUTIONS, directory], { encoding: 'utf8' });
  return output.split('\n').filter(Boolean).sort();
}

/**
 * Writes an import directory from `relative path → content` into a fresh temporary directory and
 * returns it, so that Python can be asked what it finds there.
 */
export function writeImportDirectory(files: Readonly<Record<string, string>>): string {
  const root = mkdtempSync(join(tmpdir(), 'customs-site-packages-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}
