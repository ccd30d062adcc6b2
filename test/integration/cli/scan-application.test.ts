import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { TarInput } from '../../../tools/image-builder/tar-writer.ts';
import { runCli } from '../../support/cli.ts';
import { layoutOf } from '../../support/layout.ts';
import { pep440AffectingIds, semverAffectingIds } from '../../support/osv-range-oracle.ts';
import { sharedFixtures } from '../../support/paths.ts';
import { scanJson, type ScanJsonFinding } from '../../support/scan-report.ts';
import { skopeoCopy } from '../../support/skopeo.ts';

/**
 * `customs scan` end to end on an application image from a real registry: npm and PyPI packages and
 * a Go binary's standard library against real GHSA, PYSEC and Go records, checked against a second
 * reading of the ranges (node-semver, Python's packaging); then the policy and the --fail-on gate.
 */
const NPM_DIRS = [sharedFixtures('osv', 'npm'), sharedFixtures('osv-corpus', 'npm')];
const PYPI_DIRS = [sharedFixtures('osv', 'PyPI'), sharedFixtures('osv-corpus', 'PyPI')];
const GO_DIRS = [sharedFixtures('osv', 'Go'), sharedFixtures('osv-corpus', 'Go')];
const ADVISORIES = [...NPM_DIRS, ...PYPI_DIRS, ...GO_DIRS].flatMap((dir) => ['--advisories', dir]);

const NPM = { lodash: '4.17.15', minimist: '1.2.0', json5: '2.2.1' };
const PYPI = { urllib3: '1.26.5', requests: '2.30.0' };
const GO_STDLIB = 'v1.19.8';

