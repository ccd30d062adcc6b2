import type { Digest } from '../digest.ts';
import type { ImageKey, ImageState, RepositoryKey } from '../pipeline/model.ts';
import type { SeverityCounts, VerdictValue } from '../pipeline/verdict-model.ts';
import type { PageTokenKeys } from './page-token.ts';

/**
 * Ports the findings API adds (issue 16). Listings are paged by the store: `position` is the
 * store's own (a DynamoDB ExclusiveStartKey), carried inside the API's signed `nextToken`, never
 * shown to callers. No listing scans a table.
 */

export interface StorePage<T> {
  readonly items: readonly T[];
  /** Absent on the last page. Any JSON. */
  readonly next?: unknown;
}

/** Image states of a repository, newest push first (the findings table's gsi1), deleted ones included. */
export interface ImageListing {
  page(repository: RepositoryKey, limit: number, position: unknown): Promise<StorePage<ImageState>>;
}

// ---------------------------------------------------------------------------------------------
// Exceptions: ignore entries and VEX statements added through the API, merged into the policy.
// ---------------------------------------------------------------------------------------------

export interface StoredException {
  /** Random, URL-safe. */
  readonly id: string;
  readonly kind: 'ignore' | 'vex';
  /** The vulnerability ID the entry or statement names (VEX: the statement's vulnerability name). */
  readonly vulnerability: string;
  /** Absent: every repository. */
  readonly repositoryPrefix?: string;
  readonly package?: string;
  readonly path?: string;
  readonly reason: string;
  /** As given: `YYYY-MM-DD` or RFC 3339. */
  readonly expires?: string;
  /** kind vex: the OpenVEX statement as given (validated). */
  readonly statement?: Readonly<Record<string, unknown>>;
  readonly createdBy: string;
  readonly createdAt: Date;
}

export interface ExceptionStore {
  /** Idempotent by id (a retried request adds once). */
  add(exception: StoredException): Promise<void>;
  /** The removed exception; undefined when there was none with that id. Idempotent. */
  remove(id: string): Promise<StoredException | undefined>;
  get(id: string): Promise<StoredException | undefined>;
  /** Every exception (lapsed ones too: their expiry is the policy's concern), oldest first. */
  list(): Promise<readonly StoredException[]>;
  /** Changes whenever an exception is added or removed: policy sources re-read when it does. */
  revision(): Promise<number>;
}

// ---------------------------------------------------------------------------------------------
// The action log: every action taken through the API, readable.
// ---------------------------------------------------------------------------------------------

export type ApiAction = 'rescan' | 'backfill' | 'release' | 'exception-add' | 'exception-remove';

export interface ActionEntry {
  readonly id: string;
  readonly action: ApiAction;
  /** The caller as the door reported it (IAM ARN, or `local`). */
  readonly principal: string;
  readonly at: Date;
  readonly reason?: string;
  /** What it acted on: repository, digest, exception id, run id… */
  readonly target: Readonly<Record<string, string>>;
  /** `requested` when recorded before acting, then what happened (`queued`, `released`, `refused: …`). */
  readonly outcome: string;
  /** The repository it touched (listed under it too); absent for registry-wide actions. */
  readonly repository?: RepositoryKey;
}

export interface ActionLog {
  /** Put by id: recording again (the outcome after the act) replaces the entry. */
  record(entry: ActionEntry): Promise<void>;
  /** Newest first; `repository` absent: every action. */
  page(repository: RepositoryKey | undefined, limit: number, position: unknown): Promise<StorePage<ActionEntry>>;
}

// ---------------------------------------------------------------------------------------------
// History: daily counts per repository, written by the daily pass.
// ---------------------------------------------------------------------------------------------

export interface DailyCounts {
  readonly repository: RepositoryKey;
  /** UTC date `YYYY-MM-DD`. */
  readonly date: string;
  /** Live (not deleted) images counted. */
  readonly images: number;
  /** Unsuppressed findings of those images, by severity (the verdicts' counts). */
  readonly findings: SeverityCounts;
  readonly verdicts: Readonly<Partial<Record<VerdictValue, number>>>;
}

export interface CountsHistory {
  /** One per repository and date: a second put the same day replaces it. */
  put(counts: DailyCounts): Promise<void>;
  /** Dates from `fromDate` (inclusive), oldest first. */
  list(repository: RepositoryKey, fromDate: string): Promise<readonly DailyCounts[]>;
}

// ---------------------------------------------------------------------------------------------
// Large answers: past the HTTP API's 6 MB response cap, served from object storage.
// ---------------------------------------------------------------------------------------------

export interface LargeAnswers {
  /** Stores the body under a name derived from `key` and answers a URL valid for a short time. */
  publish(key: string, body: Uint8Array, contentType: string, now: Date): Promise<{ readonly url: string; readonly expiresAt: Date }>;
}

/** The digests a caller may name in an image-scoped route: the image key the query means. */
export type ImageRef = ImageKey;
export type { Digest };

/**
 * The keys `nextToken`s are signed with (page-token.ts): created on first use and kept where every
 * instance of the API reads them (an item of the findings table on AWS, the data directory
 * locally). A token only carries a position inside a query the caller is authorised for (access is
 * checked on every request), so whoever can read the table learns nothing from forging one.
 */
export interface PageTokenKeySource {
  keys(): Promise<PageTokenKeys>;
}
