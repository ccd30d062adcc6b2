import type { Digest } from '../digest.ts';
import type { Severity, SeverityRating, Suppression } from '../findings/model.ts';
import type { Platform } from '../image/platform.ts';
import type { PolicyMode } from '../policy/repository-policy.ts';
import type { ScanStatus } from './model.ts';

/**
 * A verdict: one image in one repository judged by that repository's policy, from the stored raw
 * findings. Kept per account, region, repository and digest (the same digest may pass in one
 * repository and fail in another), with the policy version it used.
 */
export type VerdictValue = 'PASS' | 'FAIL' | 'ADVISORIES_UNAVAILABLE' | 'FAILED' | 'NOT_AN_IMAGE' | 'UNSUPPORTED';

/** A finding as a verdict and an alert name it: no advisory texts. */
export interface VerdictFinding {
  /** RawFinding.key, unique within the platform manifest. */
  readonly key: string;
  readonly id: string;
  readonly aliases: readonly string[];
  readonly severity: Severity;
  /** Who rated it (SeverityRating.source), when known. */
  readonly severitySource?: SeverityRating['source'];
  readonly package: { readonly name: string; readonly version: string; readonly purl: string; readonly type: string; readonly path: string };
  readonly installedVersion: string;
  /** Lowest first; empty when no fix is available. */
  readonly fixedVersions: readonly string[];
  /** The platform manifest it is in (for an index, one of its children). */
  readonly manifestDigest: Digest;
  readonly title?: string;
}

/** A finding the policy removed, as applyPolicy said: the same `by` and `reason` as `customs scan`. */
export interface VerdictSuppression {
  readonly key: string;
  readonly id: string;
  readonly packageName: string;
  readonly manifestDigest: Digest;
  readonly severity: Severity;
  readonly by: Suppression['by'];
  readonly reason: string;
  readonly expires?: string;
  readonly vex?: Suppression['vex'];
}

/** One platform manifest's part in the verdict (an image has one; an index one per child). */
export interface PlatformVerdict {
  readonly digest: Digest;
  readonly platform?: Platform;
  readonly verdict: VerdictValue;
  /** The scan's status and one-line reason (FAILED, UNSUPPORTED, ADVISORIES_UNAVAILABLE…). */
  readonly status: ScanStatus;
  readonly reason?: string;
  /** ScanRecord.finishedAt of the scan judged, so a later scan is seen as new input. */
  readonly scannedAt: Date;
}

export type SeverityCounts = Readonly<Record<Severity, number>>;

export interface Verdict {
  readonly verdict: VerdictValue;
  /** Why, in one line, when not PASS/FAIL (the scan's reason), or which threshold FAIL crossed. */
  readonly reason?: string;
  readonly policyVersion: string;
  /** RepositoryPolicy.source. */
  readonly policySource: string;
  readonly mode: PolicyMode;
  readonly failOn: Severity;
  /** Findings remaining after the policy, by severity, summed over platforms (the CLI's gate counts so). */
  readonly counts: SeverityCounts;
  /** Remaining findings at or above failOn, summed over platforms. */
  readonly failingCount: number;
  /** Distinct vulnerability IDs at or above failOn, sorted: what an alert's "what changed" compares. */
  readonly failingIds: readonly string[];
  /** The failing findings, worst first, at most MAX_VERDICT_FINDINGS (alerts and finding events use them). */
  readonly failing: readonly VerdictFinding[];
  /** The worst remaining findings (failing or not), at most MAX_WORST_FINDINGS. */
  readonly worst: readonly VerdictFinding[];
  readonly suppressedCount: number;
  /** Suppressions by ignore entry and VEX (not the severity/unfixed filters), at most MAX_VERDICT_FINDINGS. */
  readonly suppressions: readonly VerdictSuppression[];
  readonly platforms: readonly PlatformVerdict[];
  /**
   * The earliest expiry of an ignore entry that suppresses a finding now: past it the verdict may
   * change without any new scan or policy, so it must be evaluated again.
   */
  readonly reviewAt?: Date;
  readonly evaluatedAt: Date;
}

export const MAX_VERDICT_FINDINGS = 100;
export const MAX_WORST_FINDINGS = 10;

/** What was last reported for an image (or decided silently), so each change is announced once. */
export interface AnnouncedVerdict {
  readonly verdict: VerdictValue;
  readonly failingIds: readonly string[];
  readonly policyVersion: string;
  /** The alert that announced it; absent when the state was recorded without an alert (a first PASS). */
  readonly alertId?: string;
  readonly at: Date;
}
