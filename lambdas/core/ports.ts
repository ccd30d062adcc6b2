import type { Digest } from './digest.ts';
import type { Descriptor } from './image/manifest-schema.ts';
import type { LayerAnalysis } from './image/layer-analysis.ts';
import type { AdvisoryMatch } from './advisories/advisory-store.ts';
import type { OsvRecord } from './advisories/osv-schema.ts';
import type { AdvisoryChanges, EcosystemCursor } from './advisories/sync-model.ts';
import type {
  AdvisoryLoadRequest,
  EcosystemFreshness,
  FindingChanges,
  ImageKey,
  ImageState,
  PackageRef,
  RawFinding,
  RegistryImage,
  RepositoryEntry,
  RepositoryKey,
  SbomRef,
  ScanRecord,
  ScanRequest,
  StoredFinding,
  TagEvent,
} from './pipeline/model.ts';
import type { QuarantineRecord, StorageStatus } from './pipeline/quarantine-model.ts';
import type { RepositorySettings } from './pipeline/repository-settings.ts';
import type { ImageSbom } from './sbom/model.ts';
import type { CustomsEvent, ImageAlert, OutgoingAlert } from './alerts/alert-model.ts';
import type { AnnouncedVerdict, Verdict } from './pipeline/verdict-model.ts';
import type { PolicyCatalogue } from './policy/repository-policy.ts';

/**
 * Ports: what the scanning core needs from the outside world. Adapters (OCI registries, ECR, OCI
 * layouts, archives, DynamoDB, SNS) implement them; the core never imports an adapter.
 */

/** A byte stream from an untrusted source. The core verifies, caps and closes it. */
export type ByteStream = AsyncIterable<Uint8Array> & { destroy?(error?: Error): void };

/** The document a reference names: its bytes, or a descriptor to open. */
export type RootDocument =
  | {
      readonly kind: 'document';
      readonly content: ByteStream;
      /** Media type as the transport reported it (Content-Type), when it did. */
      readonly mediaType?: string;
      /** The digest the reference pins (`@sha256:…`); the core checks the bytes against it. */
      readonly expectedDigest?: Digest;
      /** True when the adapter made the document up (docker-archive has no manifest of its own). */
      readonly synthesized?: boolean;
    }
  | { readonly kind: 'descriptor'; readonly descriptor: Descriptor };

/** Where an image comes from: a registry, an OCI layout directory, an archive. */
export interface ImageSource {
  /** The reference as the user wrote it. */
  readonly reference: string;
  /** Repository the image belongs to, for reports: `registry.example/team/app`, or the layout path. */
  readonly repository: string;
  /** Tag named by the reference, if any. */
  readonly tag?: string;
  /** Opens the manifest or index the reference names. */
  root(): Promise<RootDocument>;
  /** Opens a manifest or blob by its descriptor. Content is verified by the caller, not here. */
  open(descriptor: Descriptor): Promise<ByteStream>;
  /** Releases connections and file handles. */
  close(): Promise<void>;
}

/** Key of a cached layer analysis: the blob digest that was verified, and the analyzers that ran. */
export interface LayerCacheKey {
  readonly digest: Digest;
  readonly analyzers: string;
}

/**
 * Stores layer analyses under verified digests. A hit is only used when the cached diffID equals the
 * one the image config claims, so a config lying about a diffID cannot borrow another layer's results.
 */
export interface LayerAnalysisCache {
  get(key: LayerCacheKey): Promise<LayerAnalysis | undefined>;
  put(key: LayerCacheKey, analysis: LayerAnalysis): Promise<void>;
}

/** One package name in one OSV ecosystem, as advisories are looked up (`Debian:12` + `glibc`). */
export interface AdvisoryQuery {
  /** OSV ecosystem at base plus release granularity: `Debian:12`, `Alpine:v3.20`, `Red Hat:9`, `npm`. */
  readonly ecosystem: string;
  readonly name: string;
}

/**
 * Where advisories come from when matching: an in-memory store from an OSV directory, zip or bucket
 * for the CLI; a table for the pipeline. Batched so a remote store can answer in few round trips.
 * Answers are in query order; each lists the records with an `affected` entry for that package.
 */
