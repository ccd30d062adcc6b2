import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../support/paths.ts';

interface DemoReport {
  images: Array<{
    platform: { os: string; architecture: string };
    distro: { id: string; versionId: string };
    packages: Array<{ name: string; location: { layerIndex: number } }>;
    findings: Array<{ id: string; aliases: string[]; package: { name: string }; fixedVersions: string[]; severity: { severity: string; kind: string } }>;
  }>;
}

describe('npm run demo (the README quick start)', () => {
  it('builds the demo image and scans it against the shipped snapshot of real advisories', () => {
    const output = execFileSync('npm', ['run', '--silent', 'demo', '--', '--format', 'json'], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const report = JSON.parse(output) as DemoReport;
    expect(report.images.map((image) => `${image.platform.os}/${image.platform.architecture}`)).toEqual(['linux/amd64']);
    const image = report.images[0]!;
    expect(image.distro).toMatchObject({ id: 'debian', versionId: '12' });
    expect(image.packages).toHaveLength(13);
    // The Debian base is the first layer; nodejs and the npm application came with the second.
    expect(image.packages.find((pkg) => pkg.name === 'libc6')!.location.layerIndex).toBe(0);
    expect(image.packages.find((pkg) => pkg.name === 'nodejs')!.location.layerIndex).toBe(1);
    expect(image.packages.find((pkg) => pkg.name === 'lodash')!.location.layerIndex).toBe(1);
    // Debian's advisory names the source package: glibc's reaches libc6 and libc-bin.
    const found = image.findings.map((finding) => `${finding.package.name} ${finding.id} ${finding.aliases.join(',')} ${finding.fixedVersions.join(',') || '-'} ${finding.severity.severity}`).sort();
    expect(found).toEqual([
      'libc-bin CVE-2023-4911 DSA-5514-1 2.36-9+deb12u3 HIGH',
      'libc6 CVE-2023-4911 DSA-5514-1 2.36-9+deb12u3 HIGH',
      'lodash CVE-2019-10744 GHSA-jf85-cpcp-j695 4.17.12 CRITICAL',
      'lodash CVE-2020-8203 GHSA-p6mc-m468-83gw 4.17.20 HIGH',
      'minimist CVE-2021-44906 GHSA-xvch-5gv4-984h 1.2.6 CRITICAL',
    ]);
  });

  it('fails the gate when asked to, with exit code 1', () => {
    let status = 0;
    try {
      execFileSync('npm', ['run', '--silent', 'demo', '--', '--format', 'json', '--fail-on', 'CRITICAL'], { cwd: repoRoot, stdio: 'ignore' });
    } catch (error) {
      status = (error as { status: number }).status;
    }
    expect(status).toBe(1);
  });
});
