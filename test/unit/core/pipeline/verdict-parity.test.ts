import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAdvisories } from '../../../../lambdas/adapters/osv/load-advisories.ts';
import { AdvisoryStore } from '../../../../lambdas/core/advisories/advisory-store.ts';
import { StoreLookup } from '../../../../lambdas/core/advisories/store-lookup.ts';
import type { Digest } from '../../../../lambdas/core/digest.ts';
import type { Severity, VulnerabilityReport } from '../../../../lambdas/core/findings/model.ts';
import { advisoryEcosystemsFor } from '../../../../lambdas/core/matching/package-query.ts';
import { computeVerdict, policyNeedsSbom, type VerdictInput } from '../../../../lambdas/core/pipeline/compute-verdict.ts';
import type { ScanRecord } from '../../../../lambdas/core/pipeline/model.ts';
import { findingKey, toRawFinding } from '../../../../lambdas/core/pipeline/raw-findings.ts';
import { parseIgnoreFile } from '../../../../lambdas/core/policy/ignore-file.ts';
import { parseOpenVex } from '../../../../lambdas/core/policy/openvex.ts';
import type { Policy } from '../../../../lambdas/core/policy/policy.ts';
import { compilePolicyCatalogue } from '../../../../lambdas/core/policy/policy-catalogue.ts';
import { parsePolicyDocument, type IgnoreEntryInput } from '../../../../lambdas/core/policy/policy-document.ts';
import type { RepositoryPolicy } from '../../../../lambdas/core/policy/repository-policy.ts';
import type { ScanResult } from '../../../../lambdas/core/sbom/model.ts';
import { assessVulnerabilities } from '../../../../lambdas/core/use-cases/assess-vulnerabilities.ts';
import { OciLayoutWriter } from '../../../../tools/image-builder/oci-layout-writer.ts';
import { tarBytes } from '../../../../tools/image-builder/tar-writer.ts';
import { alpineAppEntries } from '../../../support/alpine-app.ts';
import { sharedFixtures } from '../../../support/paths.ts';
import { scan } from '../../../support/scan.ts';

/**
 * Parity with the CLI: the same image, advisories, ignore entries and OpenVEX document judged by
 * `customs scan`'s path (assessVulnerabilities with the policy files, then the --fail-on gate) and by
 * the pipeline's (raw findings stored without policy, then computeVerdict) suppress the same findings,
 * by the same rule with the same reason, and count the same failing findings.
 */

const NOW = new Date('2026-03-01T12:00:00Z');
const VEX_URI = 's3://vex-docs/app.openvex.json';

/** The entries as an ignore file writes them, and the same entries as the policy document does. */
function ignoreFileText(entries: readonly IgnoreEntryInput[]): string {
  const lines = entries.flatMap((entry) => [`  - id: ${entry.id}`, ...Object.entries(entry).filter(([field]) => field !== 'id').map(([field, value]) => `    ${field}: ${JSON.stringify(value)}`)]);
  return `ignore:\n${lines.join('\n')}\n`;
}

