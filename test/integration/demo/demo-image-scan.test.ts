import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCleanDemoImage, buildDemoImage, demoAdvisoriesDir, type DemoImage } from '../../../lambdas/local/demo/demo-image.ts';
import { scanJson, type ScanJsonFinding } from '../../support/scan-report.ts';

/**
 * `customs scan` on the demo image against the shipped snapshot finds exactly the vulnerabilities the
 * snapshot was chosen for, with their fixes and severities; the clean variant (their fixed versions)
 * has none; and the pipeline's default policy (fail on CRITICAL) fails the one and passes the other.
 */
const work = mkdtempSync(join(tmpdir(), 'customs-demo-image-'));
const scanArgs = (image: DemoImage): string[] => [`oci:${image.layoutDir}:${image.tag}`, '--advisories', demoAdvisoriesDir()];

function summary(findings: readonly ScanJsonFinding[]): string[] {
  return findings
    .map((finding) => `${finding.package.name} ${finding.package.version} ${finding.id} [${finding.aliases.join(',')}] ${finding.fixedVersions.join(',')} ${finding.severity.severity}`)
    .sort();
}

describe('the demo image against the shipped advisory snapshot', () => {
  let demo: DemoImage;
  let clean: DemoImage;
  let policyFile: string;

  beforeAll(async () => {
    demo = await buildDemoImage(join(work, 'demo'));
    clean = await buildCleanDemoImage(join(work, 'clean'));
    policyFile = join(work, 'policies.json');
    // Every setting left to its default, as a stack deployed without customs.policies judges.
    writeFileSync(policyFile, JSON.stringify({ default: {} }));
  });

  it('finds exactly the snapshot’s vulnerabilities, by source package for Debian and by ecosystem for npm', async () => {
    const run = await scanJson(scanArgs(demo));
    expect(run.code, run.stderr).toBe(0);
    const [image, ...others] = run.report.images;
    expect(others).toEqual([]);
    expect(image!.distro).toMatchObject({ id: 'debian', versionId: '12' });
    expect(image!.warnings).toEqual([]);
    expect(image!.packages.map((pkg) => `${pkg.type}:${pkg.name}@${pkg.version}`).sort()).toEqual([
      'deb:base-files@12.4',
      'deb:bash@5.2.15-2+b2',
      'deb:coreutils@9.1-1',
      'deb:dpkg@1.21.22',
      'deb:libc-bin@2.36-9',
      'deb:libc6@2.36-9',
      'deb:libnode108@18.13.0+dfsg1-1',
      'deb:libssl3@3.0.9-1',
      'deb:nodejs@18.13.0+dfsg1-1',
      'deb:tzdata@2023c-5',
      'deb:zlib1g@1:1.2.13.dfsg-1',
      'npm:lodash@4.17.11',
      'npm:minimist@1.2.5',
    ]);
    expect(summary(image!.findings)).toEqual([
      'libc-bin 2.36-9 CVE-2023-4911 [DSA-5514-1] 2.36-9+deb12u3 HIGH',
      'libc6 2.36-9 CVE-2023-4911 [DSA-5514-1] 2.36-9+deb12u3 HIGH',
      'lodash 4.17.11 CVE-2019-10744 [GHSA-jf85-cpcp-j695] 4.17.12 CRITICAL',
      'lodash 4.17.11 CVE-2020-8203 [GHSA-p6mc-m468-83gw] 4.17.20 HIGH',
      'minimist 1.2.5 CVE-2021-44906 [GHSA-xvch-5gv4-984h] 1.2.6 CRITICAL',
    ]);
    // The Debian finding is rated by the vector in the record, not left UNKNOWN.
    expect(image!.findings.find((finding) => finding.package.name === 'libc6')!.severity).toMatchObject({ kind: 'cvss', score: 7.8 });
  });

  it('finds nothing in the clean variant, which holds the fixed versions', async () => {
    const run = await scanJson(scanArgs(clean));
    expect(run.code, run.stderr).toBe(0);
    const image = run.report.images[0]!;
    expect(image.packages.filter((pkg) => ['libc6', 'libc-bin', 'lodash', 'minimist'].includes(pkg.name)).map((pkg) => `${pkg.name}@${pkg.version}`).sort()).toEqual([
      'libc-bin@2.36-9+deb12u3',
      'libc6@2.36-9+deb12u3',
      'lodash@4.17.21',
      'minimist@1.2.8',
    ]);
    expect(image.findings).toEqual([]);
  });

  it('fails the default policy (CRITICAL) on the demo image and passes the clean one', async () => {
    const judge = (image: DemoImage) => scanJson([...scanArgs(image), '--policy', policyFile, '--repository', 'demo/app']);
    const failing = await judge(demo);
    expect([failing.code, failing.report.gate]).toEqual([1, { threshold: 'CRITICAL', failing: 2, passed: false }]);
    const passing = await judge(clean);
    expect([passing.code, passing.report.gate]).toEqual([0, { threshold: 'CRITICAL', failing: 0, passed: true }]);
  });
});
