import { describe, expect, it } from 'vitest';
import { Ajv, type AnySchemaObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { Finding, VulnerabilityReport } from '../../../../lambdas/core/findings/model.ts';
import { renderSbomJson } from '../../../../lambdas/core/report/sbom-json.ts';
import { renderScanJson } from '../../../../lambdas/core/report/scan-json.ts';
import { describeErrors } from '../../../support/cyclonedx-schema.ts';
import { sampleFinding, sampleImageFindings, sampleImageSbom, sampleOwnedPackages, samplePackage, sampleReport } from '../../../support/sample-findings.ts';
import scanSchema from '../../../../lambdas/core/report/customs-scan.schema.json' with { type: 'json' };
import sbomSchema from '../../../../lambdas/core/report/customs-sbom.schema.json' with { type: 'json' };
import { GENERATED_AT, TOOL } from './scan-results.ts';

const META = { tool: TOOL, generatedAt: GENERATED_AT };

/** Strict mode, so a typo'd keyword in the schema is an error rather than silently ignored. */
function compile(schema: AnySchemaObject): ValidateFunction {
  const ajv = new Ajv({ strict: true, allErrors: true });
  addFormats.default(ajv);
  return ajv.compile(schema);
}

/**
 * The published schema lets consumers meet unknown fields; this copy forbids them, so a field the
 * renderer emits without documenting it in the schema fails the test.
 */
function closed(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(closed);
  if (typeof node !== 'object' || node === null) return node;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    copy[key] = key === 'properties' ? Object.fromEntries(Object.entries(value as object).map(([name, child]) => [name, closed(child)])) : closed(value);
  }
  if ('properties' in node) copy.additionalProperties = false;
  return copy;
}

const validate = compile(scanSchema as AnySchemaObject);
const validateClosed = compile(closed(scanSchema) as AnySchemaObject);

const OPENSSL = samplePackage({ name: 'openssl', version: '3.0.11-1~deb12u2' });
const ZLIB = samplePackage({ name: 'zlib1g', version: '1:1.2.13.dfsg-1', source: { name: 'zlib', version: '1:1.2.13.dfsg-1' } });

const critical = sampleFinding({
  id: 'CVE-2024-5535',
  aliases: ['DSA-5700-1', 'DEBIAN-CVE-2024-5535'],
  package: OPENSSL,
  installedVersion: OPENSSL.version,
  severity: { severity: 'CRITICAL', kind: 'distribution', source: 'Debian urgency', record: 'DEBIAN-CVE-2024-5535' },
  description: 'SSL_select_next_proto buffer overread',
});
const unfixed = sampleFinding({
  id: 'CVE-2023-45853',
  aliases: [],
  package: ZLIB,
  installedVersion: '1:1.2.13.dfsg-1',
  fixedVersions: [],
  severity: { severity: 'LOW', kind: 'database', source: 'GHSA database_specific', record: 'GHSA-xxxx' },
  advisories: [
    { id: 'DEBIAN-CVE-2023-45853', ecosystem: 'Debian:12', name: 'zlib', fixedVersions: [], modified: '2025-01-01T00:00:00Z' },
    { id: 'CVE-2023-45853', ecosystem: 'Debian:12', name: 'zlib', fixedVersions: [], modified: '2024-12-01T00:00:00Z' },
  ],
});
const unrated = sampleFinding({ id: 'CVE-2025-0001', package: ZLIB, severity: { severity: 'UNKNOWN', kind: 'none' }, title: undefined, published: undefined });

