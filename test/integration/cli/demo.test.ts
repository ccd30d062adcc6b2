import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../support/paths.ts';

interface DemoReport {
  images: Array<{
    platform: { architecture: string };
    distro: { id: string };
    packages: Array<{ name: string; location: { layerIndex: number } }>;
    findings: Array<{ id: string; package: { name: string }; fixedVersions: string[]; severity: { severity: string; kind: string } }>;
  }>;
}

describe('npm run demo (the README quick start)', () => {
  it('builds the sample image and scans both platforms against the demo advisories', () => {
    const output = execFileSync('npm', ['run', '--silent', 'demo', '--', '--format', 'json'], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const report = JSON.parse(output) as DemoReport;
    expect(report.images.map((image) => image.platform.architecture)).toEqual(['amd64', 'arm64']);
    for (const image of report.images) {
      expect(image.distro.id).toBe('debian');
      expect(image.packages).toHaveLength(12);
      expect(image.packages.find((pkg) => pkg.name === 'curl')!.location.layerIndex).toBe(1);
      expect(image.packages.find((pkg) => pkg.name === 'libc6')!.location.layerIndex).toBe(0);
      // Debian records name the source package: curl's advisory reaches libcurl4 too, glibc's reaches libc6.
      const found = image.findings.map((finding) => `${finding.package.name} ${finding.id} ${finding.fixedVersions.join(',') || '-'} ${finding.severity.severity}`).sort();
      expect(found).toEqual([
        'curl CVE-2099-0001 7.88.1-10+deb12u14 MEDIUM',
        'curl CVE-2099-0002 7.88.1-10+deb12u14 MEDIUM',
        'demo-lib CVE-2099-0004 1.2.4 CRITICAL',
        'libc6 CVE-2099-0003 - LOW',
        'libcurl4 CVE-2099-0001 7.88.1-10+deb12u14 MEDIUM',
        'libcurl4 CVE-2099-0002 7.88.1-10+deb12u14 MEDIUM',
      ]);
    }
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
