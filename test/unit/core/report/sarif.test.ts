import { describe, expect, it } from 'vitest';
import type { VulnerabilityReport } from '../../../../lambdas/core/findings/model.ts';
import { FINGERPRINT_KEY, renderSarif } from '../../../../lambdas/core/report/sarif.ts';
import { describeErrors } from '../../../support/cyclonedx-schema.ts';
import { sampleReportCases } from '../../../support/sample-findings.ts';
import { sarif210Validator } from '../../../support/sarif-schema.ts';
import { GENERATED_AT, TOOL } from './scan-results.ts';

interface Rule {
  id: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  helpUri: string;
  help: { text: string; markdown: string };
  defaultConfiguration: { level: string };
  properties: { tags: string[]; 'security-severity': string };
}
interface Result {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  locations: { physicalLocation: { artifactLocation: { uri: string } }; logicalLocations?: { name: string }[] }[];
  partialFingerprints: Record<string, string>;
  suppressions?: { kind: string; state?: string; justification?: string }[];
  properties: Record<string, unknown>;
}
interface Log {
  version: string;
  runs: { tool: { driver: { name: string; version: string; informationUri?: string; rules: Rule[] } }; results: Result[] }[];
}

const cases = sampleReportCases();
const validate = sarif210Validator();

function render(report: VulnerabilityReport, tool: { name: string; version: string; informationUri?: string } = TOOL): Log {
  return JSON.parse(renderSarif(report, { tool, generatedAt: GENERATED_AT })) as Log;
}

function errorsOf(document: unknown): string[] {
  return validate(document) ? [] : describeErrors(validate.errors);
}

const run = (log: Log) => log.runs[0]!;
const resultFor = (log: Log, ruleId: string, name: string) =>
  run(log).results.find((r) => r.ruleId === ruleId && r.message.text.startsWith(`${name} `))!;

