import { describe, expect, it } from 'vitest';
import { parseDigest, type Digest } from '../../../../lambdas/core/digest.ts';
import type { Finding, Severity } from '../../../../lambdas/core/findings/model.ts';
import type { Platform } from '../../../../lambdas/core/image/platform.ts';
import { computeVerdict, policyNeedsSbom, type VerdictInput, type VerdictPlatformInput } from '../../../../lambdas/core/pipeline/compute-verdict.ts';
import type { ImageKey, ScanRecord, ScanStatus, StoredFinding } from '../../../../lambdas/core/pipeline/model.ts';
import { toRawFinding } from '../../../../lambdas/core/pipeline/raw-findings.ts';
import { MAX_VERDICT_FINDINGS, MAX_WORST_FINDINGS } from '../../../../lambdas/core/pipeline/verdict-model.ts';
import { compilePolicyCatalogue } from '../../../../lambdas/core/policy/policy-catalogue.ts';
import { parsePolicyDocument, type PolicyDocumentInput } from '../../../../lambdas/core/policy/policy-document.ts';
import type { RepositoryPolicy } from '../../../../lambdas/core/policy/repository-policy.ts';
import type { ImageSbom, Package } from '../../../../lambdas/core/sbom/model.ts';
import { SAMPLE_DIFF_ID, SAMPLE_LAYER, sampleFinding, sampleImageSbom, samplePackage } from '../../../support/sample-findings.ts';

const NOW = new Date('2026-03-01T12:00:00Z');
const AMD64: Platform = { os: 'linux', architecture: 'amd64' };
const ARM64: Platform = { os: 'linux', architecture: 'arm64' };

const digestOf = (digit: string): Digest => parseDigest(`sha256:${digit.repeat(64)}`);
const IMAGE = digestOf('1');
const INDEX = digestOf('9');
const keyIn = (repository: string, digest: Digest = IMAGE): ImageKey => ({ account: '111122223333', region: 'eu-west-1', repository, digest });

function policyOf(input: PolicyDocumentInput, repository = 'team/app'): RepositoryPolicy {
  return compilePolicyCatalogue(parsePolicyDocument(input), new Map()).policyFor(repository);
}

function scanOf(status: ScanStatus, overrides: Partial<ScanRecord> = {}): ScanRecord {
  return {
    digest: IMAGE,
    scannerVersion: 'test',
    status,
    platform: AMD64,
    layers: [{ digest: SAMPLE_LAYER, diffId: SAMPLE_DIFF_ID, size: 1024 }],
    packageCount: 1,
    findingCount: 0,
    severityCounts: {},
    advisories: [],
    startedAt: new Date('2026-02-28T00:00:00Z'),
    finishedAt: new Date('2026-02-28T00:01:00Z'),
    ...overrides,
  };
}

function stored(finding: Finding): StoredFinding {
  return { ...toRawFinding(finding), firstSeen: new Date('2026-02-28T00:01:00Z'), lastSeen: new Date('2026-02-28T00:01:00Z') };
}

/** A finding of `id` at `severity` in a deb package `name`, fixed unless told otherwise. */
function finding(id: string, severity: Severity, name = 'libxml2', options: { fixed?: boolean; pkg?: Package } = {}): Finding {
  const pkg = options.pkg ?? samplePackage({ name, version: '1.0-1' });
  return sampleFinding({ id, aliases: [`DEBIAN-${id}`], package: pkg, severity: { severity, kind: 'distribution', source: 'Debian urgency' }, fixedVersions: options.fixed === false ? [] : ['1.0-2'] });
}

function platform(findings: readonly Finding[], scan: Partial<ScanRecord> & { status?: ScanStatus } = {}, sbom?: ImageSbom): VerdictPlatformInput {
  return { scan: scanOf(scan.status ?? 'SCANNED', { findingCount: findings.length, ...scan }), findings: findings.map(stored), ...(sbom ? { sbom } : {}) };
}

function image(platforms: readonly VerdictPlatformInput[], overrides: Partial<VerdictInput> = {}): VerdictInput {
  return { key: keyIn('team/app'), tags: ['1.0'], kind: 'image', platforms, ...overrides };
}

