import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { TarInput } from '../../../tools/image-builder/tar-writer.ts';
import { debianRootfs, umociImage } from '../../support/debian-rootfs.ts';
import { dpkgBinaries, writeDebianTestAdvisories, type DebianTestAdvisories } from '../../support/debian-source-advisories.ts';
import { layoutOf } from '../../support/layout.ts';
import { sharedFixtures } from '../../support/paths.ts';
import { findingsByPackage, scanJson } from '../../support/scan-report.ts';
import { skopeoCopy } from '../../support/skopeo.ts';

/**
 * `customs scan` end to end on distribution images served by a real registry: OS packages match
 * their distribution's advisories by the package name those records use (the source package for
 * Debian and Alpine), and the finding names the installed binary package.
 */
describe('customs scan on distribution images from a registry', () => {
  const registry = inject('registryHost');
  const work = mkdtempSync(join(tmpdir(), 'customs-scan-distro-'));

  async function push(layout: string, name: string): Promise<string> {
    const target = `${registry}/customs/${name}`;
    await skopeoCopy(`oci:${layout}:latest`, `docker://${target}`);
    return target;
  }

  describe('a Debian 9 image with libxml2 below its DLA fix (real record)', () => {
    let image: string;
    beforeAll(async () => {
      const status = [
        'Package: libxml2\nStatus: install ok installed\nArchitecture: amd64\nVersion: 2.9.4+dfsg1-2.2+deb9u6\n',
        'Package: libxml2-utils\nStatus: install ok installed\nSource: libxml2\nArchitecture: amd64\nVersion: 2.9.4+dfsg1-2.2+deb9u6\n',
        'Package: vlc-data\nStatus: install ok installed\nSource: vlc\nArchitecture: all\nVersion: 3.0.17-0+deb9u1\n',
      ].join('\n');
      const entries: TarInput[] = [
        { type: 'file', path: 'etc/os-release', content: 'ID=debian\nVERSION_ID="9"\nVERSION_CODENAME=stretch\n' },
        { type: 'file', path: 'var/lib/dpkg/status', content: status },
      ];
      image = await push(layoutOf([{ entries }]), 'scan-debian9:1');
    });

    it('reports CVE-2022-29824 for both binaries of source libxml2, with the DLA as alias and its fix', async () => {
      const run = await scanJson([image, '--advisories', sharedFixtures('osv')]);
      expect(run.code, run.stderr).toBe(0);
      const [result] = run.report.images;
      expect(Object.fromEntries(findingsByPackage(result!))).toEqual({ libxml2: ['CVE-2022-29824'], 'libxml2-utils': ['CVE-2022-29824'] });
      for (const finding of result!.findings) {
        expect(finding.aliases).toContain('DLA-3012-1');
        expect(finding.fixedVersions).toEqual(['2.9.4+dfsg1-2.2+deb9u7']);
        expect(finding.installedVersion).toBe('2.9.4+dfsg1-2.2+deb9u6');
        expect(finding.advisories.map((advisory) => [advisory.id, advisory.ecosystem, advisory.name])).toContainEqual(['DLA-3012-1', 'Debian:9', 'libxml2']);
      }
      // vlc's DSA-1543-1 is for Debian 4.0: another release's advisory never matches.
      expect(result!.findings.some((finding) => finding.package.name === 'vlc-data')).toBe(false);
      expect(result!.warnings.some((warning) => /debian 9 .*end of life/.test(warning))).toBe(true);
    });
  });

  describe('a debootstrap bookworm image', () => {
    let image: string;
    let advisories: DebianTestAdvisories;
    beforeAll(async () => {
      const rootfs = debianRootfs();
      const binaries = dpkgBinaries(rootfs);
      // Sources whose binaries carry other names: the case binary-name matching gets wrong.
      const sources = ['glibc', 'util-linux', 'ncurses'].filter((source) => binaries.some((binary) => binary.source === source && binary.name !== source));
      expect(sources.length).toBeGreaterThanOrEqual(2);
      advisories = writeDebianTestAdvisories(join(work, 'debian-advisories'), binaries, sources);
      umociImage(rootfs, join(work, 'bookworm'), 'latest');
      image = await push(join(work, 'bookworm'), 'scan-bookworm:1');
    }, 600_000);

    it('matches by source package: each advisory reports exactly the binaries dpkg says come from that source', async () => {
      const run = await scanJson([image, '--advisories', advisories.dir]);
      expect(run.code, run.stderr).toBe(0);
      const [result] = run.report.images;
      const reported = new Map<string, string[]>();
      for (const finding of result!.findings) reported.set(finding.id, [...(reported.get(finding.id) ?? []), finding.package.name].sort());
      expect(Object.fromEntries(reported)).toEqual(Object.fromEntries(advisories.expected));
      for (const id of advisories.notExpected) expect(reported.has(id)).toBe(false);
      for (const finding of result!.findings) expect(finding.advisories[0]!.ecosystem).toBe('Debian:12');
    });
  });

  describe('an Alpine 3.20 image (real installed database) with musl below its fix', () => {
    let image: string;
    beforeAll(async () => {
      const root = sharedFixtures('os', 'apk', 'alpine-3.20.3');
      const entries: TarInput[] = [
        { type: 'file', path: 'etc/os-release', content: readFileSync(join(root, 'etc', 'os-release')) },
        { type: 'file', path: 'lib/apk/db/installed', content: readFileSync(join(root, 'lib', 'apk', 'db', 'installed')) },
      ];
      image = await push(layoutOf([{ entries }]), 'scan-alpine:3.20');
    });

    it('reports CVE-2025-26519 for every package of origin musl, rated HIGH from its CVSS vector', async () => {
      const run = await scanJson([image, '--advisories', sharedFixtures('osv')]);
      expect(run.code, run.stderr).toBe(0);
      const [result] = run.report.images;
      expect(Object.fromEntries(findingsByPackage(result!))).toEqual({ musl: ['CVE-2025-26519'], 'musl-utils': ['CVE-2025-26519'] });
      for (const finding of result!.findings) {
        expect(finding.fixedVersions).toEqual(['1.2.5-r1']);
        expect(finding.aliases).toContain('ALPINE-CVE-2025-26519');
        expect(finding.severity).toMatchObject({ severity: 'HIGH', kind: 'cvss', score: 7 });
        expect(finding.advisories[0]!.ecosystem).toBe('Alpine:v3.20');
      }
      expect(result!.warnings.some((warning) => /alpine 3\.20.*end of life/.test(warning))).toBe(true);
    });
  });
});
