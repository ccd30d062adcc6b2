import { shortDigest } from '../digest.ts';
import { SEVERITIES, type Finding, type Suppression } from '../findings/model.ts';
import { isAtLeast } from '../findings/severity-order.ts';
import { formatPlatform } from '../image/platform.ts';
import { applyPolicy } from '../policy/apply-policy.ts';
import { evaluateGate } from '../policy/gate.ts';
import type { RepositoryPolicy } from '../policy/repository-policy.ts';
import type { ImageSbom } from '../sbom/model.ts';
import type { ImageKey, ScanRecord, StoredFinding } from './model.ts';
import { judgedPlatform } from './stored-finding-to-finding.ts';
import {
  MAX_VERDICT_FINDINGS,
  MAX_WORST_FINDINGS,
  type PlatformVerdict,
  type SeverityCounts,
  type Verdict,
  type VerdictFinding,
  type VerdictSuppression,
  type VerdictValue,
} from './verdict-model.ts';
import { compareFindings, compareVerdicts, type RankedFinding } from './verdict-ranking.ts';

export interface VerdictPlatformInput {
  readonly scan: ScanRecord;
  readonly findings: readonly StoredFinding[];
  /** The platform's SBOM, when the policy needs it (see policyNeedsSbom). */
  readonly sbom?: ImageSbom;
}

export interface VerdictInput {
  readonly key: ImageKey;
  /** The image's tags in the judged repository now. */
  readonly tags: readonly string[];
  readonly kind: 'image' | 'index';
  /** An image's one platform manifest, or an index's children (attestation manifests included). */
  readonly platforms: readonly VerdictPlatformInput[];
}

/** One platform judged, with what the verdict sums over platforms. */
interface PlatformJudgement {
  readonly platform: PlatformVerdict;
  readonly scan: ScanRecord;
  readonly remaining: readonly VerdictFinding[];
  readonly failing: readonly VerdictFinding[];
  readonly suppressions: readonly VerdictSuppression[];
  /** The gate's count: remaining findings at or above failOn. */
  readonly failingCount: number;
  readonly suppressedCount: number;
  readonly reviewAt?: number;
}

/**
 * Judges one image in one repository by that repository's policy, from the stored raw findings,
 * with the CLI's own applyPolicy and gate: what `customs scan --fail-on` would suppress and count,
 * this suppresses (same `by`, same reason) and counts. Pure: `now` decides ignore entries' expiry.
 */
export function computeVerdict(input: VerdictInput, policy: RepositoryPolicy, now: Date): Verdict {
  const judged = input.platforms.map((platform) => judgePlatform(platform, input, policy, now));
  // The first of the worst decides, so an index's verdict does not depend on sorting ties.
  const deciding = judged.reduce<PlatformJudgement | undefined>((worst, next) => (!worst || compareVerdicts(next.platform.verdict, worst.platform.verdict) < 0 ? next : worst), undefined);
  const verdict: VerdictValue = deciding?.platform.verdict ?? 'UNSUPPORTED';
  const remaining = judged.flatMap((platform) => platform.remaining);
  const failing = judged.flatMap((platform) => platform.failing).sort(compareVerdictFindings);
  const counts = countBySeverity(remaining);
  const reviewAt = judged.reduce<number | undefined>((earliest, platform) => (platform.reviewAt !== undefined && (earliest === undefined || platform.reviewAt < earliest) ? platform.reviewAt : earliest), undefined);
  const reason = verdict === 'FAIL' ? failReason(failing, policy) : deciding ? platformReason(deciding, input.kind) : noPlatformReason(input.kind);
  return {
    verdict,
    ...(reason !== undefined ? { reason } : {}),
    policyVersion: policy.version,
    policySource: policy.source,
    mode: policy.mode,
    failOn: policy.failOn,
    counts,
    failingCount: judged.reduce((sum, platform) => sum + platform.failingCount, 0),
    failingIds: [...new Set(failing.map((finding) => finding.id))].sort(),
    failing: failing.slice(0, MAX_VERDICT_FINDINGS),
    worst: [...remaining].sort(compareVerdictFindings).slice(0, MAX_WORST_FINDINGS),
    suppressedCount: judged.reduce((sum, platform) => sum + platform.suppressedCount, 0),
    suppressions: judged
      .flatMap((platform) => platform.suppressions)
      .sort((a, b) => compareFindings(rankOfSuppression(a), rankOfSuppression(b)))
      .slice(0, MAX_VERDICT_FINDINGS),
    platforms: judged.map((platform) => platform.platform),
    ...(reviewAt !== undefined ? { reviewAt: new Date(reviewAt) } : {}),
    evaluatedAt: now,
  };
}