function vex(statement: Record<string, unknown>): Record<string, unknown> {
  return {
    '@context': 'https://openvex.dev/ns/v0.2.0',
    '@id': 'https://example.com/vex/1',
    author: 'tests',
    timestamp: '2026-01-01T00:00:00Z',
    version: 1,
    statements: [{ status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path', ...statement }],
  };
}

describe('computeVerdict: one platform', () => {
  const critical = finding('CVE-2026-0001', 'CRITICAL');
  const high = finding('CVE-2026-0002', 'HIGH');

  it('fails a scanned image with a finding at or above failOn, saying how many and which', () => {
    const verdict = computeVerdict(image([platform([critical, high])]), policyOf({ default: { failOn: 'HIGH' } }), NOW);
    expect(verdict).toMatchObject({ verdict: 'FAIL', reason: '2 findings at or above HIGH (1 CRITICAL, 1 HIGH)', failingCount: 2, failingIds: ['CVE-2026-0001', 'CVE-2026-0002'], failOn: 'HIGH', mode: 'audit' });
    expect(verdict.counts).toEqual({ CRITICAL: 1, HIGH: 1, MEDIUM: 0, LOW: 0, UNKNOWN: 0 });
    expect(verdict.platforms).toEqual([{ digest: IMAGE, platform: AMD64, verdict: 'FAIL', status: 'SCANNED', scannedAt: new Date('2026-02-28T00:01:00Z') }]);
    expect(verdict.evaluatedAt).toBe(NOW);
  });

  it('passes a scanned image whose findings are all below failOn, still counting them', () => {
    const verdict = computeVerdict(image([platform([high])]), policyOf({}), NOW);
    expect(verdict).toMatchObject({ verdict: 'PASS', failingCount: 0, failingIds: [], failing: [], counts: { CRITICAL: 0, HIGH: 1, MEDIUM: 0, LOW: 0, UNKNOWN: 0 } });
    expect(verdict.reason).toBeUndefined();
    expect(verdict.worst.map((entry) => entry.id)).toEqual(['CVE-2026-0002']);
  });

  it('counts UNKNOWN only when failOn is UNKNOWN, as the CLI gate does', () => {
    const unrated = finding('CVE-2026-0003', 'UNKNOWN');
    expect(computeVerdict(image([platform([unrated])]), policyOf({ default: { failOn: 'LOW' } }), NOW).verdict).toBe('PASS');
    expect(computeVerdict(image([platform([unrated])]), policyOf({ default: { failOn: 'UNKNOWN' } }), NOW).verdict).toBe('FAIL');
  });

  it.each([
    ['FAILED', 'layer 2 does not match its digest'],
    ['NOT_AN_IMAGE', 'an attestation manifest'],
    ['UNSUPPORTED', 'schema 1 manifest'],
  ] as const)('takes a %s scan as the verdict, with its reason', (status, reason) => {
    const verdict = computeVerdict(image([platform([], { status, reason })]), policyOf({}), NOW);
    expect(verdict).toMatchObject({ verdict: status, reason, failingCount: 0, counts: { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, UNKNOWN: 0 } });
    expect(verdict.platforms[0]).toMatchObject({ verdict: status, status, reason });
  });

  it('never passes an image whose advisories are unavailable, but fails it on the findings already known', () => {
    const unavailable = { status: 'ADVISORIES_UNAVAILABLE', reason: 'advisories for Alpine are 3 days old', unavailableEcosystems: ['Alpine'] } as const;
    const below = computeVerdict(image([platform([high], unavailable)]), policyOf({}), NOW);
    expect(below).toMatchObject({ verdict: 'ADVISORIES_UNAVAILABLE', reason: 'advisories for Alpine are 3 days old', counts: { HIGH: 1 } });
    expect(computeVerdict(image([platform([], { ...unavailable, reason: undefined })]), policyOf({}), NOW).reason).toBe('advisories unavailable for Alpine');
    const failing = computeVerdict(image([platform([critical], unavailable)]), policyOf({}), NOW);
    expect(failing).toMatchObject({ verdict: 'FAIL', reason: '1 finding at or above CRITICAL (1 CRITICAL)' });
    expect(failing.platforms[0]).toMatchObject({ verdict: 'FAIL', status: 'ADVISORIES_UNAVAILABLE' });
  });

  it('carries the policy it used', () => {
    const policy = policyOf({ overrides: [{ repositories: { prefixes: ['team/'] }, mode: 'enforce', failOn: 'MEDIUM' }] });
    expect(computeVerdict(image([platform([])]), policy, NOW)).toMatchObject({ policyVersion: policy.version, policySource: 'prefix:team/', mode: 'enforce', failOn: 'MEDIUM' });
  });

  it('names failing findings with what an alert needs', () => {
    const [entry] = computeVerdict(image([platform([critical])]), policyOf({}), NOW).failing;
    expect(entry).toEqual({
      key: toRawFinding(critical).key,
      id: 'CVE-2026-0001',
      aliases: ['DEBIAN-CVE-2026-0001'],
      severity: 'CRITICAL',
      severitySource: 'Debian urgency',
      package: { name: 'libxml2', version: '1.0-1', purl: critical.package.purl, type: 'deb', path: '/var/lib/dpkg/status' },
      installedVersion: critical.installedVersion,
      fixedVersions: ['1.0-2'],
      manifestDigest: IMAGE,
      title: critical.title,
    });
  });
});

describe('computeVerdict: an index', () => {
  const high = finding('CVE-2026-0002', 'HIGH');
  const amd64 = (findings: readonly Finding[], scan: Partial<ScanRecord> = {}) => platform(findings, { digest: digestOf('a'), platform: AMD64, indexDigest: INDEX, ...scan });
  const arm64 = (findings: readonly Finding[], scan: Partial<ScanRecord> = {}) => platform(findings, { digest: digestOf('b'), platform: ARM64, indexDigest: INDEX, ...scan });
  const attestation = platform([], { digest: digestOf('c'), platform: { os: 'unknown', architecture: 'unknown' }, status: 'NOT_AN_IMAGE', reason: 'an attestation manifest' });
  const index = (platforms: readonly VerdictPlatformInput[]) => image(platforms, { key: keyIn('team/app', INDEX), kind: 'index' });

  it('is decided by a real platform, never by its attestation manifests', () => {
    const verdict = computeVerdict(index([amd64([]), arm64([]), attestation]), policyOf({}), NOW);
    expect(verdict.verdict).toBe('PASS');
    expect(verdict.platforms.map((entry) => entry.verdict)).toEqual(['PASS', 'PASS', 'NOT_AN_IMAGE']);
  });

  it('takes the worst platform: FAIL, then FAILED, then ADVISORIES_UNAVAILABLE, then PASS, then UNSUPPORTED', () => {
    const failed = { status: 'FAILED', reason: 'layer 2 is not gzip' } as const;
    const unavailable = { status: 'ADVISORIES_UNAVAILABLE', reason: 'no advisories for npm' } as const;
    const unsupported = { status: 'UNSUPPORTED', reason: 'windows image' } as const;
    const strict = policyOf({ default: { failOn: 'HIGH' } });
    expect(computeVerdict(index([arm64([], failed), amd64([high])]), strict, NOW)).toMatchObject({ verdict: 'FAIL', reason: '1 finding at or above HIGH (1 HIGH)' });
    expect(computeVerdict(index([amd64([]), arm64([], failed), attestation]), strict, NOW)).toMatchObject({ verdict: 'FAILED', reason: 'linux/arm64: layer 2 is not gzip' });
    expect(computeVerdict(index([amd64([], unavailable), arm64([], failed)]), strict, NOW)).toMatchObject({ verdict: 'FAILED' });
    expect(computeVerdict(index([amd64([]), arm64([], unavailable)]), strict, NOW)).toMatchObject({ verdict: 'ADVISORIES_UNAVAILABLE', reason: 'linux/arm64: no advisories for npm' });
    expect(computeVerdict(index([amd64([], unsupported), arm64([])]), strict, NOW)).toMatchObject({ verdict: 'PASS' });
    expect(computeVerdict(index([amd64([], unsupported), attestation]), strict, NOW)).toMatchObject({ verdict: 'UNSUPPORTED', reason: 'linux/amd64: windows image' });
    expect(computeVerdict(index([attestation]), strict, NOW)).toMatchObject({ verdict: 'NOT_AN_IMAGE' });
  });

  it('is UNSUPPORTED, with a reason, when it has no platform', () => {
    expect(computeVerdict(index([]), policyOf({}), NOW)).toMatchObject({ verdict: 'UNSUPPORTED', reason: 'the index lists no platform image Customs scanned', platforms: [] });
  });

  it('counts a finding once per platform, as the CLI gate does, and names its ID once', () => {
    const verdict = computeVerdict(index([amd64([high]), arm64([high]), attestation]), policyOf({ default: { failOn: 'HIGH' } }), NOW);
    expect(verdict).toMatchObject({ failingCount: 2, failingIds: ['CVE-2026-0002'], counts: { HIGH: 2 } });
    expect(verdict.failing.map((entry) => entry.manifestDigest)).toEqual([digestOf('a'), digestOf('b')]);
  });
});

describe('computeVerdict: ignore entries', () => {
  const critical = finding('CVE-2026-0001', 'CRITICAL');
  const policy = policyOf({ default: { ignore: [{ id: 'cve-2026-0001', reason: 'not reachable; SEC-1', expires: '2026-03-31' }] } });

  it('passes while an unexpired entry removes the failing finding, and says when to look again', () => {
    const verdict = computeVerdict(image([platform([critical])]), policy, NOW);
    expect(verdict).toMatchObject({ verdict: 'PASS', failingCount: 0, suppressedCount: 1, reviewAt: new Date('2026-03-31T23:59:59.999Z') });
    expect(verdict.suppressions).toEqual([
      { key: toRawFinding(critical).key, id: 'CVE-2026-0001', packageName: 'libxml2', manifestDigest: IMAGE, severity: 'CRITICAL', by: 'ignore', reason: 'not reachable; SEC-1', expires: '2026-03-31' },
    ]);
  });

  it('fails again once the entry has expired, with nothing left to review', () => {
    const verdict = computeVerdict(image([platform([critical])]), policy, new Date('2026-04-01T00:00:00Z'));
    expect(verdict).toMatchObject({ verdict: 'FAIL', failingIds: ['CVE-2026-0001'], suppressedCount: 0, suppressions: [] });
    expect(verdict.reviewAt).toBeUndefined();
  });

  it('reviews at the earliest expiry among the entries in use, ignoring entries without one or matching nothing', () => {
    const two = [finding('CVE-2026-0001', 'CRITICAL'), finding('CVE-2026-0004', 'CRITICAL', 'zlib')];
    const entries = [
      { id: 'CVE-2026-0001', reason: 'a', expires: '2026-05-01T10:00:00Z' },
      { id: 'CVE-2026-0004', reason: 'b', expires: '2026-04-15' },
      { id: 'CVE-2026-0009', reason: 'matches nothing', expires: '2026-03-02' },
    ];
    expect(computeVerdict(image([platform(two)]), policyOf({ default: { ignore: entries } }), NOW).reviewAt).toEqual(new Date('2026-04-15T23:59:59.999Z'));
    expect(computeVerdict(image([platform(two)]), policyOf({ default: { ignore: [{ id: 'CVE-2026-0001', reason: 'a' }] } }), NOW).reviewAt).toBeUndefined();
  });

  it('scopes an entry to a source package name through the SBOM', () => {
    const libssl = samplePackage({ name: 'libssl3', version: '3.0.11-1', source: { name: 'openssl', version: '3.0.11-1' }, purl: 'pkg:deb/debian/libssl3@3.0.11-1' });
    const inLibssl = finding('CVE-2026-0005', 'CRITICAL', 'libssl3', { pkg: libssl });
    const scoped = policyOf({ default: { ignore: [{ id: 'CVE-2026-0005', reason: 'openssl accepted', package: 'openssl' }] } });
    expect(policyNeedsSbom(scoped)).toBe(true);
    expect(computeVerdict(image([platform([inLibssl], {}, sampleImageSbom([libssl]))]), scoped, NOW).verdict).toBe('PASS');
    // Without the SBOM only the binary package is known, so the entry cannot apply: never fail open.
    expect(computeVerdict(image([platform([inLibssl])]), scoped, NOW).verdict).toBe('FAIL');
  });
});

describe('computeVerdict: VEX', () => {
  const critical = finding('CVE-2026-0001', 'CRITICAL');
  const policyWith = (statement: Record<string, unknown>) => policyOf({ default: { vex: [{ inline: vex(statement) }] } });

  it('suppresses a not_affected finding named by the package purl, with the CLI reason', () => {
    const policy = policyWith({ vulnerability: { name: 'CVE-2026-0001' }, products: [{ '@id': 'pkg:deb/debian/libxml2' }], impact_statement: 'XML is never parsed' });
    expect(policyNeedsSbom(policy)).toBe(false);
    const verdict = computeVerdict(image([platform([critical])]), policy, NOW);
    expect(verdict).toMatchObject({ verdict: 'PASS', suppressedCount: 1 });
    expect(verdict.suppressions[0]).toMatchObject({
      by: 'vex',
      reason: 'VEX not_affected (vulnerable_code_not_in_execute_path): XML is never parsed',
      vex: { status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path', document: 'policy default vex[0] (inline)' },
    });
  });

  it('names the image by the repository judged, not the one its SBOM was first scanned in', () => {
    const policy = policyWith({ vulnerability: { name: 'CVE-2026-0001' }, products: [{ '@id': 'pkg:oci/app' }] });
    const sbom = sampleImageSbom([critical.package], { repository: 'registry.example/elsewhere/other' });
    expect(computeVerdict(image([platform([critical], {}, sbom)], { key: keyIn('team/app') }), policy, NOW).verdict).toBe('PASS');
    expect(computeVerdict(image([platform([critical])], { key: keyIn('team/app') }), policy, NOW).verdict).toBe('PASS');
    expect(computeVerdict(image([platform([critical], {}, sbom)], { key: keyIn('team/web') }), policy, NOW).verdict).toBe('FAIL');
  });

  it('matches a tag qualifier against any of the tags the image has now, and a digest against the judged manifest', () => {
    const tagged = policyWith({ vulnerability: { name: 'CVE-2026-0001' }, products: [{ '@id': 'pkg:oci/app?tag=stable' }] });
    expect(computeVerdict(image([platform([critical])], { tags: ['1.0', 'stable'] }), tagged, NOW).verdict).toBe('PASS');
    expect(computeVerdict(image([platform([critical])], { tags: ['1.0'] }), tagged, NOW).verdict).toBe('FAIL');
    expect(computeVerdict(image([platform([critical])], { tags: [] }), tagged, NOW).verdict).toBe('FAIL');
    const pinned = policyWith({ vulnerability: { name: 'CVE-2026-0001' }, products: [{ '@id': `pkg:oci/app@${encodeURIComponent(IMAGE)}` }] });
    expect(computeVerdict(image([platform([critical])]), pinned, NOW).verdict).toBe('PASS');
    expect(computeVerdict(image([platform([critical], { digest: digestOf('2') })]), pinned, NOW).verdict).toBe('FAIL');
  });

  it('matches an index digest for the platforms of the index judged', () => {
    const policy = policyWith({ vulnerability: { name: 'CVE-2026-0001' }, products: [{ '@id': `pkg:oci/app@${encodeURIComponent(INDEX)}?arch=arm64` }] });
    const input = image(
      [platform([critical], { digest: digestOf('a'), platform: AMD64 }), platform([critical], { digest: digestOf('b'), platform: ARM64 })],
      { key: keyIn('team/app', INDEX), kind: 'index' },
    );
    const verdict = computeVerdict(input, policy, NOW);
    expect(verdict.platforms.map((entry) => entry.verdict)).toEqual(['FAIL', 'PASS']);
    expect(verdict).toMatchObject({ verdict: 'FAIL', failingCount: 1, suppressedCount: 1 });
  });

  it('keeps the registry of the SBOM for a repository_url qualifier, and needs the SBOM for it', () => {
    const policy = policyWith({ vulnerability: { name: 'CVE-2026-0001' }, products: [{ '@id': 'pkg:oci/app?repository_url=registry.example/team/app' }] });
    expect(policyNeedsSbom(policy)).toBe(true);
    const sbom = sampleImageSbom([critical.package], { repository: 'registry.example/elsewhere/app' });
    expect(computeVerdict(image([platform([critical], {}, sbom)]), policy, NOW).verdict).toBe('PASS');
    expect(computeVerdict(image([platform([critical], {}, sbom)], { key: keyIn('other/app') }), policy, NOW).verdict).toBe('FAIL');
  });

  it('does not suppress an affected statement', () => {
    const policy = policyWith({ vulnerability: { name: 'CVE-2026-0001' }, products: [{ '@id': 'pkg:deb/debian/libxml2' }], status: 'affected', justification: undefined, action_statement: 'upgrade' });
    expect(computeVerdict(image([platform([critical])]), policy, NOW)).toMatchObject({ verdict: 'FAIL', suppressedCount: 0 });
  });
});

describe('computeVerdict: ignoreUnfixed', () => {
  it('leaves out unfixed findings, counted as suppressed but not listed with the ignore and VEX suppressions', () => {
    const unfixed = finding('CVE-2026-0006', 'CRITICAL', 'libxml2', { fixed: false });
    expect(computeVerdict(image([platform([unfixed])]), policyOf({}), NOW).verdict).toBe('FAIL');
    const verdict = computeVerdict(image([platform([unfixed])]), policyOf({ default: { ignoreUnfixed: true } }), NOW);
    expect(verdict).toMatchObject({ verdict: 'PASS', suppressedCount: 1, suppressions: [], counts: { CRITICAL: 0 } });
  });
});

describe('computeVerdict: one digest in two repositories', () => {
  it('judges it by each repository’s own policy', () => {
    const document: PolicyDocumentInput = { default: { failOn: 'CRITICAL' }, overrides: [{ repositories: { prefixes: ['payments/'] }, failOn: 'HIGH' }] };
    const catalogue = compilePolicyCatalogue(parsePolicyDocument(document), new Map());
    const platforms = [platform([finding('CVE-2026-0002', 'HIGH')])];
    const lenient = computeVerdict(image(platforms, { key: keyIn('web/app') }), catalogue.policyFor('web/app'), NOW);
    const strict = computeVerdict(image(platforms, { key: keyIn('payments/app') }), catalogue.policyFor('payments/app'), NOW);
    expect([lenient.verdict, strict.verdict]).toEqual(['PASS', 'FAIL']);
    expect(lenient.policyVersion).not.toBe(strict.policyVersion);
  });
});

describe('computeVerdict: ordering and caps', () => {
  it('lists failing findings worst first: severity, then ID, then package name', () => {
    const findings = [finding('CVE-2026-0003', 'HIGH', 'b'), finding('CVE-2026-0009', 'CRITICAL', 'z'), finding('CVE-2026-0003', 'HIGH', 'a'), finding('CVE-2026-0001', 'HIGH', 'c')];
    const verdict = computeVerdict(image([platform(findings)]), policyOf({ default: { failOn: 'HIGH' } }), NOW);
    expect(verdict.failing.map((entry) => `${entry.id} ${entry.package.name}`)).toEqual(['CVE-2026-0009 z', 'CVE-2026-0001 c', 'CVE-2026-0003 a', 'CVE-2026-0003 b']);
  });

  it('caps the lists it keeps but counts everything', () => {
    const many = Array.from({ length: 150 }, (_, index) => finding(`CVE-2026-${String(1000 + index)}`, index % 3 === 0 ? 'CRITICAL' : 'LOW', `pkg${String(index)}`));
    const failingTotal = many.filter((entry) => entry.severity.severity === 'CRITICAL').length;
    const verdict = computeVerdict(image([platform(many)]), policyOf({}), NOW);
    expect(verdict.failingCount).toBe(failingTotal);
    expect(verdict.failingIds).toHaveLength(failingTotal);
    expect(verdict.counts).toEqual({ CRITICAL: failingTotal, HIGH: 0, MEDIUM: 0, LOW: 150 - failingTotal, UNKNOWN: 0 });
    expect(verdict.worst).toHaveLength(MAX_WORST_FINDINGS);
    expect(verdict.worst.every((entry) => entry.severity === 'CRITICAL')).toBe(true);

    const failingAll = computeVerdict(image([platform(many)]), policyOf({ default: { failOn: 'LOW' } }), NOW);
    expect(failingAll.failingCount).toBe(150);
    expect(failingAll.failing).toHaveLength(MAX_VERDICT_FINDINGS);
    expect(failingAll.failing.slice(0, failingTotal).every((entry) => entry.severity === 'CRITICAL')).toBe(true);

    const ignoredAll = computeVerdict(image([platform(many)]), policyOf({ default: { ignore: many.map((entry) => ({ id: entry.id, reason: 'accepted' })) } }), NOW);
    expect(ignoredAll).toMatchObject({ verdict: 'PASS', suppressedCount: 150 });
    expect(ignoredAll.suppressions).toHaveLength(MAX_VERDICT_FINDINGS);
  });
});

describe('policyNeedsSbom', () => {
  it('is false for what the stored findings already tell', () => {
    expect(policyNeedsSbom(policyOf({}))).toBe(false);
    expect(policyNeedsSbom(policyOf({ default: { ignore: [{ id: 'CVE-1', reason: 'r', package: 'pkg:deb/debian/openssl', path: '/usr/**' }] } }))).toBe(false);
    expect(policyNeedsSbom(policyOf({ default: { vex: [{ inline: vex({ vulnerability: { name: 'CVE-1' }, products: [{ '@id': 'pkg:oci/app?tag=1' }] }) }] } }))).toBe(false);
  });

  it('is true for a package product with subcomponents, which needs every package of the image', () => {
    const statement = { vulnerability: { name: 'CVE-1' }, products: [{ '@id': 'pkg:npm/app', subcomponents: [{ '@id': 'pkg:npm/lodash' }] }] };
    expect(policyNeedsSbom(policyOf({ default: { vex: [{ inline: vex(statement) }] } }))).toBe(true);
  });
});