function vexText(arm64: Digest): string {
  return JSON.stringify({
    '@context': 'https://openvex.dev/ns/v0.2.0',
    '@id': 'https://example.com/vex/app',
    author: 'tests',
    timestamp: '2026-01-01T00:00:00Z',
    version: 1,
    statements: [
      { vulnerability: { name: 'CVE-2020-8203' }, products: [{ '@id': 'pkg:npm/lodash' }], status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path', impact_statement: 'zipObjectDeep is never called' },
      // One platform only: the image named by its manifest digest.
      { vulnerability: { name: 'CVE-2021-44906' }, products: [{ '@id': `pkg:oci/app@${encodeURIComponent(arm64)}` }], status: 'not_affected', justification: 'vulnerable_code_cannot_be_controlled_by_adversary' },
      { vulnerability: { name: 'CVE-2025-26519' }, products: [{ '@id': 'pkg:apk/alpine/musl' }], status: 'affected', action_statement: 'upgrade musl' },
    ],
  });
}

interface Case {
  readonly name: string;
  readonly failOn: Severity;
  readonly ignoreUnfixed: boolean;
  readonly entries: readonly IgnoreEntryInput[];
}

const CASES: readonly Case[] = [
  {
    name: 'name, path and purl scopes, an expired entry, VEX by package and by image digest',
    failOn: 'HIGH',
    ignoreUnfixed: false,
    entries: [
      { id: 'CVE-2020-7598', reason: 'the build script parses only its own flags', path: '/tools/**' },
      { id: 'GHSA-35jh-r3h4-6jhm', reason: 'templates are ours', package: 'pkg:npm/lodash@4.17.15', expires: '2026-12-31' },
      { id: 'CVE-2025-26519', reason: 'no iconv on untrusted input', package: 'musl', expires: '2026-03-01T11:00:00Z' },
      { id: 'cve-2025-26519', reason: 'musl accepted until 3.20.4', package: 'musl', expires: '2026-06-30' },
    ],
  },
  {
    name: 'no entry needing the SBOM, unfixed findings ignored, a lower threshold',
    failOn: 'MEDIUM',
    ignoreUnfixed: true,
    entries: [{ id: 'CVE-2020-7598', reason: 'the build script parses only its own flags', package: 'pkg:npm/minimist', path: '/app/**' }],
  },
  { name: 'VEX alone at the default threshold', failOn: 'CRITICAL', ignoreUnfixed: false, entries: [] },
];

describe('verdict parity with customs scan', () => {
  let dir: string;
  let result: ScanResult;
  let advisories: StoreLookup;
  let raw: VulnerabilityReport;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'customs-verdict-parity-'));
    const writer = new OciLayoutWriter(dir);
    const layer = { tar: tarBytes(alpineAppEntries([{ type: 'file', path: 'tools/node_modules/minimist/package.json', content: JSON.stringify({ name: 'minimist', version: '1.2.0' }) }])) };
    const amd64 = writer.image({ platform: { os: 'linux', architecture: 'amd64' }, layers: [layer] });
    const arm64 = writer.image({ platform: { os: 'linux', architecture: 'arm64' }, layers: [layer] });
    writer.finish([{ descriptor: writer.index([amd64, arm64]), tag: 'latest' }]);
    result = await scan(`oci:${dir}:latest`);
    const ecosystems = advisoryEcosystemsFor(result.images);
    const store = new AdvisoryStore({ ecosystems });
    await loadAdvisories(sharedFixtures('osv'), store, { ecosystems });
    advisories = new StoreLookup(store);
    // What the scanner stores: every finding, before any policy.
    raw = await assessVulnerabilities(result, advisories, { policy: { now: NOW }, advisories: { sources: ['osv'], loaded: 0, withdrawn: 0, malformed: 0 } });
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('scans an index whose platforms have the findings the cases are about', () => {
    expect(result.images).toHaveLength(2);
    const ids = new Set(raw.images.flatMap((image) => image.findings.map((finding) => finding.id)));
    for (const id of ['CVE-2020-7598', 'CVE-2020-8203', 'CVE-2021-44906', 'CVE-2025-26519']) expect(ids).toContain(id);
  });

  it.each(CASES)('suppresses and fails alike: $name', async (testCase) => {
    const arm64 = result.images[1]!.manifestDigest!;
    const vex = vexText(arm64);

    const cliPolicy: Policy = { now: NOW, ignores: parseIgnoreFile(ignoreFileText(testCase.entries), 'ignore.yaml'), vex: parseOpenVex(vex, 'app.openvex.json'), ...(testCase.ignoreUnfixed ? { ignoreUnfixed: true } : {}) };
    const cli = await assessVulnerabilities(result, advisories, { policy: cliPolicy, failOn: testCase.failOn, advisories: { sources: ['osv'], loaded: 0, withdrawn: 0, malformed: 0 } });

    const document = parsePolicyDocument({
      overrides: [{ repositories: { names: ['team/app'] }, failOn: testCase.failOn, ignoreUnfixed: testCase.ignoreUnfixed, ignore: [...testCase.entries], vex: [{ s3: { bucket: 'vex-docs', key: 'app.openvex.json' } }] }],
    });
    const policy: RepositoryPolicy = compilePolicyCatalogue(document, new Map([[VEX_URI, vex]])).policyFor('team/app');
    const verdict = computeVerdict(pipelineInput(result, raw, policyNeedsSbom(policy)), policy, NOW);

    const cliSuppressed = cli.images.flatMap((image) => image.suppressed.map((entry) => ({ digest: image.sbom.manifestDigest, key: findingKey(entry.finding), by: entry.by, reason: entry.reason })));
    const listed = (entry: { by: string }) => entry.by === 'ignore' || entry.by === 'vex';
    expect(cliSuppressed.filter(listed).length).toBeGreaterThan(0);
    expect(sorted(verdict.suppressions.map((entry) => ({ digest: entry.manifestDigest, key: entry.key, by: entry.by, reason: entry.reason })))).toEqual(sorted(cliSuppressed.filter(listed)));
    expect(verdict.suppressedCount).toBe(cliSuppressed.length);
    expect(verdict.failingCount).toBe(cli.gate!.failing);
    expect(verdict.verdict).toBe(cli.gate!.passed ? 'PASS' : 'FAIL');
    const cliRemaining = cli.images.flatMap((image) => image.findings.map((finding) => `${image.sbom.manifestDigest!}|${findingKey(finding)}`));
    expect(verdict.counts).toEqual(countsOf(cli));
    expect(cliRemaining.length).toBe(Object.values(verdict.counts).reduce((sum, count) => sum + count, 0));
  });

  it('needs the SBOM for a package-name entry, and without it would not suppress what the CLI does', () => {
    const [first] = CASES;
    const policy = compilePolicyCatalogue(parsePolicyDocument({ default: { ignore: [...first!.entries] } }), new Map()).policyFor('team/app');
    expect(policyNeedsSbom(policy)).toBe(true);
    const withSbom = computeVerdict(pipelineInput(result, raw, true), policy, NOW);
    const without = computeVerdict(pipelineInput(result, raw, false), policy, NOW);
    // musl-utils is built from musl: only its SBOM entry says so.
    expect(withSbom.suppressions.filter((entry) => entry.packageName === 'musl-utils').length).toBeGreaterThan(0);
    expect(without.suppressions.filter((entry) => entry.packageName === 'musl-utils')).toEqual([]);
  });
});

