import { parseDigest } from '../../lambdas/core/digest.ts';
import type { Finding, ImageFindings, VulnerabilityReport } from '../../lambdas/core/findings/model.ts';
import type { ImageSbom, Package } from '../../lambdas/core/sbom/model.ts';

/** Hand-made packages, findings and reports for renderer and policy tests (no image needed). */

export const SAMPLE_LAYER = parseDigest(`sha256:${'a'.repeat(64)}`);
export const SAMPLE_DIFF_ID = parseDigest(`sha256:${'b'.repeat(64)}`);

export function samplePackage(overrides: Partial<Package> = {}): Package {
  const name = overrides.name ?? 'libxml2';
  const version = overrides.version ?? '2.9.14+dfsg-1.3';
  const purl = overrides.purl ?? `pkg:deb/debian/${name}@${encodeURIComponent(version)}?arch=amd64&distro=debian-12`;
  return {
    id: purl,
    type: 'deb',
    name,
    version,
    architecture: 'amd64',
    source: { name, version },
    purl,
    location: { path: '/var/lib/dpkg/status', layerIndex: 0, layerDigest: SAMPLE_LAYER, layerDiffId: SAMPLE_DIFF_ID },
    cataloger: 'dpkg-database',
    ...overrides,
  };
}

export function sampleFinding(overrides: Partial<Finding> = {}): Finding {
  const pkg = overrides.package ?? samplePackage();
  return {
    id: 'CVE-2024-25062',
    aliases: ['DEBIAN-CVE-2024-25062'],
    package: pkg,
    installedVersion: pkg.source?.version ?? pkg.version,
    fixedVersions: ['2.9.14+dfsg-1.3~deb12u1'],
    severity: { severity: 'HIGH', kind: 'cvss', source: 'CVSS_V3', record: 'DEBIAN-CVE-2024-25062', score: 7.5, vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H' },
    title: 'use-after-free in xmlValidatePopElement',
    references: [{ type: 'ADVISORY', url: 'https://security-tracker.debian.org/tracker/CVE-2024-25062' }],
    advisories: [{ id: 'DEBIAN-CVE-2024-25062', ecosystem: 'Debian:12', name: pkg.source?.name ?? pkg.name, fixedVersions: ['2.9.14+dfsg-1.3~deb12u1'], modified: '2025-01-01T00:00:00Z' }],
    published: '2024-02-04T00:00:00Z',
    ...overrides,
  };
}

export function sampleImageSbom(packages: readonly Package[] = [samplePackage()], overrides: Partial<ImageSbom> = {}): ImageSbom {
  return {
    reference: 'registry.example/team/app:1.0',
    repository: 'registry.example/team/app',
    tag: '1.0',
    platform: { os: 'linux', architecture: 'amd64' },
    manifestDigest: parseDigest(`sha256:${'c'.repeat(64)}`),
    configDigest: parseDigest(`sha256:${'d'.repeat(64)}`),
    distro: { id: 'debian', versionId: '12', codename: 'bookworm', prettyName: 'Debian GNU/Linux 12 (bookworm)', source: '/etc/os-release' },
    layers: [{ index: 0, digest: SAMPLE_LAYER, diffId: SAMPLE_DIFF_ID, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', size: 1024, status: 'read' }],
    packages,
    warnings: [],
    ...overrides,
  };
}

export function sampleImageFindings(findings: readonly Finding[] = [sampleFinding()], overrides: Partial<ImageFindings> = {}): ImageFindings {
  const packages = [...new Map(findings.map((finding) => [finding.package.id, finding.package])).values()];
  return { sbom: sampleImageSbom(packages), findings, suppressed: [], warnings: [], ...overrides };
}

export function sampleReport(images: readonly ImageFindings[] = [sampleImageFindings()], overrides: Partial<VulnerabilityReport> = {}): VulnerabilityReport {
  return {
    reference: images[0]?.sbom.reference ?? 'registry.example/team/app:1.0',
    images,
    advisories: { sources: ['osv'], loaded: 1, withdrawn: 0, malformed: 0 },
    warnings: [],
    ...overrides,
  };
}