function applicationImage(): string {
  const entries: TarInput[] = [
    { type: 'file', path: 'etc/os-release', content: 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n' },
    ...Object.entries(NPM).map(([name, version]): TarInput => ({ type: 'file', path: `app/node_modules/${name}/package.json`, content: JSON.stringify({ name, version }) })),
    ...Object.entries(PYPI).map(([name, version]): TarInput => ({
      type: 'file',
      path: `usr/local/lib/python3.11/site-packages/${name}-${version}.dist-info/METADATA`,
      content: `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n`,
    })),
    // Built by Go 1.19.8 (its `go version -m` is beside it in the fixtures).
    { type: 'file', path: 'usr/local/bin/hello', content: readFileSync(sharedFixtures('os', 'go', 'hello-replace-go1.19')), mode: 0o755 },
  ];
  return layoutOf([{ entries }]);
}

function recordIds(findings: readonly ScanJsonFinding[], packageName: string): Set<string> {
  return new Set(findings.filter((finding) => finding.package.name === packageName).flatMap((finding) => finding.advisories.map((advisory) => advisory.id)));
}

// Every test reads the one report from beforeAll or runs its own CLI process on its own files, so
// they run side by side: each scan waits mostly on the registry and on reading the advisories.
describe.concurrent('customs scan on an application image from a registry', () => {
  const work = mkdtempSync(join(tmpdir(), 'customs-scan-app-'));
  const image = `${inject('registryHost')}/customs/scan-app:1`;
  let findings: ScanJsonFinding[];

  beforeAll(async () => {
    await skopeoCopy(`oci:${applicationImage()}:latest`, `docker://${image}`);
    const run = await scanJson([image, ...ADVISORIES]);
    expect(run.code, run.stderr).toBe(0);
    findings = run.report.images[0]!.findings;
  });

  it.each(Object.entries(NPM))('reports exactly the npm records node-semver says affect %s %s', (name, version) => {
    const expected = semverAffectingIds(NPM_DIRS, 'npm', name, version);
    expect(expected.size).toBeGreaterThan(0);
    expect(recordIds(findings, name)).toEqual(expected);
  });

  it.each(Object.entries(PYPI))('reports exactly the PyPI records Python packaging says affect %s %s', (name, version) => {
    const expected = pep440AffectingIds(PYPI_DIRS, name, version);
    expect(expected.size).toBeGreaterThan(0);
    expect(recordIds(findings, name)).toEqual(expected);
  });

  it('reports the Go records affecting the binary’s standard library', () => {
    const expected = semverAffectingIds(GO_DIRS, 'Go', 'stdlib', GO_STDLIB);
    expect(expected.size).toBeGreaterThan(10);
    expect(recordIds(findings, 'stdlib')).toEqual(expected);
    const http2 = findings.find((finding) => finding.package.name === 'stdlib' && finding.advisories.some((advisory) => advisory.id === 'GO-2023-2102'));
    expect(http2?.fixedVersions.some((version) => /^v?1\.20\.10$/.test(version))).toBe(true);
  });

  it('merges records that alias each other into one finding per vulnerability', () => {
    // PYSEC-2023-74 and GHSA-j8r2-6x86-q33q are both CVE-2023-32681 in requests.
    const requests = findings.filter((finding) => finding.package.name === 'requests' && finding.advisories.some((advisory) => advisory.id === 'PYSEC-2023-74'));
    expect(requests).toHaveLength(1);
    expect(requests[0]!.id).toBe('CVE-2023-32681');
    expect(requests[0]!.advisories.map((advisory) => advisory.id).sort()).toEqual(['GHSA-j8r2-6x86-q33q', 'PYSEC-2023-74']);
    const keys = findings.map((finding) => `${finding.package.id} ${finding.id}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('rates GHSA findings as GitHub does and says where the rating came from', () => {
    const lodash = findings.find((finding) => finding.id === 'CVE-2021-23337')!;
    expect(lodash.severity).toMatchObject({ severity: 'HIGH', kind: 'cvss' });
    const minimist = findings.find((finding) => finding.id === 'CVE-2021-44906')!;
    expect(minimist.severity.severity).toBe('CRITICAL');
  });

  describe('the --fail-on gate after ignores and VEX', () => {
    const severe = (): ScanJsonFinding[] => findings.filter((finding) => finding.severity.severity === 'HIGH' || finding.severity.severity === 'CRITICAL');

    function ignoreFile(name: string, entries: Array<{ finding: ScanJsonFinding; expires?: string }>): string {
      const path = join(work, name);
      const lines = entries.map(({ finding, expires }) => `  - id: ${finding.id}\n    package: ${finding.package.name}\n    reason: accepted in review\n${expires ? `    expires: ${expires}\n` : ''}`);
      writeFileSync(path, `ignore:\n${lines.join('')}`);
      return path;
    }

    function vexFile(name: string, entries: readonly ScanJsonFinding[], status = 'not_affected'): string {
      const path = join(work, name);
      const statements = entries.map((finding) => ({
        vulnerability: { name: finding.id },
        products: [{ '@id': finding.package.purl }],
        status,
        ...(status === 'not_affected' ? { justification: 'vulnerable_code_not_in_execute_path' } : {}),
      }));
      writeFileSync(path, JSON.stringify({ '@context': 'https://openvex.dev/ns/v0.2.0', '@id': 'https://example.com/vex/1', author: 'tests', timestamp: '2026-01-01T00:00:00Z', version: 1, statements }));
      return path;
    }

    it('fails with exit 1 while a HIGH or CRITICAL finding remains, counting exactly those', async () => {
      expect(severe().length).toBeGreaterThan(2);
      const run = await scanJson([image, ...ADVISORIES, '--fail-on', 'HIGH']);
      expect(run.code).toBe(1);
      expect(run.report.gate).toEqual({ threshold: 'HIGH', failing: severe().length, passed: false });
    });

    it('passes once ignore entries and VEX statements cover every one of them, and keeps why', async () => {
      const [first, ...rest] = severe();
      const ignores = ignoreFile('ignore-all.yaml', [{ finding: first!, expires: '2099-12-31' }]);
      const vex = vexFile('vex-rest.json', rest);
      const run = await scanJson([image, ...ADVISORIES, '--fail-on', 'HIGH', '--ignore-file', ignores, '--vex', vex]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.report.gate).toMatchObject({ failing: 0, passed: true });
      const suppressed = run.report.images[0]!.suppressed;
      expect(suppressed.filter((entry) => entry.by === 'ignore').map((entry) => entry.finding.id)).toEqual([first!.id]);
      expect(suppressed.filter((entry) => entry.by === 'vex')).toHaveLength(rest.length);
      expect(suppressed.find((entry) => entry.by === 'vex')!.vex).toMatchObject({ status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path' });
    });

    it('fails again when one of them is only marked affected in the VEX document', async () => {
      const [first, second, ...rest] = severe();
      const ignores = ignoreFile('ignore-first.yaml', [{ finding: first! }]);
      const run = await scanJson([image, ...ADVISORIES, '--fail-on', 'HIGH', '--ignore-file', ignores, '--vex', vexFile('vex-suppress.json', rest), '--vex', vexFile('vex-affected.json', [second!], 'affected')]);
      expect(run.code).toBe(1);
      expect(run.report.gate).toMatchObject({ failing: 1 });
    });

    it('stops applying an expired ignore entry, fails the gate and says so', async () => {
      const [first, ...rest] = severe();
      const ignores = ignoreFile('ignore-expired.yaml', [{ finding: first!, expires: '2020-01-31' }]);
      const run = await scanJson([image, ...ADVISORIES, '--fail-on', 'HIGH', '--ignore-file', ignores, '--vex', vexFile('vex-others.json', rest)]);
      expect(run.code).toBe(1);
      expect(run.report.gate).toMatchObject({ failing: 1 });
      expect(run.report.images[0]!.findings.map((finding) => finding.id)).toContain(first!.id);
      expect(run.report.warnings.some((warning) => warning.includes(first!.id) && warning.includes('expired on 2020-01-31'))).toBe(true);
    });

    it('drops unfixed findings only when asked, and filters by severity', async () => {
      const unfixed = findings.filter((finding) => finding.fixState === 'not-fixed').length;
      const [ignoringUnfixed, critical] = await Promise.all([scanJson([image, ...ADVISORIES, '--ignore-unfixed']), scanJson([image, ...ADVISORIES, '--severity', 'critical'])]);
      expect(ignoringUnfixed.report.images[0]!.findings).toHaveLength(findings.length - unfixed);
      const kept = critical.report.images[0]!.findings;
      expect(kept.length).toBeGreaterThan(0);
      expect(kept.every((finding) => finding.severity.severity === 'CRITICAL')).toBe(true);
    });
  });

  it('matches an SBOM file the same as the image it was made from', async () => {
    const bom = join(work, 'app.cdx.json');
    const made = await runCli(['sbom', image, '--format', 'cyclonedx-json', '--output', bom, '--quiet']);
    expect(made.code, made.stderr).toBe(0);
    const run = await scanJson([`sbom:${bom}`, ...ADVISORIES]);
    expect(run.code, run.stderr).toBe(0);
    const key = (finding: ScanJsonFinding): string => `${finding.package.name}@${finding.package.version} ${finding.id} ${finding.fixedVersions.join(',')}`;
    expect(run.report.images[0]!.findings.map(key).sort()).toEqual(findings.map(key).sort());
  });

  it('exits 2 with one line for a bad ignore file, a bad --fail-on or no advisories', async () => {
    const broken = join(work, 'broken.yaml');
    writeFileSync(broken, 'ignore:\n  - id: CVE-2020-1\n');
    for (const args of [
      [image, ...ADVISORIES, '--ignore-file', broken],
      [image, ...ADVISORIES, '--fail-on', 'SEVERE'],
      [image],
    ]) {
      const run = await runCli(['scan', ...args, '--quiet']);
      expect(run.code).toBe(2);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
