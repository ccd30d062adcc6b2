import { describe, expect, it } from 'vitest';
import type { VulnerabilityReport } from '../../../../lambdas/core/findings/model.ts';
import { renderCycloneDx, renderCycloneDxWithVulnerabilities } from '../../../../lambdas/core/report/cyclonedx.ts';
import { cycloneDx16Validator, describeErrors } from '../../../support/cyclonedx-schema.ts';
import { sampleReportCases } from '../../../support/sample-findings.ts';
import { GENERATED_AT, TOOL } from './scan-results.ts';

interface Component {
  'bom-ref': string;
  name: string;
  version?: string;
  components?: Component[];
}
interface Vulnerability {
  'bom-ref': string;
  id: string;
  source: { name: string; url: string };
  references?: { id: string; source: { name: string; url: string } }[];
  ratings?: { source?: { name: string }; score?: number; severity: string; method: string; vector?: string }[];
  description?: string;
  detail?: string;
  recommendation?: string;
  advisories?: { url: string }[];
  published?: string;
  analysis?: { state?: string; justification?: string; detail?: string };
  affects?: { ref: string; versions?: { version: string; status: string }[] }[];
  properties?: { name: string; value: string }[];
}
interface Bom {
  metadata: { component: Component };
  components?: Component[];
  vulnerabilities?: Vulnerability[];
}

const SERIAL = 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79';
const META = { tool: TOOL, generatedAt: GENERATED_AT, serialNumber: SERIAL };
const cases = sampleReportCases();
const validate = cycloneDx16Validator();

function render(report: VulnerabilityReport): Bom {
  return JSON.parse(renderCycloneDxWithVulnerabilities(report, META)) as Bom;
}

function errorsOf(document: unknown): string[] {
  return validate(document) ? [] : describeErrors(validate.errors);
}

function components(bom: Bom): Component[] {
  const walk = (list: Component[] = []): Component[] => list.flatMap((c) => [c, ...walk(c.components)]);
  return [bom.metadata.component, ...walk(bom.components)];
}

const entries = (bom: Bom, id: string) => (bom.vulnerabilities ?? []).filter((v) => v.id === id);

