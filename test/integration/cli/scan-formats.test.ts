import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { OciLayoutWriter } from '../../../tools/image-builder/oci-layout-writer.ts';
import { tarBytes } from '../../../tools/image-builder/tar-writer.ts';
import { runCli } from '../../support/cli.ts';
import { cycloneDx16Validator, describeErrors, schemaValidator } from '../../support/cyclonedx-schema.ts';
import { alpineAppEntries } from '../../support/alpine-app.ts';
import { sharedFixtures } from '../../support/paths.ts';
import { sarif210Validator } from '../../support/sarif-schema.ts';
import { spdx23Validator } from '../../support/spdx-schema.ts';

/**
 * Every `customs scan` format, from the CLI, on a single-platform and a two-platform image with
 * findings, a VEX-suppressed finding and an ignored one: each validates against its official schema
 * (the Customs scan schema for json) and carries the findings.
 */
const ADVISORIES = ['--advisories', sharedFixtures('osv')];

function twoPlatformLayout(): string {
  const dir = mkdtempSync(join(tmpdir(), 'customs-formats-'));
  const writer = new OciLayoutWriter(dir);
  const layer = { tar: tarBytes(alpineAppEntries()) };
  const amd64 = writer.image({ platform: { os: 'linux', architecture: 'amd64' }, layers: [layer] });
  const arm64 = writer.image({ platform: { os: 'linux', architecture: 'arm64' }, layers: [layer] });
  writer.finish([{ descriptor: writer.index([amd64, arm64]), tag: 'latest' }]);
  return dir;
}

interface Format {
  readonly name: string;
  readonly validator: () => ValidateFunction;
  /** Vulnerability IDs the document reports, read the way that format's consumers read them. */
  readonly ids: (document: Record<string, unknown>) => string[];
}

const FORMATS: readonly Format[] = [
  {
    name: 'json',
    validator: () => schemaValidator('lambdas', 'core', 'report', 'customs-scan.schema.json'),
    ids: (document) => (document.images as Array<{ findings: Array<{ id: string }> }>).flatMap((image) => image.findings.map((finding) => finding.id)),
  },
  {
    name: 'sarif',
    validator: sarif210Validator,
    ids: (document) => (document.runs as Array<{ results: Array<{ ruleId: string; suppressions?: unknown[] }> }>).flatMap((run) => run.results.filter((result) => !result.suppressions).map((result) => result.ruleId)),
  },
  {
    name: 'cyclonedx-json',
    validator: cycloneDx16Validator,
    ids: (document) => ((document.vulnerabilities ?? []) as Array<{ id: string; analysis?: unknown }>).filter((entry) => !entry.analysis).map((entry) => entry.id),
  },
  {
    name: 'spdx-json',
    validator: spdx23Validator,
    ids: (document) =>
      (document.packages as Array<{ externalRefs?: Array<{ referenceCategory: string; comment?: string }> }>).flatMap((pkg) =>
        (pkg.externalRefs ?? []).filter((ref) => ref.referenceCategory === 'SECURITY').map((ref) => (ref.comment ?? '').split(':')[0]!),
      ),
  },
];

describe('customs scan output formats', () => {
  const work = mkdtempSync(join(tmpdir(), 'customs-formats-policy-'));
  const vex = join(work, 'vex.json');
  const ignores = join(work, 'ignore.yaml');
  let single: string;
  let multi: string;
  let expectedIds: string[];

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'customs-formats-single-'));
    const writer = new OciLayoutWriter(dir);
    writer.finish([{ descriptor: writer.image({ platform: { os: 'linux', architecture: 'amd64' }, layers: [{ tar: tarBytes(alpineAppEntries()) }] }), tag: 'latest' }]);
    single = `oci:${dir}`;
    multi = `oci:${twoPlatformLayout()}`;
    writeFileSync(
      vex,
      JSON.stringify({
        '@context': 'https://openvex.dev/ns/v0.2.0',
        '@id': 'https://example.com/vex/formats',
        author: 'tests',
        timestamp: '2026-01-01T00:00:00Z',
        version: 1,
        statements: [{ vulnerability: { name: 'CVE-2020-8203' }, products: [{ '@id': 'pkg:npm/lodash' }], status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path' }],
      }),
    );
    writeFileSync(ignores, 'ignore:\n  - id: CVE-2020-7598\n    reason: minimist is only used by a build script\n');
    const run = await runCli(['scan', single, ...ADVISORIES, '--vex', vex, '--ignore-file', ignores, '--format', 'json']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as { images: Array<{ findings: Array<{ id: string }>; suppressed: Array<{ finding: { id: string } }> }> };
    expectedIds = report.images[0]!.findings.map((finding) => finding.id).sort();
    expect(expectedIds).toEqual(expect.arrayContaining(['CVE-2025-26519', 'CVE-2021-23337', 'CVE-2021-44906']));
    expect(report.images[0]!.suppressed.map((entry) => entry.finding.id).sort()).toEqual(['CVE-2020-7598', 'CVE-2020-8203']);
  });

  describe.each(FORMATS)('$name', (format) => {
    it.each([
      ['one platform', () => single, 1],
      ['two platforms', () => multi, 2],
    ] as const)('validates against its schema for %s and reports the findings left after the policy', async (_, image, platforms) => {
      const run = await runCli(['scan', image(), ...ADVISORIES, '--vex', vex, '--ignore-file', ignores, '--format', format.name]);
      expect(run.code, run.stderr).toBe(0);
      const document = JSON.parse(run.stdout) as Record<string, unknown>;
      const validate = format.validator();
      expect(validate(document), describeErrors(validate.errors).join('\n')).toBe(true);
      const ids = format.ids(document);
      // CycloneDX lists one entry per vulnerability however many components it affects; the others one per finding.
      const expected = format.name === 'cyclonedx-json' ? [...new Set(expectedIds)] : expectedIds.flatMap((id) => Array<string>(platforms).fill(id));
      expect([...ids].sort()).toEqual(expected.sort());
    });
  });

  it('prints a table grouped by package with a summary line', async () => {
    const run = await runCli(['scan', single, ...ADVISORIES, '--format', 'table']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^musl@1\.2\.5-r0 \(apk\)/m);
    expect(run.stdout).toMatch(/CVE-2025-26519 +1\.2\.5-r0 +1\.2\.5-r1/);
    expect(run.stdout).toMatch(/^\d+ findings: \d+ CRITICAL, \d+ HIGH, \d+ MEDIUM, \d+ LOW, \d+ UNKNOWN/m);
  });
});
