import type { Digest } from '../digest.ts';
import type { Severity } from '../findings/model.ts';
import type { ImageKey } from './model.ts';

/**
 * Quarantine: what enforce mode does to an image that fails its repository's policy, reversibly.
 *
 * The promise (the README says the same, and both registry adapters honour it):
 * - `untag` stops pulls *by the quarantined tags*: each tag the image had is removed, and only when
 *   it still names this digest (a tag pushed again meanwhile names the newer image and is left
 *   alone). The digest itself stays pullable (`repo@sha256:…`), so running services and their next
 *   scale-out keep working; a marker tag unique to the digest keeps the image from being deleted
 *   with its last tag and shows in the registry why it is there.
 * - `archive` (ECR only) stops *every* pull, by tag and by digest, while the image and its tags stay
 *   listed.
 * - Release restores what quarantine removed: each removed tag goes back on the digest unless
 *   somebody pushed that tag since (a newer push wins, always), then the marker goes; an archived
 *   image is restored to standard storage (not instant: `ACTIVATING` until pulls work again).
 * - Nothing else changes: no other digest, tag, repository or replica is touched.
 */

export const QUARANTINE_MARKER_PREFIX = 'customs-quarantine-';

const MARKER = /^customs-quarantine-[0-9a-f]{12}$/;

/** The marker tag of a digest: the prefix and the first 12 hex digits of its hash. */
export function quarantineMarkerOf(digest: Digest): string {
  const hex = digest.slice(digest.indexOf(':') + 1, digest.indexOf(':') + 13);
  return `${QUARANTINE_MARKER_PREFIX}${hex}`;
}

/** Whether a tag is one quarantine puts (so its PUSH event is the pipeline's own, not a user's). */
export function isQuarantineMarker(tag: string): boolean {
  return MARKER.test(tag);
}

export type QuarantineMethod = 'untag' | 'archive';

/** What a repository's policy says quarantine does (only in `enforce` mode). */
export interface QuarantinePolicy {
  /** Default `untag`. */
  readonly method: QuarantineMethod;
  /**
   * Where a tag to remove is immutable (IMMUTABLE, or an `_WITH_EXCLUSION` mode covering it):
   * removing it would free a name users trust never to change for anyone to push other content.
   * `archive` (default) archives instead, `alert-only` does nothing but alert, `untag` is the
   * explicit opt-in to untag anyway.
   */
  readonly immutableTags: 'archive' | 'alert-only' | 'untag';
  /**
   * Whether a re-evaluation of an image already in the registry (rescan, policy change, expired
   * ignore entry) quarantines too. Default false: a tag running services use would break their next
   * scale-out, so such failures alert only.
   */
  readonly enforceOnRescan: boolean;
}

export const DEFAULT_QUARANTINE_POLICY: QuarantinePolicy = { method: 'untag', immutableTags: 'archive', enforceOnRescan: false };

/** Why enforcement runs: a push (new tag or image) or a re-evaluation of what is already there. */
export type QuarantineTrigger = 'push' | 'rescan';

/**
 * - QUARANTINING: started (intent written); a crash here is resumed by the next attempt.
 * - QUARANTINED: done; a new tag pushed onto the digest is removed too (same record).
 * - RELEASING: a release started; resumed by its retry. Enforcement leaves the image alone.
 * - RELEASED: done; the same failing findings do not quarantine the image again.
 * - SKIPPED: enforce mode applied but quarantine could not hold or was not allowed (pull-through
 *   cache, immutable tags with `alert-only`, archive unsupported); alerted once.
 */
export type QuarantineState = 'QUARANTINING' | 'QUARANTINED' | 'RELEASING' | 'RELEASED' | 'SKIPPED';

/** ECR's image status: ARCHIVED blocks every pull; ACTIVATING is a restore on its way. */
export type StorageStatus = 'ACTIVE' | 'ARCHIVED' | 'ACTIVATING';

export interface RemovedTag {
  readonly tag: string;
  readonly removedAt: Date;
}

