import { parseDigest } from '../../lambdas/core/digest.ts';
import type { Finding, ImageFindings, Suppression, VulnerabilityReport } from '../../lambdas/core/findings/model.ts';
import type { RawFinding } from '../../lambdas/core/pipeline/model.ts';
import { toRawFinding } from '../../lambdas/core/pipeline/raw-findings.ts';
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

/** A VEX `not_affected` suppression unless overridden. */
export function sampleSuppression(finding: Finding = sampleFinding(), overrides: Partial<Suppression> = {}): Suppression {
  return {
    finding,
    by: 'vex',
    reason: 'vulnerable_code_not_in_execute_path: the image never parses untrusted XML',
    vex: { status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path', document: 'vex/app.openvex.json' },
    ...overrides,
  };
}

/** An OpenSSL library package built from another source package, for the "(from source …)" cases. */
function sampleLibssl(arch: string): Package {
  return samplePackage({
    name: 'libssl3',
    version: '3.0.11-1~deb12u2',
    architecture: arch,
    source: { name: 'openssl', version: '3.0.11-1~deb12u1' },
    purl: `pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=${arch}&distro=debian-12`,
  });
}

/** Findings on one platform: the same CVE in two packages, a CRITICAL CVSS 4.0 one, an unrated unfixed one, a language package. */
function sampleFindingsFor(arch: string): { findings: Finding[]; packages: Package[] } {
  const libxml2 = samplePackage({ architecture: arch, purl: `pkg:deb/debian/libxml2@2.9.14%2Bdfsg-1.3?arch=${arch}&distro=debian-12` });
  const libssl = sampleLibssl(arch);
  const openssl = samplePackage({ name: 'openssl', version: '3.0.11-1~deb12u1', architecture: arch, purl: `pkg:deb/debian/openssl@3.0.11-1~deb12u1?arch=${arch}&distro=debian-12` });
  // Same purl on every platform: the shared-id case for nested bom-refs and SPDXIDs.
  const lodash = samplePackage({
    type: 'npm',
    name: 'lodash',
    version: '4.17.20',
    architecture: undefined,
    source: undefined,
    purl: 'pkg:npm/lodash@4.17.20',
    location: { path: '/srv/my app/node_modules/lodash/package.json', layerIndex: 0, layerDigest: SAMPLE_LAYER, layerDiffId: SAMPLE_DIFF_ID },
    cataloger: 'npm-package',
  });
  const opensslCve = (pkg: Package): Finding =>
    sampleFinding({
      id: 'CVE-2024-0727',
      aliases: ['DEBIAN-CVE-2024-0727', 'GHSA-9v9h-cgj8-h64p'],
      package: pkg,
      installedVersion: '3.0.11-1~deb12u1',
      fixedVersions: ['3.0.13-1~deb12u1'],
      severity: { severity: 'MEDIUM', kind: 'distribution', source: 'Debian urgency', record: 'DEBIAN-CVE-2024-0727' },
      title: 'PKCS12 NULL dereference',
      description: 'Processing a maliciously formatted PKCS12 file may lead OpenSSL to crash.',
      references: [
        { type: 'WEB', url: 'https://www.openssl.org/news/secadv/20240125.txt' },
        { type: 'ADVISORY', url: 'https://security-tracker.debian.org/tracker/CVE-2024-0727' },
      ],
      advisories: [{ id: 'DEBIAN-CVE-2024-0727', ecosystem: 'Debian:12', name: 'openssl', fixedVersions: ['3.0.13-1~deb12u1'], modified: '2025-01-01T00:00:00Z' }],
      published: '2024-01-26T09:15:00Z',
    });
  const findings = [
    sampleFinding({
      id: 'GHSA-29mw-wpgm-hmr9',
      aliases: ['CVE-2020-28500'],
      package: lodash,
      installedVersion: '4.17.20',
      fixedVersions: ['4.17.21'],
      severity: { severity: 'CRITICAL', kind: 'cvss', source: 'CVSS_V4 (GHSA-29mw-wpgm-hmr9)', record: 'GHSA-29mw-wpgm-hmr9', score: 9.3, vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N' },
      title: 'Regular expression denial of service in lodash',
      references: [{ type: 'ADVISORY', url: 'https://github.com/advisories/GHSA-29mw-wpgm-hmr9' }],
      advisories: [{ id: 'GHSA-29mw-wpgm-hmr9', ecosystem: 'npm', name: 'lodash', fixedVersions: ['4.17.21'], modified: '2025-01-01T00:00:00Z' }],
      published: '2021-02-15T11:15:12.000Z',
    }),
    sampleFinding({ package: libxml2 }),
    opensslCve(libssl),
    opensslCve(openssl),
    sampleFinding({
      id: 'CVE-2023-5678',
      aliases: [],
      package: libssl,
      installedVersion: '3.0.11-1~deb12u1',
      fixedVersions: [],
      severity: { severity: 'UNKNOWN', kind: 'none' },
      title: undefined,
      references: [],
      advisories: [{ id: 'CVE-2023-5678', ecosystem: 'Debian:12', name: 'openssl', fixedVersions: [], modified: '2025-01-01T00:00:00Z' }],
      published: undefined,
    }),
  ];
  return { findings, packages: [libxml2, libssl, openssl, lodash] };
}

/** The reports the SARIF, SPDX and CycloneDX renderers are checked against. */
export function sampleReportCases(): Record<'single' | 'multiPlatform' | 'withoutFindings' | 'suppressed' | 'noImages', VulnerabilityReport> {
  const image = (arch: string, digit: string): ImageFindings => {
    const { findings, packages } = sampleFindingsFor(arch);
    const sbom = sampleImageSbom(packages, {
      platform: { os: 'linux', architecture: arch },
      manifestDigest: parseDigest(`sha256:${digit.repeat(64)}`),
      indexDigest: parseDigest(`sha256:${'e'.repeat(64)}`),
    });
    return { sbom, findings, suppressed: [], warnings: [] };
  };
  const single = image('amd64', 'c');
  const [lodash, libxml2, libsslCve, opensslCve, unrated] = single.findings;
  const suppressed: ImageFindings = {
    ...single,
    findings: [lodash!, libxml2!],
    suppressed: [
      sampleSuppression(libsslCve!),
      sampleSuppression(unrated!, {
        reason: 'the attacker cannot reach the DH code',
        vex: { status: 'not_affected', justification: 'vulnerable_code_cannot_be_controlled_by_adversary', document: 'vex/app.openvex.json' },
      }),
      sampleSuppression(opensslCve!, { by: 'ignore', reason: 'accepted until the base image moves', vex: undefined, expires: '2030-01-01' }),
    ],
  };
  return {
    single: sampleReport([single]),
    multiPlatform: sampleReport([image('amd64', 'c'), image('arm64', 'f')]),
    withoutFindings: sampleReport([{ ...single, findings: [], suppressed: [] }]),
    suppressed: sampleReport([suppressed]),
    noImages: sampleReport([], { reference: 'registry.example/team/empty:1.0' }),
  };
}

/**
 * The PyPI package Jinja2 as Debian's python3-jinja2 installs it, and that deb: the owned and the
 * owner, in that order.
 */
export function sampleOwnedPackages(): [owned: Package, owner: Package] {
  const owner = samplePackage({ name: 'python3-jinja2', version: '3.1.2-1+deb12u1', architecture: 'all', source: { name: 'jinja2', version: '3.1.2-1+deb12u1' } });
  const owned = samplePackage({
    type: 'pypi',
    name: 'Jinja2',
    version: '3.1.2',
    architecture: undefined,
    source: undefined,
    purl: 'pkg:pypi/jinja2@3.1.2',
    location: { path: 'usr/lib/python3/dist-packages/Jinja2-3.1.2.egg-info', layerIndex: 0, layerDigest: SAMPLE_LAYER, layerDiffId: SAMPLE_DIFF_ID },
    cataloger: 'python-installed',
    owner: { id: owner.id, name: owner.name, type: 'deb' },
  });
  return [owned, owner];
}

/** CVE-2023-4911 (glibc's ld.so, "Looney Tunables") in Debian 12's libc6 as the scanner stores it: HIGH by Debian's urgency, fixed in 2.36-9+deb12u3. */
export function glibcRawFinding(): RawFinding {
  const pkg = samplePackage({ name: 'libc6', version: '2.36-9+deb12u1', source: { name: 'glibc', version: '2.36-9+deb12u1' } });
  return toRawFinding(
    sampleFinding({
      id: 'CVE-2023-4911',
      aliases: ['DEBIAN-CVE-2023-4911'],
      package: pkg,
      severity: { severity: 'HIGH', kind: 'distribution', source: 'Debian urgency' },
      fixedVersions: ['2.36-9+deb12u3'],
      advisories: [{ id: 'DEBIAN-CVE-2023-4911', ecosystem: 'Debian:12', name: 'glibc', fixedVersions: ['2.36-9+deb12u3'], modified: '2023-10-03T18:15:00Z' }],
    }),
  );
}
