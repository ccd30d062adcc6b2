import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../../lambdas/core/findings/model.ts';
import { parseDigest } from '../../../../lambdas/core/digest.ts';
import { applyPolicy, type Policy } from '../../../../lambdas/core/policy/apply-policy.ts';
import { parseIgnoreFile } from '../../../../lambdas/core/policy/ignore-file.ts';
import { parseOpenVex } from '../../../../lambdas/core/policy/openvex.ts';
import { PolicyTracker } from '../../../../lambdas/core/policy/policy-tracker.ts';
import { policyWarnings } from '../../../../lambdas/core/policy/policy-warnings.ts';
import { sampleFinding, sampleImageSbom, samplePackage } from '../../../support/sample-findings.ts';

const NOW = new Date('2026-02-01T12:00:00Z');
const MANIFEST = parseDigest(`sha256:${'c'.repeat(64)}`);
const INDEX = parseDigest(`sha256:${'e'.repeat(64)}`);

const libxml2 = samplePackage();
const openssl = samplePackage({ name: 'libssl3', version: '3.0.15-1~deb12u1', source: { name: 'openssl', version: '3.0.15-1~deb12u1' } });
const requests = samplePackage({
  type: 'pypi',
  name: 'requests',
  version: '2.31.0',
  purl: 'pkg:pypi/requests@2.31.0',
  location: { ...libxml2.location, path: '/usr/lib/python3.11/site-packages/requests-2.31.0.dist-info/METADATA' },
});
const vendoredRequests = samplePackage({ ...requests, id: 'vendored', location: { ...requests.location, path: '/opt/app/venv/lib/python3.11/site-packages/requests-2.31.0.dist-info/METADATA' } });
const sbom = sampleImageSbom([libxml2, openssl, requests, vendoredRequests], { indexDigest: INDEX });

const xmlFinding = sampleFinding();
const sslFinding = sampleFinding({ id: 'CVE-2024-5535', aliases: ['DSA-5739-1'], package: openssl, fixedVersions: [] });
const requestsFinding = sampleFinding({ id: 'CVE-2024-35195', aliases: ['GHSA-9wx4-h78v-vm56', 'PYSEC-2024-60'], package: requests });
const vendoredFinding = sampleFinding({ ...requestsFinding, package: vendoredRequests });

function ignores(yaml: string) {
  return parseIgnoreFile(`ignore:\n${yaml}`, 'ignore.yaml');
}

function vex(statements: unknown[], timestamp = '2026-01-01T00:00:00Z') {
  return parseOpenVex(JSON.stringify({ '@context': 'https://openvex.dev/ns/v0.2.0', timestamp, statements }), 'app.vex.json');
}