export interface AdvisoryLookup {
  lookup(queries: readonly AdvisoryQuery[]): Promise<readonly (readonly AdvisoryMatch[])[]>;
}

// ---------------------------------------------------------------------------------------------
// Pipeline ports (issue 12): what the scan-image use case needs. Data types live in
// core/pipeline/model.ts. Later issues (alerts, quarantine, rescans, API) add methods; none of
// these is AWS-shaped, so the local stack can implement them too.
// ---------------------------------------------------------------------------------------------

/** A scan claim names one manifest digest scanned by one scanner version. */
export interface ScanClaimKey {
  readonly digest: Digest;
  readonly scannerVersion: string;
}

export type ClaimOutcome =
  /** This caller holds the lease until `leaseExpiresAt`; `token` proves it to complete or release. */
  | { readonly outcome: 'claimed'; readonly token: string; readonly leaseExpiresAt: Date }
  /** Scanned already by this scanner version: only the tag needs recording. */
  | { readonly outcome: 'done' }
  /** Someone else holds an unexpired lease; their retry (not ours) finishes the scan. */
  | { readonly outcome: 'busy'; readonly leaseExpiresAt: Date };

/**
 * Exactly one caller at a time scans a (digest, scanner version): a conditional write takes the
 * claim when it is absent or its lease has expired (its holder died), never when it is done.
 */
export interface ScanClaimStore {
  claim(key: ScanClaimKey, options: { readonly now: Date; readonly leaseMs: number }): Promise<ClaimOutcome>;
  /** Marks the scan done; a caller that lost its lease (token changed) gets a ClaimLostError. */
  complete(key: ScanClaimKey, token: string, now: Date): Promise<void>;
  /** Gives a lease back after a transient failure so the retry need not wait for it to expire. */
  release(key: ScanClaimKey, token: string): Promise<void>;
}

/**
 * Scan results and raw findings, shared by digest. `save` is the commit point: findings and their
 * indexes are written first and the result last, so a crash leaves no result (and the claim not
 * done), and a rerun converges. `save` answers the findings added and removed (by key) against the
 * last committed scan, and keeps each finding's first seen from it.
 */
export interface ScanResultStore {
  get(digest: Digest): Promise<ScanRecord | undefined>;
  findings(digest: Digest): Promise<readonly StoredFinding[]>;
  save(
    record: ScanRecord,
    findings: readonly RawFinding[],
    packages: readonly PackageRef[],
  ): Promise<FindingChanges>;
  /**
   * Digests whose committed scan is ADVISORIES_UNAVAILABLE for want of this ecosystem (as
   * `unavailableEcosystems` names it), to re-evaluate once its advisories are loaded.
   */
  digestsWaitingFor(ecosystem: string): Promise<readonly Digest[]>;
  /**
   * Digests whose images contain a package, by OSV ecosystem and name as advisories name them
   * (`Debian:12` + the source package, `npm` + the module): release granularity, names compared as
   * the ecosystem compares them. May include a digest a crashed save indexed; read its findings.
   */
  digestsWithPackage(ecosystem: string, name: string): Promise<readonly Digest[]>;
}

/** OSV records by ID or alias (the advisory table), to find the packages a vulnerability affects. */
export interface AdvisoryIdIndex {
  /**
   * Every stored record whose id is `idOrAlias`, or whose `aliases` or `upstream` (the CVEs a
   * distribution advisory fixes) include it, each once in id order; withdrawn ones left out.
   */
  recordsFor(idOrAlias: string): Promise<readonly OsvRecord[]>;
}

/** Image state per account, region, repository and digest: tags, tag history, index links, deletion. */
export interface ImageStateStore {
  /** Creates the image state when new (counting it in the catalogue) and records the tag, if any. */
  recordPush(request: ScanRequest, now: Date): Promise<void>;
  /** Links an index to its platform (and attestation) manifests, in both directions. */
  linkChildren(index: ImageKey, children: readonly Digest[]): Promise<void>;
  removeTag(key: ImageKey, tag: string, at: Date): Promise<void>;
  markDeleted(key: ImageKey, at: Date): Promise<void>;
  get(key: ImageKey): Promise<ImageState | undefined>;
  /**
   * Forgets an image state deleted at `deletedAt` (past its retention): the state, its verdict and
   * its tag pointers go and its catalogue counts drop, atomically, only while it is still deleted at
   * that time (a re-push restores an image and clears `deletedAt`, so it is never forgotten). True
   * when forgotten now; false when absent, live, or deleted at another time. Idempotent.
   */
  forgetDeleted(key: ImageKey, deletedAt: Date): Promise<boolean>;
}