/**
 * Whether judging needs each platform's SBOM rather than the packages the findings recorded: an
 * ignore entry scoped to a package name may name the source package, which only the SBOM has; a
 * VEX product that is a package with subcomponents needs every package of the image; a `pkg:oci`
 * product with a `repository_url` needs the registry the image was read from.
 */
export function policyNeedsSbom(policy: RepositoryPolicy): boolean {
  if (policy.ignores.some((rule) => rule.package?.kind === 'name')) return true;
  return policy.vex.some((statement) =>
    statement.products.some(
      (product) => product.purl !== undefined && (product.purl.type === 'oci' ? product.purl.qualifiers.repository_url !== undefined : product.subcomponents.length > 0),
    ),
  );
}

function judgePlatform(input: VerdictPlatformInput, image: VerdictInput, policy: RepositoryPolicy, now: Date): PlatformJudgement {
  const { scan } = input;
  const record = {
    digest: scan.digest,
    ...(scan.platform ? { platform: scan.platform } : {}),
    status: scan.status,
    ...(scan.reason !== undefined ? { reason: scan.reason } : {}),
    scannedAt: scan.finishedAt,
  };
  if (scan.status !== 'SCANNED' && scan.status !== 'ADVISORIES_UNAVAILABLE') {
    return { platform: { ...record, verdict: scan.status }, scan, remaining: [], failing: [], failingCount: 0, suppressions: [], suppressedCount: 0 };
  }
  const judged = judgedPlatform(scan, input.findings, image, input.sbom);
  const outcome = applyPolicy(judged.findings, judged.sbom, { ignores: policy.ignores, vex: policy.vex, ignoreUnfixed: policy.ignoreUnfixed, now });
  const gate = evaluateGate([{ sbom: judged.sbom, findings: outcome.findings, suppressed: outcome.suppressed, warnings: [] }], policy.failOn);
  const toVerdictFinding = (finding: Finding): VerdictFinding => verdictFindingOf(finding, judged.storedOf.get(finding)!, scan);
  const remaining = outcome.findings.map(toVerdictFinding);
  // Findings known to fail decide even when some advisories are missing; a pass is never assumed.
  const verdict: VerdictValue = !gate.passed ? 'FAIL' : scan.status === 'SCANNED' ? 'PASS' : 'ADVISORIES_UNAVAILABLE';
  const chosen = outcome.suppressed.filter((suppression) => suppression.by === 'ignore' || suppression.by === 'vex');
  const reviewAt = earliestExpiry(chosen, policy);
  return {
    platform: { ...record, verdict },
    scan,
    remaining,
    failing: remaining.filter((finding) => isAtLeast(finding.severity, policy.failOn)),
    failingCount: gate.failing,
    suppressions: chosen.map((suppression) => suppressionOf(suppression, judged.storedOf.get(suppression.finding)!, scan)),
    suppressedCount: outcome.suppressed.length,
    ...(reviewAt !== undefined ? { reviewAt } : {}),
  };
}

/**
 * The earliest end of an ignore entry that removed a finding now. A suppression carries the entry's
 * expiry as written; every entry written so ends at the same instant.
 */
