import { describe, expect, it } from 'vitest';
import type { Finding, Severity, VulnerabilityReport } from '../../../../lambdas/core/findings/model.ts';
import { renderFindingsTable } from '../../../../lambdas/core/report/findings-table.ts';
import { sampleFinding, sampleImageFindings, sampleImageSbom, sampleOwnedPackages, samplePackage, sampleReport } from '../../../support/sample-findings.ts';

const OPENSSL = samplePackage({ name: 'openssl', version: '3.0.11-1~deb12u2' });
const ZLIB = samplePackage({ name: 'zlib1g', version: '1:1.2.13.dfsg-1', source: { name: 'zlib', version: '1:1.2.13.dfsg-1' } });
const LIBXML2 = samplePackage();

function finding(id: string, severity: Severity, pkg = LIBXML2, overrides: Partial<Finding> = {}): Finding {
  return sampleFinding({ id, package: pkg, installedVersion: pkg.source?.version ?? pkg.version, severity: { severity, kind: 'distribution', source: 'Debian' }, title: `${id} title`, ...overrides });
}

/** An ANSI styling sequence (select graphic rendition). */
const SGR = new RegExp(`${String.fromCharCode(0x1b)}\\[\\d+m`, 'g');

/** Deliberately unsorted: the table owns the grouping and ordering. */
const FINDINGS = [
  finding('CVE-2023-0003', 'MEDIUM', ZLIB),
  finding('CVE-2023-0002', 'LOW', OPENSSL, { fixedVersions: [] }),
  finding('CVE-2023-0009', 'HIGH', LIBXML2),
  finding('CVE-2023-0001', 'LOW', ZLIB, { fixedVersions: [] }),
  finding('CVE-2023-0008', 'CRITICAL', OPENSSL),
  finding('CVE-2023-0004', 'LOW', ZLIB),
  finding('CVE-2023-0005', 'UNKNOWN', LIBXML2, { fixedVersions: [] }),
];

function render(report: VulnerabilityReport, color = false): string {
  return renderFindingsTable(report, { color });
}

/** The ID cells of the finding rows, top to bottom. */
function ids(text: string): string[] {
  return [...text.matchAll(/^ {2}\S+ +(CVE-\S+)/gm)].map((match) => match[1]!);
}

