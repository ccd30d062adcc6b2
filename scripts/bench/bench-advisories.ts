import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';

/** The parts of a bench image's SBOM JSON the synthetic advisories are derived from. */
export interface BenchPackage {
  readonly type?: string;
  readonly name?: string;
  readonly version?: string;
  readonly source?: { readonly name?: string; readonly version?: string };
}

/**
 * OSV records for a bench image's own packages, so `customs scan` has real matching work to time
 * (the shared corpus names no package of the generated images): every other distinct Debian source
 * and npm name gets a record fixed just above its installed version, written the way Debian's and
 * GitHub's records are. Returns how many records were written.
 */
export function writeBenchAdvisories(packages: readonly BenchPackage[], distroVersion: string | undefined, dir: string): number {
  mkdirSync(dir, { recursive: true });
  const targets = new Map<string, { ecosystem: string; name: string; fixed: string; type: 'ECOSYSTEM' | 'SEMVER' }>();
  for (const pkg of packages) {
    if (pkg.type === 'deb' && distroVersion && pkg.source?.name && pkg.source.version) {
      targets.set(`deb ${pkg.source.name}`, { ecosystem: `Debian:${distroVersion.split('.')[0]}`, name: pkg.source.name, fixed: `${pkg.source.version}+bench1`, type: 'ECOSYSTEM' });
    } else if (pkg.type === 'npm' && pkg.name && pkg.version && semver.valid(pkg.version)) {
      const fixed = semver.inc(pkg.version, 'major')!;
      const key = `npm ${pkg.name}`;
      const known = targets.get(key);
      if (!known || semver.gt(fixed, known.fixed)) targets.set(key, { ecosystem: 'npm', name: pkg.name, fixed, type: 'SEMVER' });
    }
  }
  let written = 0;
  [...targets.values()].forEach((target, index) => {
    if (index % 2 === 1) return;
    const id = `BENCH-${String(index).padStart(6, '0')}`;
    const record = {
      schema_version: '1.6.0',
      id,
      modified: '2026-01-01T00:00:00Z',
      aliases: [`CVE-2099-${String(100000 + index)}`],
      summary: `bench advisory for ${target.name}`,
      severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N' }],
      affected: [{ package: { ecosystem: target.ecosystem, name: target.name }, ranges: [{ type: target.type, events: [{ introduced: '0' }, { fixed: target.fixed }] }] }],
    };
    writeFileSync(join(dir, `${id}.json`), JSON.stringify(record));
    written++;
  });
  return written;
}