describe('renderSarif', () => {
  it.each(Object.entries(cases))('produces a valid SARIF 2.1.0 log: %s', (_name, report) => {
    const log = render(report);
    expect(errorsOf(log)).toEqual([]);
    expect(log.runs).toHaveLength(1);
  });

  it('fails validation for broken logs, so the validator is not vacuous', () => {
    const noMessage = render(cases.single);
    delete (run(noMessage).results[0] as Partial<Result>).message;
    expect(errorsOf(noMessage).join('\n')).toContain("must have required property 'message'");

    const badLevel = render(cases.single);
    run(badLevel).results[0]!.level = 'critical';
    expect(errorsOf(badLevel)).not.toEqual([]);

    const badSuppression = render(cases.suppressed);
    run(badSuppression).results.find((r) => r.suppressions)!.suppressions![0]!.kind = 'vex';
    expect(errorsOf(badSuppression)).not.toEqual([]);

    const relativeHelp = render(cases.single);
    run(relativeHelp).tool.driver.rules[0]!.helpUri = 'not a uri';
    expect(errorsOf(relativeHelp)).not.toEqual([]);
  });

  it('names the tool, with an information URI only when given one', () => {
    expect(run(render(cases.single)).tool.driver).toMatchObject({ name: 'customs', version: '0.1.0' });
    expect(run(render(cases.single)).tool.driver.informationUri).toBeUndefined();
    const log = render(cases.single, { ...TOOL, informationUri: 'https://example.com/customs' });
    expect(run(log).tool.driver.informationUri).toBe('https://example.com/customs');
    expect(errorsOf(log)).toEqual([]);
  });

  it('has one rule per vulnerability ID, and every ruleIndex points at the rule of its ruleId', () => {
    const log = render(cases.multiPlatform);
    const { rules } = run(log).tool.driver;
    expect(rules.map((r) => r.id)).toEqual(['GHSA-29mw-wpgm-hmr9', 'CVE-2024-25062', 'CVE-2024-0727', 'CVE-2023-5678']);
    expect(run(log).results).toHaveLength(10);
    for (const result of run(log).results) expect(rules[result.ruleIndex]!.id).toBe(result.ruleId);
  });

  it('rates rules and results the way GitHub code scanning reads them', () => {
    const log = render(cases.single);
    const rule = (id: string) => run(log).tool.driver.rules.find((r) => r.id === id)!;
    expect(rule('GHSA-29mw-wpgm-hmr9')).toMatchObject({ defaultConfiguration: { level: 'error' }, properties: { tags: ['vulnerability', 'security', 'CRITICAL'], 'security-severity': '9.3' } });
    expect(rule('CVE-2024-25062')).toMatchObject({ defaultConfiguration: { level: 'error' }, properties: { 'security-severity': '7.5' } });
    // No CVSS score: a number inside the band of the level the distribution gave.
    expect(rule('CVE-2024-0727')).toMatchObject({ defaultConfiguration: { level: 'warning' }, properties: { tags: ['vulnerability', 'security', 'MEDIUM'], 'security-severity': '5.5' } });
    expect(rule('CVE-2023-5678')).toMatchObject({ defaultConfiguration: { level: 'note' }, properties: { 'security-severity': '0.0' } });
    for (const r of run(log).tool.driver.rules) expect(Number(r.properties['security-severity'])).not.toBeNaN();
    expect(resultFor(log, 'CVE-2024-0727', 'libssl3').level).toBe('warning');
    expect(resultFor(log, 'CVE-2023-5678', 'libssl3').level).toBe('note');
  });

  it('describes each rule from its advisory, with every affected package and fix in the help', () => {
    const rule = run(render(cases.single)).tool.driver.rules.find((r) => r.id === 'CVE-2024-0727')!;
    expect(rule.shortDescription.text).toBe('PKCS12 NULL dereference');
    expect(rule.fullDescription.text).toBe('Processing a maliciously formatted PKCS12 file may lead OpenSSL to crash.');
    // The ADVISORY reference wins over the WEB one listed first.
    expect(rule.helpUri).toBe('https://security-tracker.debian.org/tracker/CVE-2024-0727');
    expect(rule.help.text).toContain('libssl3 3.0.11-1~deb12u2: fixed in 3.0.13-1~deb12u1');
    expect(rule.help.text).toContain('openssl 3.0.11-1~deb12u1: fixed in 3.0.13-1~deb12u1');
    expect(rule.help.text).toContain('Also known as: DEBIAN-CVE-2024-0727, GHSA-9v9h-cgj8-h64p');
    expect(rule.help.markdown).toContain('| libssl3 3.0.11-1~deb12u2 | fixed in 3.0.13-1~deb12u1 |');

    // Nothing to link to in the record: the ID's own page.
    const unrated = run(render(cases.single)).tool.driver.rules.find((r) => r.id === 'CVE-2023-5678')!;
    expect(unrated.helpUri).toBe('https://nvd.nist.gov/vuln/detail/CVE-2023-5678');
    expect(unrated.shortDescription.text).toBe('CVE-2023-5678');
    expect(unrated.help.text).toContain('libssl3 3.0.11-1~deb12u2: no fix available');
  });

  it('writes a result per finding with its message, relative location and properties', () => {
    const log = render(cases.single);
    const libssl = resultFor(log, 'CVE-2024-0727', 'libssl3');
    expect(libssl.message.text).toBe('libssl3 3.0.11-1~deb12u2 (from source openssl 3.0.11-1~deb12u1) is affected by CVE-2024-0727; fixed in 3.0.13-1~deb12u1');
    expect(resultFor(log, 'CVE-2024-0727', 'openssl').message.text).toBe('openssl 3.0.11-1~deb12u1 (from source openssl) is affected by CVE-2024-0727; fixed in 3.0.13-1~deb12u1');
    expect(resultFor(log, 'CVE-2023-5678', 'libssl3').message.text).toMatch(/is affected by CVE-2023-5678; no fix available$/);
    expect(libssl.locations).toEqual([{ physicalLocation: { artifactLocation: { uri: 'var/lib/dpkg/status' } } }]);
    expect(libssl.properties).toEqual({
      purl: 'pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12',
      installedVersion: '3.0.11-1~deb12u1',
      fixedVersions: ['3.0.13-1~deb12u1'],
      layerDigest: `sha256:${'a'.repeat(64)}`,
      platform: 'linux/amd64',
      severity: 'MEDIUM',
      'security-severity': '5.5',
      aliases: ['DEBIAN-CVE-2024-0727', 'GHSA-9v9h-cgj8-h64p'],
    });
    // A path with a space stays a valid relative URI reference.
    expect(resultFor(log, 'GHSA-29mw-wpgm-hmr9', 'lodash').locations[0]!.physicalLocation.artifactLocation.uri).toBe('srv/my%20app/node_modules/lodash/package.json');
  });

  it('fingerprints a result by vulnerability, package and path, the same on every render', () => {
    const first = run(render(cases.single)).results.map((r) => r.partialFingerprints[FINGERPRINT_KEY]);
    const again = run(render(cases.single)).results.map((r) => r.partialFingerprints[FINGERPRINT_KEY]);
    expect(first.every((f) => /^[0-9a-f]{64}$/.test(f!))).toBe(true);
    expect(again).toEqual(first);
    expect(new Set(first).size).toBe(first.length);
  });

  it('tells platforms apart in a multi-platform index', () => {
    const log = render(cases.multiPlatform);
    const lodash = run(log).results.filter((r) => r.ruleId === 'GHSA-29mw-wpgm-hmr9');
    expect(lodash.map((r) => r.locations[0]!.logicalLocations![0]!.name)).toEqual(['linux/amd64', 'linux/arm64']);
    expect(lodash.map((r) => r.properties.platform)).toEqual(['linux/amd64', 'linux/arm64']);
    expect(lodash[1]!.message.text).toContain(' on linux/arm64 is affected by');
    expect(run(render(cases.single)).results.every((r) => r.locations[0]!.logicalLocations === undefined)).toBe(true);
  });

  it('keeps suppressed findings as results with an external suppression and its justification', () => {
    const log = render(cases.suppressed);
    const results = run(log).results;
    expect(results).toHaveLength(5);
    expect(results.filter((r) => !r.suppressions).map((r) => r.ruleId)).toEqual(['GHSA-29mw-wpgm-hmr9', 'CVE-2024-25062']);
    expect(resultFor(log, 'CVE-2024-0727', 'libssl3').suppressions).toEqual([
      {
        kind: 'external',
        state: 'accepted',
        justification: 'vulnerable_code_not_in_execute_path: the image never parses untrusted XML',
        properties: { by: 'vex', vexStatus: 'not_affected', vexDocument: 'vex/app.openvex.json' },
      },
    ]);
    expect(resultFor(log, 'CVE-2024-0727', 'openssl').suppressions![0]).toMatchObject({
      kind: 'external',
      justification: 'accepted until the base image moves',
      properties: { by: 'ignore', expires: '2030-01-01' },
    });
    // Suppressed findings still have their rules.
    expect(run(log).tool.driver.rules.map((r) => r.id)).toContain('CVE-2023-5678');
  });

  it('writes an empty run when there is nothing to report', () => {
    for (const report of [cases.withoutFindings, cases.noImages]) {
      const log = render(report);
      expect(run(log).results).toEqual([]);
      expect(run(log).tool.driver.rules).toEqual([]);
    }
  });
});