function suppressedReport(): VulnerabilityReport {
  const image = sampleImageFindings([sampleFinding(), unfixed], {
    suppressed: [
      { finding: critical, by: 'vex', reason: 'vulnerable_code_not_in_execute_path', vex: { status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path', document: 'vex/app.openvex.json' } },
      { finding: unrated, by: 'ignore', reason: 'accepted until the base image moves', expires: '2025-06-30' },
    ],
    warnings: ['debian 12 reaches end of life on 2026-06-10'],
  });
  return sampleReport([image], { warnings: ['ignore entry CVE-2020-0001 expired on 2024-01-01'] });
}

function multiImageReport(): VulnerabilityReport {
  const amd64 = sampleImageFindings([unfixed, critical, sampleFinding()]);
  const arm64 = sampleImageFindings([critical], { sbom: sampleImageSbom([OPENSSL], { platform: { os: 'linux', architecture: 'arm', variant: 'v7' }, indexDigest: amd64.sbom.manifestDigest }) });
  return sampleReport([amd64, arm64], {
    failures: [{ platform: { os: 'linux', architecture: 's390x' }, code: 'digest-mismatch', message: 'layer 2 does not match its digest' }],
  });
}

const gated = (passed: boolean): VulnerabilityReport => sampleReport(undefined, { gate: { threshold: 'HIGH', failing: passed ? 0 : 1, passed } });

interface ScanDocument {
  schemaVersion: number;
  gate?: { threshold: string; failing: number; passed: boolean };
  failures: unknown[];
  images: {
    packages: { id: string; name: string }[];
    summary: { findings: number; bySeverity: Record<string, number>; withoutFix: number; suppressed: number };
    findings: (Record<string, unknown> & { id: string; package: Record<string, unknown>; severity: Record<string, unknown>; fixState: string })[];
    suppressed: { finding: { id: string }; by: string; reason: string; vex?: object; expires?: string }[];
    warnings: string[];
    [key: string]: unknown;
  }[];
  [key: string]: unknown;
}

function render(report: VulnerabilityReport): ScanDocument {
  return JSON.parse(renderScanJson(report, META)) as ScanDocument;
}

describe('renderScanJson', () => {
  it.each([
    ['one finding', sampleReport()],
    ['no findings', sampleReport([sampleImageFindings([])])],
    ['no images', sampleReport([])],
    ['several images and a failure', multiImageReport()],
    ['suppressions and warnings', suppressedReport()],
    ['a failed gate', gated(false)],
    ['a passed gate', gated(true)],
  ])('matches the documented schema in strict mode: %s', (_name, report) => {
    const document = render(report);
    expect(describeErrors(validate(document) ? null : validate.errors)).toEqual([]);
    expect(describeErrors(validateClosed(document) ? null : validateClosed.errors)).toEqual([]);
  });

  it('is rejected by the schema when broken, so the validator is not vacuous', () => {
    const good = render(multiImageReport());
    expect(validate(good)).toBe(true);
    const breakages: ((document: ScanDocument) => void)[] = [
      (document) => (document.schemaVersion = 2),
      (document) => (document.images[0]!.findings[0]!.fixState = 'maybe'),
      (document) => (document.images[0]!.findings[0]!.severity.severity = 'SEVERE'),
      (document) => (document.images[0]!.findings[0]!.package.layerDigest = 'sha256:abc'),
      (document) => delete document.images[0]!.summary.bySeverity.UNKNOWN,
      (document) => delete document.images[0]!.findings[0]!.package.id,
      (document) => Reflect.deleteProperty(document, 'failures'),
    ];
    for (const breakage of breakages) {
      const broken = structuredClone(good);
      breakage(broken);
      expect(validate(broken)).toBe(false);
    }
  });

  it('shares the SBOM schema definitions for what both formats describe', () => {
    const scan = scanSchema.definitions;
    const sbom = sbomSchema.definitions;
    for (const name of ['digest', 'distro', 'layer', 'package'] as const) expect(scan[name]).toEqual(sbom[name]);
    expect(scan.platform).toEqual(sbom.image.properties.platform);
    const sbomImage = Object.entries(sbom.image.properties).filter(([key]) => key !== 'platform' && key !== 'warnings');
    for (const [key, value] of sbomImage) expect(scan.image.properties).toHaveProperty(key, value);
  });

  it('describes each image exactly as the SBOM JSON does, then adds its findings', () => {
    const report = multiImageReport();
    const sbom = JSON.parse(renderSbomJson({ reference: report.reference, images: report.images.map((image) => image.sbom) }, META)) as { images: Record<string, unknown>[] };
    const scan = render(report);
    scan.images.forEach((image, index) => {
      const { warnings: _warnings, ...inventory } = sbom.images[index]!;
      expect(Object.keys(image)).toEqual([...Object.keys(inventory), 'summary', 'findings', 'suppressed', 'warnings']);
      for (const [key, value] of Object.entries(inventory)) expect(image[key]).toEqual(value);
    });
  });

  it('writes the envelope in a fixed order, pretty-printed with a trailing newline', () => {
    const text = renderScanJson(gated(false), META);
    expect(text.startsWith('{\n  "schema": "customs.scan",\n  "schemaVersion": 1,\n')).toBe(true);
    expect(text.endsWith('\n}\n')).toBe(true);
    const document = JSON.parse(text) as ScanDocument;
    expect(Object.keys(document)).toEqual(['schema', 'schemaVersion', 'generator', 'generatedAt', 'reference', 'advisories', 'gate', 'warnings', 'failures', 'images']);
    expect(document.generator).toEqual(TOOL);
    expect(document.generatedAt).toBe('2025-01-02T03:04:05.678Z');
    expect(document.gate).toEqual({ threshold: 'HIGH', failing: 1, passed: false });
    expect(document.advisories).toEqual({ sources: ['osv'], loaded: 1, withdrawn: 0, malformed: 0 });
  });

  it('carries fix state, severity source and the package reference through', () => {
    const image = render(multiImageReport()).images[0]!;
    expect(image.findings.map((finding) => [finding.id, finding.fixState])).toEqual([
      ['CVE-2024-5535', 'fixed'],
      ['CVE-2024-25062', 'fixed'],
      ['CVE-2023-45853', 'not-fixed'],
    ]);
    const [first, , last] = image.findings;
    expect(first!.severity).toEqual({ severity: 'CRITICAL', kind: 'distribution', source: 'Debian urgency', record: 'DEBIAN-CVE-2024-5535' });
    expect(first!.aliases).toEqual(['DEBIAN-CVE-2024-5535', 'DSA-5700-1']);
    expect(first!.description).toBe('SSL_select_next_proto buffer overread');
    expect(last!.fixedVersions).toEqual([]);
    expect(last!.severity).toMatchObject({ severity: 'LOW', kind: 'database', source: 'GHSA database_specific' });
    expect((last!.advisories as { id: string }[]).map((advisory) => advisory.id)).toEqual(['CVE-2023-45853', 'DEBIAN-CVE-2023-45853']);
    expect(last!.package).toEqual({
      id: ZLIB.id, type: 'deb', name: 'zlib1g', version: '1:1.2.13.dfsg-1', purl: ZLIB.purl,
      path: ZLIB.location.path, layerIndex: 0, layerDigest: ZLIB.location.layerDigest,
    });
    const packageIds = new Set(image.packages.map((pkg) => pkg.id));
    for (const finding of image.findings) expect(packageIds.has(finding.package.id as string)).toBe(true);
    const cvss = image.findings[1]!.severity;
    expect(cvss).toMatchObject({ kind: 'cvss', score: 7.5, vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H' });
  });

  it('counts findings by severity per image', () => {
    const [amd64, arm64] = render(multiImageReport()).images;
    expect(amd64!.summary).toEqual({ findings: 3, bySeverity: { CRITICAL: 1, HIGH: 1, MEDIUM: 0, LOW: 1, UNKNOWN: 0 }, withoutFix: 1, suppressed: 0 });
    expect(arm64!.summary).toEqual({ findings: 1, bySeverity: { CRITICAL: 1, HIGH: 0, MEDIUM: 0, LOW: 0, UNKNOWN: 0 }, withoutFix: 0, suppressed: 0 });
  });

  it('writes suppressions with their full finding, the VEX statement and the expiry', () => {
    const image = render(suppressedReport()).images[0]!;
    expect(image.summary.suppressed).toBe(2);
    const [vex, ignore] = image.suppressed;
    expect(vex).toMatchObject({
      finding: { id: 'CVE-2024-5535', fixState: 'fixed' },
      by: 'vex',
      vex: { status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path', document: 'vex/app.openvex.json' },
    });
    expect(vex).not.toHaveProperty('expires');
    expect(ignore).toMatchObject({ finding: { id: 'CVE-2025-0001', severity: { severity: 'UNKNOWN', kind: 'none' } }, by: 'ignore', expires: '2025-06-30' });
    expect(ignore).not.toHaveProperty('vex');
    expect(image.warnings).toEqual(['debian 12 reaches end of life on 2026-06-10']);
  });

  it('is the same whatever order the findings and suppressions arrive in', () => {
    const report = suppressedReport();
    const image = report.images[0]!;
    const shuffled = { ...report, images: [{ ...image, findings: [...image.findings].reverse(), suppressed: [...image.suppressed].reverse() }] };
    expect(renderScanJson(shuffled, META)).toBe(renderScanJson(report, META));
  });

  it('leaves optional fields out instead of writing null or empty values', () => {
    const finding: Finding = { ...unrated, description: '' };
    const text = renderScanJson(sampleReport([sampleImageFindings([finding])]), META);
    expect(text).not.toContain('null');
    expect(text).not.toContain('""');
    const document = JSON.parse(text) as ScanDocument;
    expect(document).not.toHaveProperty('gate');
    expect(document.failures).toEqual([]);
    const written = document.images[0]!.findings[0]!;
    for (const key of ['title', 'description', 'published']) expect(written).not.toHaveProperty(key);
    expect(written.severity).toEqual({ severity: 'UNKNOWN', kind: 'none' });
  });

  it("repeats a finding's package owner beside the inventory's, and writes none for unowned packages", () => {
    const [owned, owner] = sampleOwnedPackages();
    const report = sampleReport([sampleImageFindings([sampleFinding({ id: 'CVE-2024-56326', package: owned }), sampleFinding({ package: owner })])]);
    const document = render(report) as unknown as { images: { packages: Record<string, unknown>[]; findings: { id: string; package: Record<string, unknown> }[] }[] };
    expect(describeErrors(validateClosed(document) ? null : validateClosed.errors)).toEqual([]);
    const image = document.images[0]!;
    const expected = { id: owner.id, name: 'python3-jinja2', type: 'deb' };
    expect(image.findings.find((f) => f.id === 'CVE-2024-56326')!.package.owner).toEqual(expected);
    expect(image.packages.find((pkg) => pkg.name === 'Jinja2')!.owner).toEqual(expected);
    expect(image.findings.find((f) => f.id !== 'CVE-2024-56326')!.package).not.toHaveProperty('owner');
    expect(image.packages.find((pkg) => pkg.name === 'python3-jinja2')).not.toHaveProperty('owner');
  });
});