function notAffected(vulnerability: string, product: unknown, extra: Record<string, unknown> = {}) {
  return { vulnerability: { name: vulnerability }, products: [product], status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path', ...extra };
}

function run(findings: readonly Finding[], policy: Omit<Policy, 'now'>, tracker?: PolicyTracker) {
  return applyPolicy(findings, sbom, { now: NOW, ...policy }, tracker);
}

function remaining(findings: readonly Finding[], policy: Omit<Policy, 'now'>): string[] {
  return run(findings, policy).findings.map((finding) => `${finding.id} ${finding.package.location.path === requests.location.path ? 'system' : finding.package.name}`);
}

describe('applyPolicy: ignore entries', () => {
  it('removes a finding named by its ID or any alias, case-insensitively, and records the reason', () => {
    for (const id of ['CVE-2024-35195', 'GHSA-9wx4-h78v-vm56', 'pysec-2024-60']) {
      const outcome = run([requestsFinding, xmlFinding], { ignores: ignores(`  - id: ${id}\n    reason: only used at build time\n`) });
      expect(outcome.findings).toEqual([xmlFinding]);
      expect(outcome.suppressed).toEqual([{ finding: requestsFinding, by: 'ignore', reason: 'only used at build time' }]);
    }
  });

  it('leaves findings whose ID and aliases differ', () => {
    expect(run([requestsFinding], { ignores: ignores('  - id: CVE-2024-3519\n    reason: r\n') }).findings).toEqual([requestsFinding]);
  });

  it('scopes by package name, matching the binary or the source package', () => {
    const byBinary = ignores('  - id: CVE-2024-5535\n    reason: r\n    package: libssl3\n');
    const bySource = ignores('  - id: CVE-2024-5535\n    reason: r\n    package: openssl\n');
    const other = ignores('  - id: CVE-2024-5535\n    reason: r\n    package: libssl-dev\n');
    expect(run([sslFinding], { ignores: byBinary }).findings).toEqual([]);
    expect(run([sslFinding], { ignores: bySource }).findings).toEqual([]);
    expect(run([sslFinding], { ignores: other }).findings).toEqual([sslFinding]);
  });

  it('scopes by purl, with and without a version', () => {
    const finding = sampleFinding();
    expect(run([finding], { ignores: ignores('  - id: CVE-2024-25062\n    reason: r\n    package: pkg:deb/debian/libxml2\n') }).findings).toEqual([]);
    expect(run([finding], { ignores: ignores('  - id: CVE-2024-25062\n    reason: r\n    package: "pkg:deb/debian/libxml2@2.9.14+dfsg-1.3"\n') }).findings).toEqual([]);
    expect(run([finding], { ignores: ignores('  - id: CVE-2024-25062\n    reason: r\n    package: "pkg:deb/debian/libxml2@2.9.10"\n') }).findings).toEqual([finding]);
    expect(run([finding], { ignores: ignores('  - id: CVE-2024-25062\n    reason: r\n    package: "pkg:deb/debian/libxml2?arch=arm64"\n') }).findings).toEqual([finding]);
    expect(run([finding], { ignores: ignores('  - id: CVE-2024-25062\n    reason: r\n    package: pkg:deb/ubuntu/libxml2\n') }).findings).toEqual([finding]);
  });

  it('scopes by a glob on the package location', () => {
    const system = ignores('  - id: CVE-2024-35195\n    reason: r\n    path: "/usr/lib/python3*/**"\n');
    expect(remaining([requestsFinding, vendoredFinding], { ignores: system })).toEqual(['CVE-2024-35195 requests']);
    const anywhere = ignores('  - id: CVE-2024-35195\n    reason: r\n    path: "**/site-packages/requests-*/METADATA"\n');
    expect(remaining([requestsFinding, vendoredFinding], { ignores: anywhere })).toEqual([]);
    const oneLevel = ignores('  - id: CVE-2024-35195\n    reason: r\n    path: "/opt/*/METADATA"\n');
    expect(remaining([requestsFinding, vendoredFinding], { ignores: oneLevel })).toHaveLength(2);
  });

  it('applies an entry through its expiry day and not after it, and records the expiry', () => {
    const rules = ignores('  - id: CVE-2024-25062\n    reason: accepted\n    expires: 2026-01-31\n');
    const onTheDay = applyPolicy([xmlFinding], sbom, { now: new Date('2026-01-31T23:59:59Z'), ignores: rules });
    expect(onTheDay.suppressed).toEqual([{ finding: xmlFinding, by: 'ignore', reason: 'accepted', expires: '2026-01-31' }]);
    const dayAfter = applyPolicy([xmlFinding], sbom, { now: new Date('2026-02-01T00:00:00Z'), ignores: rules });
    expect(dayAfter).toEqual({ findings: [xmlFinding], suppressed: [] });
  });
});

describe('applyPolicy: VEX', () => {
  it('removes a not_affected finding and keeps its justification, impact statement and document', () => {
    const statements = vex([notAffected('CVE-2024-25062', { '@id': 'pkg:deb/debian/libxml2' }, { impact_statement: 'DTD validation is never used.' })]);
    const outcome = run([xmlFinding, sslFinding], { vex: statements });
    expect(outcome.findings).toEqual([sslFinding]);
    expect(outcome.suppressed).toEqual([
      {
        finding: xmlFinding,
        by: 'vex',
        reason: 'VEX not_affected (vulnerable_code_not_in_execute_path): DTD validation is never used.',
        vex: { status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path', document: 'app.vex.json' },
      },
    ]);
  });

  it('removes a fixed finding and does not remove affected or under_investigation ones', () => {
    const product = { '@id': 'pkg:deb/debian/libxml2' };
    const status = (value: string, extra: Record<string, unknown> = {}) => vex([{ vulnerability: { name: 'CVE-2024-25062' }, products: [product], status: value, ...extra }]);
    const fixed = run([xmlFinding], { vex: status('fixed', { action_statement: 'Patched in 1.0.1' }) });
    expect(fixed.suppressed).toEqual([{ finding: xmlFinding, by: 'vex', reason: 'VEX fixed: Patched in 1.0.1', vex: { status: 'fixed', document: 'app.vex.json' } }]);
    expect(run([xmlFinding], { vex: status('affected', { action_statement: 'Upgrade' }) }).findings).toEqual([xmlFinding]);
    expect(run([xmlFinding], { vex: status('under_investigation') }).findings).toEqual([xmlFinding]);
  });

  it('matches the vulnerability by the finding ID or an alias, and by the statement aliases', () => {
    const product = { '@id': 'pkg:deb/debian/libssl3' };
    expect(run([sslFinding], { vex: vex([notAffected('DSA-5739-1', product)]) }).findings).toEqual([]);
    expect(run([sslFinding], { vex: vex([notAffected('CVE-0000-0000', product, { vulnerability: { name: 'X-1', aliases: ['CVE-2024-5535'] } })]) }).findings).toEqual([]);
    expect(run([sslFinding], { vex: vex([notAffected('CVE-2024-9143', product)]) }).findings).toEqual([sslFinding]);
  });

  it('lets the latest matching statement win, whatever the order', () => {
    const product = { '@id': 'pkg:deb/debian/libxml2' };
    const older = notAffected('CVE-2024-25062', product, { timestamp: '2026-01-10T00:00:00Z' });
    const newer = { vulnerability: { name: 'CVE-2024-25062' }, products: [product], status: 'affected', timestamp: '2026-01-20T00:00:00Z' };
    expect(run([xmlFinding], { vex: vex([older, newer]) }).findings).toEqual([xmlFinding]);
    expect(run([xmlFinding], { vex: vex([newer, older]) }).findings).toEqual([xmlFinding]);
    const reversed = { ...newer, timestamp: '2026-01-05T00:00:00Z' };
    expect(run([xmlFinding], { vex: vex([older, reversed]) }).findings).toEqual([]);
    expect(run([xmlFinding], { vex: vex([reversed, older]) }).findings).toEqual([]);
  });

  it('ignores statements about other packages', () => {
    expect(run([xmlFinding], { vex: vex([notAffected('CVE-2024-25062', { '@id': 'pkg:deb/debian/libxml2-utils' })]) }).findings).toEqual([xmlFinding]);
    expect(run([xmlFinding], { vex: vex([notAffected('CVE-2024-25062', { '@id': 'pkg:deb/debian/libxml2@2.9.10' })]) }).findings).toEqual([xmlFinding]);
    expect(run([xmlFinding], { vex: vex([notAffected('CVE-2024-25062', { '@id': 'https://example.com/products/libxml2' })]) }).findings).toEqual([xmlFinding]);
  });

  it('applies an image product without subcomponents to every package of that image', () => {
    const findings = [xmlFinding, sampleFinding({ ...xmlFinding, package: openssl })];
    const byDigest = vex([notAffected('CVE-2024-25062', { '@id': `pkg:oci/anything@${encodeURIComponent(MANIFEST)}` })]);
    expect(run(findings, { vex: byDigest }).findings).toEqual([]);
    const byIndexDigest = vex([notAffected('CVE-2024-25062', { '@id': `pkg:oci/app@${encodeURIComponent(INDEX)}` })]);
    expect(run(findings, { vex: byIndexDigest }).findings).toEqual([]);
    const byName = vex([notAffected('CVE-2024-25062', { '@id': 'pkg:oci/app?repository_url=registry.example/team/app&tag=1.0' })]);
    expect(run(findings, { vex: byName }).findings).toEqual([]);
  });

  it('does not apply a product naming another image', () => {
    const other = [
      `pkg:oci/app@${encodeURIComponent(`sha256:${'f'.repeat(64)}`)}`,
      'pkg:oci/worker',
      'pkg:oci/app?repository_url=registry.example/other/app',
      'pkg:oci/app?tag=2.0',
      'pkg:oci/app?arch=arm64',
    ];
    for (const id of other) expect(run([xmlFinding], { vex: vex([notAffected('CVE-2024-25062', { '@id': id })]) }).findings, id).toEqual([xmlFinding]);
  });

  it('applies an image product with subcomponents to those packages only', () => {
    const findings = [xmlFinding, sampleFinding({ ...xmlFinding, package: openssl })];
    const statements = vex([notAffected('CVE-2024-25062', { '@id': 'pkg:oci/app', subcomponents: [{ '@id': 'pkg:deb/debian/libssl3' }] })]);
    expect(run(findings, { vex: statements }).findings).toEqual([xmlFinding]);
  });

  it('applies a package product with subcomponents only when the product is in the image', () => {
    const present = vex([notAffected('CVE-2024-25062', { '@id': 'pkg:pypi/requests', subcomponents: [{ '@id': 'pkg:deb/debian/libxml2' }] })]);
    expect(run([xmlFinding], { vex: present }).findings).toEqual([]);
    const absent = vex([notAffected('CVE-2024-25062', { '@id': 'pkg:pypi/flask', subcomponents: [{ '@id': 'pkg:deb/debian/libxml2' }] })]);
    expect(run([xmlFinding], { vex: absent }).findings).toEqual([xmlFinding]);
  });
});

describe('applyPolicy: filters and order', () => {
  const low = sampleFinding({ id: 'CVE-2024-1', aliases: [], severity: { severity: 'LOW', kind: 'none' } });
  const unknown = sampleFinding({ id: 'CVE-2024-2', aliases: [], severity: { severity: 'UNKNOWN', kind: 'none' } });

  it('removes unfixed findings only when asked', () => {
    expect(run([sslFinding, xmlFinding], {}).findings).toEqual([sslFinding, xmlFinding]);
    const outcome = run([sslFinding, xmlFinding], { ignoreUnfixed: true });
    expect(outcome.findings).toEqual([xmlFinding]);
    expect(outcome.suppressed).toMatchObject([{ finding: sslFinding, by: 'unfixed' }]);
  });

  it('keeps only the selected severities', () => {
    const outcome = run([xmlFinding, low, unknown], { severities: ['CRITICAL', 'HIGH'] });
    expect(outcome.findings).toEqual([xmlFinding]);
    expect(outcome.suppressed.map((entry) => [entry.finding.id, entry.by, entry.reason])).toEqual([
      ['CVE-2024-1', 'severity', 'severity LOW is not among the selected severities (CRITICAL, HIGH)'],
      ['CVE-2024-2', 'severity', 'severity UNKNOWN is not among the selected severities (CRITICAL, HIGH)'],
    ]);
  });

  it('records the first rule that removes a finding: ignore, then VEX, then unfixed, then severity', () => {
    const finding = sampleFinding({ id: 'CVE-2024-9', aliases: [], fixedVersions: [], severity: { severity: 'LOW', kind: 'none' } });
    const rule = ignores('  - id: CVE-2024-9\n    reason: accepted\n');
    const statement = vex([notAffected('CVE-2024-9', { '@id': 'pkg:deb/debian/libxml2' })]);
    const all = { ignores: rule, vex: statement, ignoreUnfixed: true, severities: ['HIGH'] } as const;
    expect(run([finding], all).suppressed.map((entry) => entry.by)).toEqual(['ignore']);
    expect(run([finding], { ...all, ignores: [] }).suppressed.map((entry) => entry.by)).toEqual(['vex']);
    expect(run([finding], { ...all, ignores: [], vex: [] }).suppressed.map((entry) => entry.by)).toEqual(['unfixed']);
    expect(run([finding], { ...all, ignores: [], vex: [], ignoreUnfixed: false }).suppressed.map((entry) => entry.by)).toEqual(['severity']);
    expect(run([finding], {}).findings).toEqual([finding]);
  });

  it('keeps remaining findings in their original order', () => {
    const outcome = run([low, xmlFinding, unknown, sslFinding], { ignoreUnfixed: true });
    expect(outcome.findings).toEqual([low, xmlFinding, unknown]);
  });
});

describe('policyWarnings and PolicyTracker', () => {
  it('reports expired entries with their reason and date, and only those', () => {
    const rules = ignores('  - id: CVE-2024-1\n    reason: waiting on upstream\n    expires: 2026-01-31\n  - id: CVE-2024-2\n    reason: later\n    expires: 2026-02-01\n  - id: CVE-2024-3\n    reason: forever\n');
    expect(policyWarnings({ now: NOW, ignores: rules })).toEqual(['ignore entry for CVE-2024-1 (reason: "waiting on upstream") in ignore.yaml expired on 2026-01-31 and no longer applies']);
    expect(policyWarnings({ now: new Date('2026-01-31T23:00:00Z'), ignores: rules })).toEqual([]);
  });

  it('reports entries and statements that matched nothing across every image', () => {
    const rules = ignores('  - id: CVE-2024-25062\n    reason: used\n  - id: CVE-2024-5535\n    reason: used in the second image\n  - id: CVE-1999-0001\n    reason: stale\n  - id: CVE-1999-0002\n    reason: expired\n    expires: 2020-01-01\n');
    const statements = vex([
      notAffected('CVE-2024-35195', { '@id': 'pkg:pypi/requests' }),
      notAffected('CVE-2024-35195', { '@id': 'pkg:pypi/flask' }),
      { vulnerability: { name: 'CVE-2024-25062' }, products: [{ '@id': 'pkg:deb/debian/libxml2' }], status: 'affected' },
    ]);
    const policy: Policy = { now: NOW, ignores: rules, vex: statements };
    const tracker = new PolicyTracker();
    // The ignore entry removes the libxml2 finding first; the affected statement about it still counts as matched.
    applyPolicy([xmlFinding, requestsFinding], sbom, policy, tracker);
    applyPolicy([sslFinding], sampleImageSbom([openssl]), policy, tracker);
    expect(tracker.unmatched(policy)).toEqual({ ignores: [rules[2]], vex: [statements[1]] });
    expect(tracker.unmatchedWarnings(policy)).toEqual([
      'ignore entry for CVE-1999-0001 (ignore.yaml, entry 3) matched no finding; remove it if it is no longer needed',
      'VEX statement for CVE-2024-35195 (app.vex.json, statement 2) matched no finding in the scanned images',
    ]);
  });
});