function earliestExpiry(suppressions: readonly Suppression[], policy: RepositoryPolicy): number | undefined {
  const ends = new Map(policy.ignores.flatMap((rule) => (rule.expires !== undefined && rule.expiresAt !== undefined ? [[rule.expires, rule.expiresAt] as const] : [])));
  let earliest: number | undefined;
  for (const suppression of suppressions) {
    const end = suppression.by === 'ignore' && suppression.expires !== undefined ? ends.get(suppression.expires) : undefined;
    if (end !== undefined && (earliest === undefined || end < earliest)) earliest = end;
  }
  return earliest;
}

function verdictFindingOf(finding: Finding, stored: StoredFinding, scan: ScanRecord): VerdictFinding {
  const { package: pkg } = stored;
  return {
    key: stored.key,
    id: finding.id,
    aliases: finding.aliases,
    severity: finding.severity.severity,
    ...(finding.severity.source !== undefined ? { severitySource: finding.severity.source } : {}),
    package: { name: pkg.name, version: pkg.version, purl: pkg.purl, type: pkg.type, path: pkg.path },
    installedVersion: finding.installedVersion,
    fixedVersions: finding.fixedVersions,
    manifestDigest: scan.digest,
    ...(finding.title !== undefined ? { title: finding.title } : {}),
  };
}

function suppressionOf(suppression: Suppression, stored: StoredFinding, scan: ScanRecord): VerdictSuppression {
  return {
    key: stored.key,
    id: stored.id,
    packageName: stored.package.name,
    manifestDigest: scan.digest,
    severity: stored.severity.severity,
    by: suppression.by,
    reason: suppression.reason,
    ...(suppression.expires !== undefined ? { expires: suppression.expires } : {}),
    ...(suppression.vex ? { vex: suppression.vex } : {}),
  };
}

function countBySeverity(findings: readonly VerdictFinding[]): SeverityCounts {
  const counts = Object.fromEntries(SEVERITIES.map((severity) => [severity, 0])) as Record<(typeof SEVERITIES)[number], number>;
  for (const finding of findings) counts[finding.severity]++;
  return counts;
}

/** `3 findings at or above HIGH (1 CRITICAL, 2 HIGH)`. */
function failReason(failing: readonly VerdictFinding[], policy: RepositoryPolicy): string {
  const counts = countBySeverity(failing);
  const parts = SEVERITIES.filter((severity) => counts[severity] > 0).map((severity) => `${String(counts[severity])} ${severity}`);
  return `${String(failing.length)} finding${failing.length === 1 ? '' : 's'} at or above ${policy.failOn} (${parts.join(', ')})`;
}

/** The deciding scan's own reason; an index's names the platform it is about. */
function platformReason(platform: PlatformJudgement, kind: VerdictInput['kind']): string | undefined {
  const { scan } = platform;
  const reason = scan.reason ?? (scan.unavailableEcosystems?.length ? `advisories unavailable for ${scan.unavailableEcosystems.join(', ')}` : undefined);
  if (reason === undefined || kind === 'image') return reason;
  return `${scan.platform ? formatPlatform(scan.platform) : shortDigest(scan.digest)}: ${reason}`;
}

function noPlatformReason(kind: VerdictInput['kind']): string {
  return kind === 'index' ? 'the index lists no platform image Customs scanned' : 'no scan of the image to judge';
}

function compareVerdictFindings(a: VerdictFinding, b: VerdictFinding): number {
  return compareFindings(rankOf(a), rankOf(b));
}

function rankOf(finding: VerdictFinding): RankedFinding {
  return { severity: finding.severity, id: finding.id, packageName: finding.package.name, manifestDigest: finding.manifestDigest, key: finding.key };
}

function rankOfSuppression(suppression: VerdictSuppression): RankedFinding {
  return { severity: suppression.severity, id: suppression.id, packageName: suppression.packageName, manifestDigest: suppression.manifestDigest, key: suppression.key };
}
