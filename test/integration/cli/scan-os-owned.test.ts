import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { TarInput } from '../../../tools/image-builder/tar-writer.ts';
import { umociImage } from '../../support/debian-rootfs.ts';
import { layoutOf } from '../../support/layout.ts';
import { sharedFixtures } from '../../support/paths.ts';
import { runCli } from '../../support/cli.ts';
import { pythonRootfs } from '../../support/python-rootfs.ts';
import { scanJson, type ScanJsonFinding, type ScanJsonImage } from '../../support/scan-report.ts';
import { skopeoCopy } from '../../support/skopeo.ts';

/**
 * Language packages an OS package installed are left to the distribution's advisories: with the
 * real PyPI records, a debootstrap image's python3-* modules get no PyPI finding while a pip-style
 * copy in /usr/local does; --match-os-owned brings the naive matching back, which shows the same
 * records would have hit them. The same for Alpine (apk F:/R: ownership) and rpm (Amazon Linux 2023
 * file lists).
 */
const PYPI = ['--advisories', sharedFixtures('osv-corpus', 'PyPI'), '--advisories', sharedFixtures('osv', 'PyPI')];
const metadata = (name: string, version: string): string => `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n`;
const pypiFindings = (image: ScanJsonImage): ScanJsonFinding[] => image.findings.filter((finding) => finding.package.type === 'pypi');
const pathsOf = (findings: readonly ScanJsonFinding[]): string[] => [...new Set(findings.map((finding) => finding.package.path))].sort();