/** SBOM documents by digest; they can exceed an item's 400 KB, so they live outside the table. */
export interface SbomStore {
  put(digest: Digest, sbom: ImageSbom): Promise<SbomRef>;
  /** Reads and verifies the document; a missing or altered one is an error, never a partial SBOM. */
  get(ref: SbomRef): Promise<ImageSbom>;
}

/** The watched repositories and their image counts (for the API and the findings page). */
export interface RepositoryCatalogue {
  list(): Promise<readonly RepositoryEntry[]>;
}

/** When each OSV base ecosystem's advisories were last loaded (the advisory table records it). */
export interface AdvisoryFreshness {
  /** One answer per ecosystem asked, in order; `loadedAt` absent when never loaded. */
  freshness(ecosystems: readonly string[]): Promise<readonly EcosystemFreshness[]>;
}

/**
 * Ecosystems scans found without (fresh) advisories, for the advisory sync to load. Asking again is
 * harmless: one entry per ecosystem, keeping when it was first and last asked for.
 */
export interface AdvisoryLoadRequests {
  request(ecosystems: readonly string[], at: Date): Promise<void>;
  /** Every ecosystem asked for, in name order. */
  list(): Promise<readonly AdvisoryLoadRequest[]>;
}

/**
 * What a registry holds now (ECR's DescribeImages, a registry's API): events are hints, so this is
 * asked before one changes any state. A digest the registry no longer has is `exists: false`; any
 * other failure is thrown, to be retried.
 */
export interface RegistryImageReader {
  describe(repository: RepositoryKey, digest: Digest): Promise<RegistryImage>;
}

/** Opens the image a scan request names (an ECR source in the Lambda, a registry in tests). */
export interface ImageSourceFactory {
  open(request: ScanRequest): Promise<ImageSource>;
}

export interface Clock {
  now(): Date;
}

// ---------------------------------------------------------------------------------------------
// Verdicts and alerts (issue 13).
// ---------------------------------------------------------------------------------------------

/** The current policy document, compiled; adapters cache it and re-read it when it may have changed. */
export interface PolicySource {
  current(): Promise<PolicyCatalogue>;
}

/** Alerts decided but not yet known to be published: written with the verdict, confirmed after publishing. */
export interface PendingAnnouncement {
  readonly alert: ImageAlert;
  readonly events: readonly CustomsEvent[];
  /** What `announced` becomes once the alert is confirmed published. */
  readonly announced: AnnouncedVerdict;
  readonly createdAt: Date;
}

export interface StoredVerdict {
  readonly key: ImageKey;
  readonly verdict: Verdict;
  /** The last state reported (or recorded silently); absent before the first evaluation. */
  readonly announced?: AnnouncedVerdict;
  readonly pending?: PendingAnnouncement;
  /** Changes on every write: the optimistic-concurrency token `put` compares. */
  readonly revision: number;
}

export interface VerdictWrite {
  readonly verdict: Verdict;
  readonly announced?: AnnouncedVerdict;
  readonly pending?: PendingAnnouncement;
}

/**
 * Verdicts per image state (account, region, repository, digest), with the outbox of their alerts:
 * a change and its alert are written together, published, then confirmed, so a crash between any
 * two steps republishes the same alert (same alertId) instead of losing or re-deciding it.
 */
export interface VerdictStore {
  get(key: ImageKey): Promise<StoredVerdict | undefined>;
  /** In key order; for evaluation runs over many images. */
  getMany(keys: readonly ImageKey[]): Promise<readonly (StoredVerdict | undefined)[]>;
  /**
   * Writes when the stored revision is still `expectedRevision` (undefined: nothing stored yet);
   * false when another writer got there first (re-read and decide again).
   */
  put(key: ImageKey, write: VerdictWrite, expectedRevision: number | undefined): Promise<boolean>;
  /** After publishing: when `alertId` is still pending, its `announced` replaces the stored one and the pending goes. */
  confirm(key: ImageKey, alertId: string): Promise<void>;
}