/** The index as the pipeline stores it: one SCANNED record and the raw findings per platform. */
function pipelineInput(result: ScanResult, raw: VulnerabilityReport, withSbom: boolean): VerdictInput {
  const index = result.images[0]!.indexDigest!;
  return {
    key: { account: '111122223333', region: 'eu-west-1', repository: 'team/app', digest: index },
    tags: ['latest'],
    kind: 'index',
    platforms: raw.images.map((image) => {
      const { sbom } = image;
      const record: ScanRecord = {
        digest: sbom.manifestDigest!,
        scannerVersion: 'test',
        status: 'SCANNED',
        platform: sbom.platform,
        indexDigest: index,
        configDigest: sbom.configDigest,
        layers: sbom.layers.map((layer) => ({ digest: layer.digest, diffId: layer.diffId, size: layer.size })),
        packageCount: sbom.packages.length,
        findingCount: image.findings.length,
        severityCounts: {},
        advisories: [],
        startedAt: NOW,
        finishedAt: NOW,
      };
      const findings = image.findings.map((finding) => ({ ...toRawFinding(finding), firstSeen: NOW, lastSeen: NOW }));
      return { scan: record, findings, ...(withSbom ? { sbom } : {}) };
    }),
  };
}

function countsOf(report: VulnerabilityReport): Record<Severity, number> {
  const counts: Record<Severity, number> = { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, UNKNOWN: 0 };
  for (const image of report.images) for (const finding of image.findings) counts[finding.severity.severity]++;
  return counts;
}

function sorted<T>(entries: readonly T[]): T[] {
  return [...entries].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
}