describe('renderCycloneDxWithVulnerabilities', () => {
  it.each(Object.entries(cases))('produces a valid CycloneDX 1.6 document: %s', (_name, report) => {
    expect(errorsOf(render(report))).toEqual([]);
  });

  it('fails validation for broken vulnerabilities, so the validator is not vacuous', () => {
    const noRef = render(cases.single);
    delete (noRef.vulnerabilities![0]!.affects![0] as Partial<{ ref: string }>).ref;
    expect(errorsOf(noRef).join('\n')).toContain("must have required property 'ref'");

    const badSeverity = render(cases.single);
    badSeverity.vulnerabilities![0]!.ratings![0]!.severity = 'CRITICAL';
    expect(errorsOf(badSeverity)).not.toEqual([]);

    const badJustification = render(cases.suppressed);
    badJustification.vulnerabilities!.find((v) => v.analysis)!.analysis!.justification = 'vulnerable_code_not_in_execute_path';
    expect(errorsOf(badJustification)).not.toEqual([]);

    const sourcelessReference = render(cases.single);
    delete (sourcelessReference.vulnerabilities![0]!.references![0] as Partial<{ source: unknown }>).source;
    expect(errorsOf(sourcelessReference)).not.toEqual([]);
  });

  it('is the plain SBOM, byte for byte, when there is nothing to report', () => {
    const report = cases.withoutFindings;
    const result = { reference: report.reference, images: report.images.map((image) => image.sbom) };
    expect(renderCycloneDxWithVulnerabilities(report, META)).toBe(renderCycloneDx(result, META));
    expect(render(report).vulnerabilities).toBeUndefined();
  });

  it('adds the vulnerabilities after the SBOM it leaves unchanged', () => {
    const report = cases.single;
    const result = { reference: report.reference, images: report.images.map((image) => image.sbom) };
    const { vulnerabilities, ...sbom } = render(report);
    expect(sbom).toEqual(JSON.parse(renderCycloneDx(result, META)));
    expect(vulnerabilities!.map((v) => v.id)).toEqual(['GHSA-29mw-wpgm-hmr9', 'CVE-2024-25062', 'CVE-2024-0727', 'CVE-2023-5678']);
  });

  it.each([
    ['single platform', cases.single],
    ['multi platform', cases.multiPlatform],
    ['with suppressions', cases.suppressed],
  ])('points every affects[].ref at a component bom-ref: %s', (_name, report) => {
    const bom = render(report);
    const refs = new Set(components(bom).map((c) => c['bom-ref']));
    const affected = bom.vulnerabilities!.flatMap((v) => v.affects ?? []);
    expect(affected.length).toBeGreaterThan(0);
    for (const { ref } of affected) expect(refs).toContain(ref);
    const all = [...components(bom).map((c) => c['bom-ref']), ...bom.vulnerabilities!.map((v) => v['bom-ref'])];
    expect(new Set(all).size).toBe(all.length);
  });

  it('lists every affected component under one entry per ID, with the component version', () => {
    const bom = render(cases.single);
    const [entry] = entries(bom, 'CVE-2024-0727');
    const byRef = new Map(components(bom).map((c) => [c['bom-ref'], c]));
    expect(entry!.affects!.map((a) => byRef.get(a.ref)!.name)).toEqual(['libssl3', 'openssl']);
    expect(entry!.affects![0]!.versions).toEqual([{ version: '3.0.11-1~deb12u2', status: 'affected' }]);

    // Across platforms: one entry, the nested component of each platform.
    const multi = render(cases.multiPlatform);
    expect(entries(multi, 'GHSA-29mw-wpgm-hmr9')).toHaveLength(1);
    const lodashRefs = entries(multi, 'GHSA-29mw-wpgm-hmr9')[0]!.affects!.map((a) => a.ref);
    const platforms = multi.components!.map((c) => c['bom-ref']);
    expect(lodashRefs).toEqual(platforms.map((p) => `${p}/pkg:npm/lodash@4.17.20`));
  });

  it('describes the vulnerability: source, references, ratings, advice, advisories, dates', () => {
    const bom = render(cases.single);
    const [openssl] = entries(bom, 'CVE-2024-0727');
    expect(openssl).toMatchObject({
      source: { name: 'NVD', url: 'https://nvd.nist.gov/vuln/detail/CVE-2024-0727' },
      description: 'PKCS12 NULL dereference',
      detail: 'Processing a maliciously formatted PKCS12 file may lead OpenSSL to crash.',
      recommendation: 'Upgrade libssl3 to 3.0.13-1~deb12u1; openssl to 3.0.13-1~deb12u1',
      advisories: [{ url: 'https://security-tracker.debian.org/tracker/CVE-2024-0727' }],
      published: '2024-01-26T09:15:00Z',
      ratings: [{ source: { name: 'Debian urgency' }, severity: 'medium', method: 'other' }],
    });
    expect(openssl!.references).toEqual([
      { id: 'DEBIAN-CVE-2024-0727', source: { name: 'OSV', url: 'https://osv.dev/vulnerability/DEBIAN-CVE-2024-0727' } },
      { id: 'GHSA-9v9h-cgj8-h64p', source: { name: 'GitHub Advisory Database', url: 'https://github.com/advisories/GHSA-9v9h-cgj8-h64p' } },
    ]);

    const [lodash] = entries(bom, 'GHSA-29mw-wpgm-hmr9');
    expect(lodash!.source.name).toBe('GitHub Advisory Database');
    expect(lodash!.ratings).toEqual([
      { source: { name: 'CVSS_V4 (GHSA-29mw-wpgm-hmr9)' }, score: 9.3, severity: 'critical', method: 'CVSSv4', vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N' },
    ]);
    expect(entries(bom, 'CVE-2024-25062')[0]!.ratings![0]).toMatchObject({ method: 'CVSSv31', score: 7.5, severity: 'high' });

    const [unrated] = entries(bom, 'CVE-2023-5678');
    expect([unrated!.ratings, unrated!.recommendation, unrated!.references, unrated!.published]).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('lists every alias and advisory record of every finding in references', () => {
    for (const report of [cases.single, cases.multiPlatform, cases.suppressed]) {
      const bom = render(report);
      const findings = report.images.flatMap((image) => [...image.findings, ...image.suppressed.filter((s) => s.by === 'vex').map((s) => s.finding)]);
      for (const finding of findings) {
        const referenced = entries(bom, finding.id).flatMap((v) => (v.references ?? []).map((r) => r.id));
        const expected = [...finding.aliases, ...finding.advisories.map((a) => a.id)].filter((id) => id !== finding.id);
        for (const alias of expected) expect(referenced).toContain(alias);
      }
    }
  });

  it('gives VEX-suppressed findings their own entry with the analysis, and leaves other suppressions out', () => {
    const bom = render(cases.suppressed);
    const [vex] = entries(bom, 'CVE-2024-0727');
    // The ignore entry on openssl is policy, not a fact about the image: only libssl3's VEX entry remains.
    expect(entries(bom, 'CVE-2024-0727')).toHaveLength(1);
    expect(vex!.analysis).toEqual({
      state: 'not_affected',
      justification: 'code_not_reachable',
      detail: 'vulnerable_code_not_in_execute_path: the image never parses untrusted XML',
    });
    expect(vex!.affects).toHaveLength(1);
    expect(vex!.affects![0]!.versions).toEqual([{ version: '3.0.11-1~deb12u2', status: 'unaffected' }]);
    expect(vex!.properties).toEqual([{ name: 'customs:vex:document', value: 'vex/app.openvex.json' }]);

    // No CycloneDX word for this justification: it goes in the detail.
    expect(entries(bom, 'CVE-2023-5678')[0]!.analysis).toEqual({
      state: 'not_affected',
      detail: 'vulnerable_code_cannot_be_controlled_by_adversary: the attacker cannot reach the DH code',
    });
    expect(entries(bom, 'GHSA-29mw-wpgm-hmr9')[0]!.analysis).toBeUndefined();
  });

  it('splits one ID into a live entry and a VEX entry when only some packages are covered', () => {
    const single = cases.single.images[0]!;
    const libsslCve = single.findings.find((f) => f.id === 'CVE-2024-0727' && f.package.name === 'libssl3')!;
    const report = {
      ...cases.single,
      images: [{ ...single, findings: single.findings.filter((f) => f !== libsslCve), suppressed: [{ finding: libsslCve, by: 'vex' as const, reason: 'fixed by backport', vex: { status: 'fixed', document: 'vex/a.json' } }] }],
    };
    const bom = render(report);
    expect(errorsOf(bom)).toEqual([]);
    const split = entries(bom, 'CVE-2024-0727');
    expect(split.map((v) => v.analysis?.state)).toEqual([undefined, 'resolved']);
    expect(split[0]!['bom-ref']).not.toBe(split[1]!['bom-ref']);
    expect(split.map((v) => v.affects!.length)).toEqual([1, 1]);
  });
});