describe('renderFindingsTable', () => {
  const text = render(sampleReport([sampleImageFindings(FINDINGS)]));

  it('heads each image with its reference, platform and OS', () => {
    expect(text.split('\n').slice(0, 3)).toEqual([
      'Image:    registry.example/team/app:1.0',
      'Platform: linux/amd64',
      'OS:       Debian GNU/Linux 12 (bookworm)',
    ]);
  });

  it('groups findings by package, groups by their worst severity, rows worst first then by ID', () => {
    const groups = text.split('\n').filter((line) => /^\S+@/.test(line));
    expect(groups).toEqual([
      'openssl@3.0.11-1~deb12u2 (deb) /var/lib/dpkg/status',
      'libxml2@2.9.14+dfsg-1.3 (deb) /var/lib/dpkg/status',
      'zlib1g@1:1.2.13.dfsg-1 (deb) /var/lib/dpkg/status',
    ]);
    expect(ids(text)).toEqual(['CVE-2023-0008', 'CVE-2023-0002', 'CVE-2023-0009', 'CVE-2023-0005', 'CVE-2023-0003', 'CVE-2023-0001', 'CVE-2023-0004']);
  });

  it('aligns the columns across groups and says when there is no fix', () => {
    const rows = text.split('\n').filter((line) => /^ {2}(SEVERITY|[A-Z]+ +CVE-)/.test(line));
    expect(rows).toHaveLength(FINDINGS.length + 1);
    for (const heading of ['ID', 'INSTALLED', 'FIXED VERSION', 'TITLE']) {
      const column = rows[0]!.indexOf(heading);
      for (const row of rows.slice(1)) expect(row[column - 1]).toBe(' ');
      for (const row of rows.slice(1)) expect(row[column]).not.toBe(' ');
    }
    const unfixed = rows.find((row) => row.includes('CVE-2023-0002'))!;
    expect(unfixed).toMatch(/^ {2}LOW +CVE-2023-0002 +3\.0\.11-1~deb12u2 +no fix available +CVE-2023-0002 title$/);
    const fixed = rows.find((row) => row.includes('CVE-2023-0009'))!;
    expect(fixed).toContain('2.9.14+dfsg-1.3~deb12u1');
  });

  it('ends each image with a summary line', () => {
    expect(text).toContain('\n7 findings: 1 CRITICAL, 1 HIGH, 1 MEDIUM, 3 LOW, 1 UNKNOWN (3 without a fix)\n');
    expect(text.endsWith('(3 without a fix)\n')).toBe(true);
  });

  it('uses no escape sequences unless colour is asked for, and colours severities when it is', () => {
    expect(text).not.toContain('\x1b');
    const coloured = render(sampleReport([sampleImageFindings(FINDINGS)], { gate: { threshold: 'HIGH', failing: 2, passed: false } }), true);
    expect(coloured).toContain('\x1b[31mHIGH\x1b[39m');
    expect(coloured).toContain('\x1b[2mno fix available\x1b[22m');
    expect(coloured.replace(SGR, '')).toBe(render(sampleReport([sampleImageFindings(FINDINGS)], { gate: { threshold: 'HIGH', failing: 2, passed: false } })));
  });

  it('prints the gate result once, after every image', () => {
    const images = [sampleImageFindings(FINDINGS), sampleImageFindings([], { sbom: sampleImageSbom([], { platform: { os: 'linux', architecture: 'arm64' } }) })];
    const failed = render(sampleReport(images, { gate: { threshold: 'HIGH', failing: 2, passed: false } }));
    expect(failed.endsWith('\ngate --fail-on HIGH: FAILED (2 findings at HIGH or above)\n')).toBe(true);
    expect(failed.match(/^Image:/gm)).toHaveLength(2);
    const passed = render(sampleReport(images, { gate: { threshold: 'CRITICAL', failing: 1, passed: true } }));
    expect(passed).toContain('gate --fail-on CRITICAL: passed (1 finding at CRITICAL or above)');
  });

  it('says so plainly when there are no findings', () => {
    const empty = render(sampleReport([sampleImageFindings([])]));
    expect(empty).toContain('\n\nno vulnerabilities found\n');
    expect(empty).not.toContain('SEVERITY');
    expect(empty).not.toMatch(/\d+ findings?:/);
  });

  it('counts suppressions by what removed them and why, and lists warnings and failures', () => {
    const image = sampleImageFindings([finding('CVE-2023-0009', 'HIGH')], {
      suppressed: [
        { finding: finding('CVE-2023-0010', 'LOW'), by: 'ignore', reason: 'accepted risk' },
        { finding: finding('CVE-2023-0011', 'HIGH'), by: 'vex', reason: 'vulnerable_code_not_present', vex: { status: 'not_affected', document: 'app.vex.json' } },
        { finding: finding('CVE-2023-0012', 'LOW'), by: 'ignore', reason: 'accepted risk', expires: '2030-01-01' },
      ],
      warnings: ['debian 12 reaches end of life on 2026-06-10'],
    });
    const report = sampleReport([image], {
      warnings: ['ignore entry CVE-2020-0001 expired on 2024-01-01'],
      failures: [{ platform: { os: 'linux', architecture: 's390x' }, code: 'digest-mismatch', message: 'layer 2 does not match its digest' }],
    });
    const output = render(report);
    expect(output).toContain('\n3 suppressed:\n  2 by ignore: accepted risk\n  1 by vex: vulnerable_code_not_present\n');
    expect(output).toContain('\nwarning: debian 12 reaches end of life on 2026-06-10\n');
    expect(output).toContain('\n1 finding: 0 CRITICAL, 1 HIGH, 0 MEDIUM, 0 LOW, 0 UNKNOWN; 3 suppressed\n');
    expect(output.endsWith('error: linux/s390x: layer 2 does not match its digest (digest-mismatch)\nwarning: ignore entry CVE-2020-0001 expired on 2024-01-01\n')).toBe(true);
  });

  it('shortens long titles, falls back to the description, and escapes control characters from advisories', () => {
    const long = finding('CVE-2023-0020', 'HIGH', LIBXML2, { title: `${'overflow '.repeat(20)}end` });
    const untitled = finding('CVE-2023-0021', 'LOW', LIBXML2, { title: undefined, description: 'first line of the description\nsecond line' });
    const hostile = finding('CVE-2023-0022', 'MEDIUM', LIBXML2, { title: 'evil \x1b[2J title' });
    const output = render(sampleReport([sampleImageFindings([long, untitled, hostile])]));
    const longRow = output.split('\n').find((line) => line.includes('CVE-2023-0020'))!;
    expect(longRow).toMatch(/ overflow overflow…$/);
    expect([...longRow.slice(longRow.indexOf('overflow'))].length).toBeLessThanOrEqual(60);
    expect([...longRow.slice(longRow.indexOf('overflow'))].length).toBeGreaterThan(50);
    const unbroken = render(sampleReport([sampleImageFindings([finding('CVE-2023-0023', 'LOW', LIBXML2, { title: 'x'.repeat(100) })])]));
    expect(unbroken).toContain(` ${'x'.repeat(59)}…\n`);
    expect(output).toMatch(/CVE-2023-0021 .* first line of the description$/m);
    expect(output).not.toContain('second line');
    expect(output).not.toContain('\x1b');
    expect(output).toContain('evil \\x1b[2J title');
  });

  it('says when a reference resolved to no images', () => {
    expect(render(sampleReport([], { reference: 'app:1.0' }))).toBe('app:1.0: no images scanned\n');
  });

  it("names the OS package that installed a finding's language package in its heading", () => {
    const [owned, owner] = sampleOwnedPackages();
    const text = render(sampleReport([sampleImageFindings([finding('CVE-2024-56326', 'MEDIUM', owned), finding('CVE-2024-0002', 'LOW', owner)])]));
    const headings = text.split('\n').filter((line) => line.startsWith('Jinja2@') || line.startsWith('python3-jinja2@'));
    expect(headings).toEqual([
      'Jinja2@3.1.2 (pypi) usr/lib/python3/dist-packages/Jinja2-3.1.2.egg-info, installed by python3-jinja2 (dpkg)',
      'python3-jinja2@3.1.2-1+deb12u1 (deb) /var/lib/dpkg/status',
    ]);
  });
});