describe('OS-owned language packages in customs scan', () => {
  const registry = inject('registryHost');
  const work = mkdtempSync(join(tmpdir(), 'customs-os-owned-'));

  // Its three tests each run their own CLI process on the one pushed image: side by side.
  describe.concurrent('debootstrap bookworm with python3-jinja2, -requests, -urllib3, -yaml and -six, plus a pip-installed urllib3', () => {
    const image = `${registry}/customs/python-owned:1`;
    const local = 'usr/local/lib/python3.11/dist-packages/urllib3-1.26.5.dist-info/METADATA';

    beforeAll(async () => {
      const layout = join(work, 'debian');
      umociImage(pythonRootfs(), layout, 'latest');
      // A second layer, as `pip install` into /usr/local would add: no OS package lists it.
      const extra = join(work, 'pip-layer');
      mkdirSync(dirname(join(extra, local)), { recursive: true });
      writeFileSync(join(extra, local), metadata('urllib3', '1.26.5'));
      // `umoci raw add-layer`, not `umoci insert`: umoci 0.4's insert leaves small layers without the
      // tar padding and end blocks, which Customs (like GNU tar) rightly refuses as truncated.
      execFileSync('tar', ['-C', extra, '-cf', join(work, 'pip-layer.tar'), 'usr']);
      execFileSync('umoci', ['raw', 'add-layer', '--image', `${layout}:latest`, join(work, 'pip-layer.tar')], { stdio: 'pipe' });
      await skopeoCopy(`oci:${layout}:latest`, `docker://${image}`);
    }, 600_000);

    it('reports PyPI findings only for the copy no OS package owns, under its GHSA and PYSEC records', async () => {
      const run = await scanJson([image, ...PYPI]);
      expect(run.code, run.stderr).toBe(0);
      const findings = pypiFindings(run.report.images[0]!);
      expect(pathsOf(findings)).toEqual([local]);
      const records = findings.flatMap((finding) => finding.advisories.map((advisory) => advisory.id));
      expect(records.some((id) => id.startsWith('GHSA-'))).toBe(true);
      expect(records.some((id) => id.startsWith('PYSEC-'))).toBe(true);
    });

    it('matches the dpkg-owned modules too with --match-os-owned, so the default is what kept them out', async () => {
      const run = await scanJson([image, ...PYPI, '--match-os-owned']);
      const owned = pypiFindings(run.report.images[0]!).filter((finding) => finding.package.path.startsWith('usr/lib/python3/dist-packages/'));
      // Bookworm's jinja2 3.1.2, requests 2.28.1 and urllib3 1.26.12 are all below GHSA fixes.
      expect([...new Set(owned.map((finding) => finding.package.name.toLowerCase()))]).toEqual(expect.arrayContaining(['jinja2', 'requests', 'urllib3']));
      expect(owned.every((finding) => finding.package.owner?.type === 'deb')).toBe(true);
    });

    it('says in the SBOM table which OS package installed each module', async () => {
      const run = await runCli(['sbom', image, '--format', 'table', '--quiet']);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/Jinja2 .*installed by python3-jinja2 \(dpkg\)/);
      expect(run.stdout).toMatch(/urllib3 .*installed by python3-urllib3 \(dpkg\)/);
    });
  });

  describe('Alpine 3.20 with py3-urllib3 owning its dist-info', () => {
    let image: string;
    const owned = 'usr/lib/python3.12/site-packages/urllib3-1.26.5.dist-info/METADATA';
    const unowned = 'usr/local/lib/python3.12/site-packages/urllib3-1.26.5.dist-info/METADATA';

    beforeAll(async () => {
      const root = sharedFixtures('os', 'apk', 'alpine-3.20.3');
      const stanza = ['P:py3-urllib3', 'V:1.26.5-r0', 'A:noarch', 'o:py3-urllib3', `F:${dirname(owned)}`, 'R:METADATA', ''].join('\n');
      const installed = `${readFileSync(join(root, 'lib', 'apk', 'db', 'installed'), 'utf8').trimEnd()}\n\n${stanza}\n`;
      const entries: TarInput[] = [
        { type: 'file', path: 'etc/os-release', content: readFileSync(join(root, 'etc', 'os-release')) },
        { type: 'file', path: 'lib/apk/db/installed', content: installed },
        { type: 'file', path: owned, content: metadata('urllib3', '1.26.5') },
        { type: 'file', path: unowned, content: metadata('urllib3', '1.26.5') },
      ];
      image = `${registry}/customs/alpine-owned:1`;
      await skopeoCopy(`oci:${layoutOf([{ entries }])}:latest`, `docker://${image}`);
    });

    it('matches only the unowned copy against PyPI records, and both with --match-os-owned', async () => {
      const [run, naive] = await Promise.all([scanJson([image, ...PYPI]), scanJson([image, ...PYPI, '--match-os-owned'])]);
      expect(run.code, run.stderr).toBe(0);
      expect(pathsOf(pypiFindings(run.report.images[0]!))).toEqual([unowned]);
      const findings = pypiFindings(naive.report.images[0]!);
      expect(pathsOf(findings)).toEqual([owned, unowned]);
      expect(findings.find((finding) => finding.package.path === owned)!.package.owner).toMatchObject({ name: 'py3-urllib3', type: 'apk' });
    });
  });

  describe('Amazon Linux 2023 with python3-libcomps owning its egg-info (real rpm database)', () => {
    let image: string;
    let advisories: string;
    const owned = 'usr/lib64/python3.9/site-packages/libcomps-0.1.18-py3.9.egg-info/PKG-INFO';
    const unowned = 'usr/local/lib/python3.9/site-packages/libcomps-0.1.18.dist-info/METADATA';

    beforeAll(async () => {
      // No real PyPI record names libcomps, so the test writes one; the rpm ownership is real.
      advisories = join(work, 'libcomps-advisories');
      mkdirSync(advisories, { recursive: true });
      const record = { schema_version: '1.6.0', id: 'PYSEC-2099-1', modified: '2026-01-01T00:00:00Z', summary: 'test record', affected: [{ package: { ecosystem: 'PyPI', name: 'libcomps' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '0.1.19' }] }] }] };
      writeFileSync(join(advisories, 'PYSEC-2099-1.json'), JSON.stringify(record));
      const entries: TarInput[] = [
        { type: 'file', path: 'etc/os-release', content: readFileSync(sharedFixtures('os', 'os-release', 'amazonlinux-2023.os-release')) },
        { type: 'file', path: 'var/lib/rpm/rpmdb.sqlite', content: readFileSync(sharedFixtures('os', 'rpm', 'real', 'amazonlinux2023-sqlite', 'rpmdb.sqlite')) },
        { type: 'file', path: owned, content: metadata('libcomps', '0.1.18') },
        { type: 'file', path: unowned, content: metadata('libcomps', '0.1.18') },
      ];
      image = `${registry}/customs/rpm-owned:1`;
      await skopeoCopy(`oci:${layoutOf([{ entries }])}:latest`, `docker://${image}`);
    });

    it('matches only the unowned copy, and both with --match-os-owned', async () => {
      const [run, naive] = await Promise.all([scanJson([image, '--advisories', advisories]), scanJson([image, '--advisories', advisories, '--match-os-owned'])]);
      expect(run.code, run.stderr).toBe(0);
      expect(pathsOf(pypiFindings(run.report.images[0]!))).toEqual([unowned]);
      const findings = pypiFindings(naive.report.images[0]!);
      expect(pathsOf(findings)).toEqual([owned, unowned]);
      expect(findings.find((finding) => finding.package.path === owned)!.package.owner).toMatchObject({ name: 'python3-libcomps', type: 'rpm' });
    });
  });
});
