import { describe, expect, it } from 'vitest';
import { findingKey, toRawFinding } from '../../../../lambdas/core/pipeline/raw-findings.ts';
import { packageRefs } from '../../../../lambdas/core/pipeline/package-refs.ts';
import { sampleFinding, sampleImageSbom, samplePackage } from '../../../support/sample-findings.ts';

describe('raw findings', () => {
  it('keeps what verdicts, alerts and rescans need, keyed by vulnerability and package', () => {
    const finding = sampleFinding();
    const raw = toRawFinding(finding);
    expect(raw).toEqual({
      key: `CVE-2024-25062|${finding.package.id}`,
      id: 'CVE-2024-25062',
      aliases: ['DEBIAN-CVE-2024-25062'],
      package: { id: finding.package.id, purl: finding.package.purl, name: 'libxml2', version: '2.9.14+dfsg-1.3', type: 'deb', path: '/var/lib/dpkg/status', layerIndex: 0 },
      installedVersion: '2.9.14+dfsg-1.3',
      fixedVersions: ['2.9.14+dfsg-1.3~deb12u1'],
      severity: finding.severity,
      advisories: finding.advisories,
      published: finding.published,
      title: finding.title,
    });
    expect(findingKey(finding)).toBe(raw.key);
  });

  it('indexes packages by the ecosystem and name advisories use: the source package on Debian', () => {
    const sbom = sampleImageSbom([
      samplePackage({ name: 'libcurl4', source: { name: 'curl', version: '7.88.1-10' } }),
      samplePackage({ name: 'curl', source: { name: 'curl', version: '7.88.1-10' } }),
      samplePackage({ name: 'lodash', type: 'npm', version: '4.17.15', purl: 'pkg:npm/lodash@4.17.15', id: 'pkg:npm/lodash@4.17.15#/app' }),
    ]);
    expect(packageRefs(sbom)).toEqual([
      { ecosystem: 'Debian:12', name: 'curl' },
      { ecosystem: 'npm', name: 'lodash' },
    ]);
  });
});
