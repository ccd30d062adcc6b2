import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { testCacheDir } from './paths.ts';

/**
 * A real Debian bookworm root filesystem made by debootstrap (minbase), built once and kept in the
 * test cache: about 30 s on first use. The mirror can be changed with CUSTOMS_DEBIAN_MIRROR.
 */
export function debianRootfs(): string {
  const rootfs = testCacheDir('debootstrap-bookworm-minbase');
  if (existsSync(`${rootfs}/var/lib/dpkg/status`)) return rootfs;
  const building = `${rootfs}.building`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(dirname(rootfs), { recursive: true });
  const mirror = process.env.CUSTOMS_DEBIAN_MIRROR ?? 'http://deb.debian.org/debian';
  execFileSync('debootstrap', ['--variant=minbase', 'bookworm', building, mirror], { stdio: 'pipe', timeout: 600_000 });
  renameSync(building, rootfs);
  return rootfs;
}

/** What dpkg itself lists as present in a root filesystem: `name\tversion`, sorted. */
export function dpkgQueryPackages(rootfs: string): string[] {
  const output = execFileSync('dpkg-query', [`--admindir=${rootfs}/var/lib/dpkg`, '-W', '-f', '${db:Status-Status}\\t${Package}\\t${Version}\\n'], { encoding: 'utf8' });
  return output
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split('\t'))
    // dpkg-query -W also lists removed-but-not-purged packages, whose files are gone.
    .filter(([state]) => state !== 'config-files' && state !== 'not-installed')
    .map(([, name, version]) => `${name}\t${version}`)
    .sort();
}

/** Packs a root filesystem into an OCI layout with umoci (one layer), tagged. */
export function umociImage(rootfs: string, layout: string, tag: string): void {
  rmSync(layout, { recursive: true, force: true });
  execFileSync('umoci', ['init', '--layout', layout]);
  execFileSync('umoci', ['new', '--image', `${layout}:${tag}`]);
  execFileSync('umoci', ['insert', '--image', `${layout}:${tag}`, rootfs, '/'], { stdio: 'pipe' });
}