/** A tag quarantine or release left alone, and why. */
export interface KeptTag {
  readonly tag: string;
  /**
   * `moved`: it names another digest now (pushed again): the newer push wins.
   * `pushed-since`: the tag history shows a push of it to another digest after quarantine removed it.
   * `immutable`: an immutable tag, not removed (immutableTags: archive or alert-only).
   * `gone`: no longer in the registry, nothing to do.
   */
  readonly why: 'moved' | 'pushed-since' | 'immutable' | 'gone';
  /** Where it points now, when it points somewhere. */
  readonly digest?: Digest;
}

export type QuarantineWarningCode =
  /** A lifecycle rule could expire the quarantined (untagged or marker-tagged) image. */
  | 'LIFECYCLE_EXPIRY'
  /** Replicas in other regions or registries are not quarantined. */
  | 'REPLICATED'
  /** A pull-through-cache repository re-fetches upstream: not enforced. */
  | 'PULL_THROUGH_CACHE'
  /** Immutable tags: archived instead of untagged, or alert only, or untagged by explicit opt-in. */
  | 'IMMUTABLE_TAGS'
  /** Untag leaves the digest pullable (said once per quarantine so nobody mistakes untag for a block). */
  | 'DIGEST_PULLABLE'
  /** Archive was asked for where the registry has no storage classes. */
  | 'ARCHIVE_UNSUPPORTED'
  /** Release kept the marker: every removed tag was taken meanwhile, and removing the last tag deletes the image. */
  | 'MARKER_KEPT';

export interface QuarantineWarning {
  readonly code: QuarantineWarningCode;
  readonly message: string;
}

/** The verdict a quarantine enforces (copied, so the record reads on its own after the verdict moves on). */
export interface EnforcedVerdict {
  readonly policyVersion: string;
  readonly policySource: string;
  readonly failOn: Severity;
  readonly failingCount: number;
  /** Sorted; at most MAX_VERDICT_FINDINGS. */
  readonly failingIds: readonly string[];
  readonly reason?: string;
  readonly evaluatedAt: Date;
}

export interface ReleaseRecord {
  /** An IAM principal, `customs` for a release the rescan decided (findings resolved). */
  readonly by: string;
  readonly reason: string;
  readonly trigger: 'request' | 'findings-resolved';
  readonly requestedAt: Date;
  /** The failing IDs when released: the same failures do not quarantine the image again. */
  readonly failingIds: readonly string[];
  readonly restoredTags: readonly string[];
  readonly keptTags: readonly KeptTag[];
  readonly markerRemoved: boolean;
  /** For archive: what the restore reported (ACTIVATING until pulls work). */
  readonly storage?: StorageStatus;
  readonly releasedAt?: Date;
}

/** One image's quarantine, from start to release (a later quarantine of the same image gets a new id). */
export interface QuarantineRecord {
  readonly key: ImageKey;
  /** Unique per quarantine of this image; alert IDs derive from it. */
  readonly id: string;
  readonly state: QuarantineState;
  readonly method: QuarantineMethod;
  readonly trigger: QuarantineTrigger;
  readonly verdict: EnforcedVerdict;
  readonly startedAt: Date;
  /** The marker tag (untag), once it is on the digest. */
  readonly marker?: string;
  /**
   * Tags being removed right now: written before the deletes, so after a crash the resumed attempt
   * knows which missing tags it removed (or which moved) rather than guessing.
   */
  readonly removing: readonly string[];
  readonly removedTags: readonly RemovedTag[];
  readonly keptTags: readonly KeptTag[];
  /** archive: the status ECR reported. */
  readonly storage?: StorageStatus;
  readonly quarantinedAt?: Date;
  readonly warnings: readonly QuarantineWarning[];
  /** SKIPPED: why enforcement did not act. */
  readonly skippedReason?: string;
  readonly release?: ReleaseRecord;
  /** Last change. */
  readonly updatedAt: Date;
}