/** Alerts to the people and tools subscribed (SNS on AWS, console and webhooks locally). At least once. */
export interface AlertPublisher {
  publish(alerts: readonly OutgoingAlert[]): Promise<void>;
}

/** The same facts as events (EventBridge on AWS). At least once. */
export interface EventPublisher {
  publish(events: readonly CustomsEvent[]): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Quarantine and release (issue 14). The promise is stated in core/pipeline/quarantine-model.ts.
// ---------------------------------------------------------------------------------------------

/** A manifest exactly as the registry stores it: putting these bytes back yields the same digest. */
export interface ManifestBytes {
  readonly bytes: Uint8Array;
  readonly mediaType: string;
}

/** `taken`: the tag is immutable and names another digest (or the registry refused to move it). */
export type PutTagOutcome = { readonly outcome: 'tagged' } | { readonly outcome: 'already' } | { readonly outcome: 'taken'; readonly digest?: Digest };

/** `moved`: the tag names another digest now (pushed again), so it was left alone. `absent`: no such tag. */
export type DeleteTagOutcome = { readonly outcome: 'removed' } | { readonly outcome: 'absent' } | { readonly outcome: 'moved'; readonly digest?: Digest };

/**
 * The registry operations quarantine and release are made of (ECR; the local registry). Each is
 * idempotent and safe to repeat after a crash; none removes or moves anything but what it names.
 */
export interface QuarantineRegistry {
  /** Whether images can be archived (storage classes): ECR yes, a plain registry no. */
  readonly supportsArchive: boolean;
  /** Tag mutability, lifecycle rules, pull-through cache and replication, read from the registry. */
  settings(repository: RepositoryKey): Promise<RepositorySettings>;
  /** Every tag on the digest now, sorted; `exists: false` when the digest is gone. */
  describe(key: ImageKey): Promise<RegistryImage>;
  /** The digest a tag names now, if any. */
  tagDigest(repository: RepositoryKey, tag: string): Promise<Digest | undefined>;
  /** The exact manifest bytes and media type of the digest. */
  manifest(key: ImageKey): Promise<ManifestBytes>;
  /**
   * Puts `tag` on the digest with its exact manifest. A tag already there is `already`. A mutable
   * tag on another digest MOVES (as a push would): callers check tagDigest and the tag history first.
   */
  putTag(key: ImageKey, tag: string, manifest: ManifestBytes): Promise<PutTagOutcome>;
  /**
   * Removes `tag` only while it names this digest (ECR: digest and tag in one BatchDeleteImage). The
   * registry deletes an image with its last tag, so quarantine puts the marker first.
   */
  deleteTag(key: ImageKey, tag: string): Promise<DeleteTagOutcome>;
  /** The image's storage status (ACTIVE where there are no storage classes). */
  storage(key: ImageKey): Promise<StorageStatus>;
  /** Moves the image to ARCHIVE or back to STANDARD; answers the status the registry reports. */
  setStorage(key: ImageKey, target: 'ARCHIVE' | 'STANDARD'): Promise<StorageStatus>;
}

/** A quarantine alert not yet known to be published (the record is its outbox, as verdicts are). */
export interface PendingQuarantineAlert {
  readonly alert: ImageAlert;
  readonly events: readonly CustomsEvent[];
  readonly createdAt: Date;
}

export interface StoredQuarantine {
  readonly record: QuarantineRecord;
  readonly pending?: PendingQuarantineAlert;
  /** Changes on every write: the optimistic-concurrency token `put` compares. */
  readonly revision: number;
}

/**
 * Quarantine records per image state (account, region, repository, digest). A record replaced by a
 * later quarantine of the same image (a new id) is kept in the image's quarantine history.
 */
export interface QuarantineStore {
  get(key: ImageKey): Promise<StoredQuarantine | undefined>;
  /** Writes when the stored revision is still `expectedRevision` (undefined: none yet); false when another writer got there first. */
  put(key: ImageKey, write: { readonly record: QuarantineRecord; readonly pending?: PendingQuarantineAlert }, expectedRevision: number | undefined): Promise<boolean>;
  /** After publishing: drops the pending alert when it is still `alertId`. */
  confirm(key: ImageKey, alertId: string): Promise<void>;
  /** Current records of a repository (any state), by digest. */
  list(repository: RepositoryKey): Promise<readonly QuarantineRecord[]>;
  /** Earlier quarantines of the image (records a later one replaced), oldest first. */
  history(key: ImageKey): Promise<readonly QuarantineRecord[]>;
}

/** One tag's moves in a repository, oldest first (image state keeps them; release compares with it). */
export interface TagHistory {
  tagHistory(repository: RepositoryKey, tag: string): Promise<readonly TagEvent[]>;
}

// ---------------------------------------------------------------------------------------------
// Advisory sync, rescans, backfill (issue 15). Data types in core/advisories/sync-model.ts.
// ---------------------------------------------------------------------------------------------

/** One line of an ecosystem's modified_id.csv. */
export interface ModifiedEntry {
  readonly id: string;
  readonly modified: Date;
}

/** One record file of an ecosystem's all.zip. */
export interface ExportEntry {
  /** The entry's name in the archive (`DSA-5000-1.json`). */
  readonly name: string;
  readonly bytes: Uint8Array;
}

/**
 * An OSV export laid out like osv.dev's bucket (`ECOSYSTEM/all.zip`, `ECOSYSTEM/modified_id.csv`,
 * `ECOSYSTEM/ID.json`). Everything it returns is untrusted: sizes capped, names checked.
 */
export interface OsvExport {
  /** The ecosystem's modified_id.csv, in file order; malformed lines are reported, not thrown. */
  modified(ecosystem: string): Promise<{ readonly entries: readonly ModifiedEntry[]; readonly rejected: readonly { readonly line: number; readonly reason: string }[] }>;
  /** One record's bytes; undefined when the export no longer has it. */
  record(ecosystem: string, id: string): Promise<Uint8Array | undefined>;
  /**
   * Every record file of all.zip in archive order, within bounded memory (the archive may be
   * streamed to scratch space first). `skip` entries from the start are passed over (a resumed load).
   */
  entries(ecosystem: string, options?: { readonly skip?: number }): AsyncIterable<ExportEntry>;
}

/** What writing a group of records did. */
export interface AdvisoryWriteResult {
  /** Records whose content was new or changed (and so rewritten). */
  readonly written: readonly OsvRecord[];
  /** Records already stored with the same content (or a newer `modified`): not rewritten. */
  readonly unchanged: number;
  readonly refused: readonly { readonly source: string; readonly reason: string }[];
}

/** The advisory table as the sync writes it (the loader the CLI's `advisories load` uses). */
export interface AdvisoryWriter {
  write(records: readonly { readonly record: OsvRecord; readonly source: string }[]): Promise<AdvisoryWriteResult>;
  /** IDs of the records stored for an OSV base ecosystem (to find the ones an export dropped). */
  ids(ecosystem: string): Promise<readonly string[]>;
  /** Removes records an export dropped; answers them as they were (their packages changed). */
  retract(ids: readonly string[]): Promise<readonly OsvRecord[]>;
  /** Records the ecosystem as loaded now (the freshness scans check), after its records are durable. */
  markFresh(ecosystem: string, at: Date, source: string): Promise<void>;
}

export interface SyncCursorStore {
  get(ecosystem: string): Promise<EcosystemCursor | undefined>;
  /** Writes when the stored revision is still `expectedRevision` (undefined: none yet); false when another writer got there first. */
  put(cursor: Omit<EcosystemCursor, 'revision'>, expectedRevision: number | undefined): Promise<boolean>;
  list(): Promise<readonly EcosystemCursor[]>;
}

/** Keeps sync runs from overlapping: one holder at a time, until its lease expires (it died). */
export interface SyncLease {
  acquire(holder: string, now: Date, leaseMs: number): Promise<boolean>;
  /** Extends a held lease; false when it was lost (expired and taken). */
  renew(holder: string, now: Date, leaseMs: number): Promise<boolean>;
  release(holder: string): Promise<void>;
}

/** A sync's changes, kept where the rescan reads them once (S3 on AWS: they outgrow a queue message). */
export interface AdvisoryChangeSets {
  put(changes: AdvisoryChanges): Promise<void>;
  get(syncId: string): Promise<AdvisoryChanges>;
}

/** De-duplicates rescans across invocations: a conditional write of (syncId, digest) per digest. */
export interface RescanMarks {
  /** Answers the digests this call marked first (to enqueue); the others were marked before. */
  claim(syncId: string, digests: readonly Digest[]): Promise<readonly Digest[]>;
}

/** Many digests per message, for the re-evaluation Lambda. */
export interface RescanMessage {
  readonly syncId: string;
  readonly digests: readonly Digest[];
  /**
   * Re-match every package of each stored SBOM, not only a sync's changed ones: a rescan asked for
   * through the API (issue 16). `syncId` then names the request, and no change set is read.
   */
  readonly all?: boolean;
}

export interface RescanQueue {
  send(messages: readonly RescanMessage[]): Promise<void>;
}

/** One image as the registry lists it (ECR's DescribeImages), for backfill and reconciliation. */
export interface ListedImage {
  readonly digest: Digest;
  readonly tags: readonly string[];
  readonly pushedAt?: Date;
}

/** What a registry holds, enumerated (paginated underneath). */
export interface RegistryCatalog {
  /** The repositories the pipeline watches, in the registries it watches. */
  repositories(): AsyncIterable<RepositoryKey>;
  images(repository: RepositoryKey): AsyncIterable<ListedImage>;
}

// ---------------------------------------------------------------------------------------------
// backfill (issue 15): the images already in the watched repositories, and ones whose event was
// lost, queued as the scanner's own scan requests; tags and deletions reconciled with the registry.
// ---------------------------------------------------------------------------------------------

/**
 * The scanner's queue, fed as a push event would feed it: the scanner re-reads the registry and
 * scans, so a request is a hint like any event. At least once: a request sent twice is scanned once
 * (the scan claim), so senders de-duplicate to save work, not for correctness.
 */
export interface ScanRequestQueue {
  /** `runId` names the backfill run in each message (logs, event IDs). */
  send(runId: string, requests: readonly ScanRequest[]): Promise<void>;
}

/**
 * One mark per (run, repository, digest), so a run queues each image once however often it is
 * repeated or run side by side: a conditional write before the send, a second after it. A mark
 * taken but never confirmed sent (a crash between) is taken again once its lease has expired.
 */
export interface BackfillMarks {
  /** Answers the digests this call took (to send now); the others are sent or held by a live caller. */
  claim(runId: string, repository: RepositoryKey, digests: readonly Digest[], now: Date): Promise<readonly Digest[]>;
  /** After the send: these are queued, never sent again under this run. */
  sent(runId: string, repository: RepositoryKey, digests: readonly Digest[]): Promise<void>;
}

/** Whether a (digest, scanner version) scan is done, read without taking a claim (an index has no result of its own). */
export interface ScanCompletions {
  done(key: ScanClaimKey): Promise<boolean>;
}

/** Every image state of a repository, deleted ones included, for reconciliation with the registry. */
export interface RepositoryImageStates {
  imagesOf(repository: RepositoryKey): Promise<readonly ImageState[]>;
}

// ---------------------------------------------------------------------------------------------
// sync fan-out (issue 15): a sync's rescan fan-out outlives the invocation that completed the sync.
// ---------------------------------------------------------------------------------------------

/**
 * One durable mark per sync whose rescan fan-out is not known to be done: opened before the sync
 * writes anything, closed once every digest it affects is queued. A run killed after its sync
 * completed (or mid fan-out) leaves it open, and the next run holding the sync lease finishes it.
 */
export interface PendingFanOuts {
  /** Idempotent: opening an open mark keeps its first `at`. */
  open(syncId: string, at: Date): Promise<void>;
  /** The open marks' syncIds, oldest first. */
  list(): Promise<readonly string[]>;
  /** Idempotent: closing a closed (or never opened) mark does nothing. */
  close(syncId: string): Promise<void>;
}
