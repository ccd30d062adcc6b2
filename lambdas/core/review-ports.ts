import type { Digest } from './digest.ts';
import type { ImageKey, RepositoryKey } from './pipeline/model.ts';
import type { SeverityCounts, VerdictValue } from './pipeline/verdict-model.ts';

/**
 * Ports of the daily review and the re-index (issue 15): read-only listings the stores answer from
 * indexes they already keep, so neither job scans the table.
 */

/** A stored verdict's plain attributes: enough to tell whether it needs judging again, without its document. */
export interface VerdictSummary {
  readonly key: ImageKey;
  readonly verdict: VerdictValue;
  readonly policyVersion: string;
  /** Verdict.counts: findings left after the policy, by severity (the API's repository counts and the daily history read them). */
  readonly counts: SeverityCounts;
  /** Verdict.failingCount: remaining findings at or above the policy's failOn. */
  readonly failingCount: number;
  readonly evaluatedAt: Date;
  /** Verdict.reviewAt: the earliest expiry of an ignore entry it relies on. */
  readonly reviewAt?: Date;
  /** An alert decided and not yet confirmed published. */
  readonly pendingAlertId?: string;
}

/** The verdicts of one repository (a Query of its partition, every page), in digest order. */
export interface VerdictListing {
  listRepository(repository: RepositoryKey): Promise<readonly VerdictSummary[]>;
}

/** A committed scan made by a scanner version other than the one running. */
export interface OutdatedScan {
  readonly digest: Digest;
  readonly scannerVersion: string;
  readonly finishedAt: Date;
}

/** Committed scans by scanner version (an index the scan result store keeps with each result). */
export interface ScanVersionIndex {
  /** Scans made by any version but `current`, oldest `finishedAt` first, read page by page as iterated. */
  outdated(current: string): AsyncIterable<OutdatedScan>;
}
