import type { Digest } from '../digest.ts';
import type { Finding, MatchedAdvisory, Severity } from '../findings/model.ts';
import type { Platform } from '../image/platform.ts';
import type { Distro, PackageType } from '../sbom/model.ts';

/**
 * The pipeline's data: what one scan request names, and what is stored per image and per scan.
 * Plain data with no AWS in it; the DynamoDB and S3 adapters map it to items and objects.
 */

/** How the image reached the watched repository (every kind is a hint: the scanner re-reads the image). */
export type ScanEventKind = 'push' | 'replication' | 'pull-through-cache' | 'rescan';

/** Where one manifest lives: image state is kept per account, region, repository and digest. */
export interface ImageKey {
  readonly account: string;
  readonly region: string;
  readonly repository: string;
  readonly digest: Digest;
}

/** One repository, as image state is kept: the registry's account and region, and the repository's name. */
export type RepositoryKey = Omit<ImageKey, 'digest'>;

/** One event's worth of work: scan the manifest (or index) `digest` of `repository`. */
export interface ScanRequest extends ImageKey {
  /** The tag the event named; absent for untagged pushes (an index's children arrive so). */
  readonly tag?: string;
  /** When the registry says the manifest was pushed; orders tag moves between unordered events. */
  readonly pushedAt: Date;
  readonly kind: ScanEventKind;
}

/** What the registry holds now for a digest, asked before an event changes any state. */
export type RegistryImage =
  | { readonly exists: false }
  | {
      readonly exists: true;
      /** Every tag on the digest now, sorted. */
      readonly tags: readonly string[];
      /** When the registry says the digest was pushed, when it says. */
      readonly pushedAt?: Date;
    };

/** What a stored scan says about one platform image. */
export type ScanStatus = 'SCANNED' | 'FAILED' | 'NOT_AN_IMAGE' | 'UNSUPPORTED' | 'ADVISORIES_UNAVAILABLE';

/** Where an SBOM document was put; the store verifies `sha256` (of the uncompressed JSON) on read. */
export interface SbomRef {
  /** Adapter-specific location (an S3 key). */
  readonly location: string;
  readonly sha256: Digest;
  /** Uncompressed JSON size and stored (compressed) size, in bytes. */
  readonly bytes: number;
  readonly storedBytes: number;
}

/** How fresh one OSV base ecosystem's advisories were when a scan matched against them. */
export interface EcosystemFreshness {
  /** OSV base ecosystem as osv.dev's bucket names it: `Debian`, `npm`, `PyPI`. */
  readonly ecosystem: string;
  /** When its advisories were last loaded; absent when they never were. */
  readonly loadedAt?: Date;
}

/**
 * An ecosystem a scan found without (fresh) advisories, queued for the advisory sync to load: one
 * entry per ecosystem however many scans asked.
 */
export interface AdvisoryLoadRequest {
  /** OSV base ecosystem, as EcosystemFreshness names it. */
  readonly ecosystem: string;
  readonly firstRequestedAt: Date;
  readonly lastRequestedAt: Date;
  /** How many times scans asked (a retried scan asks again). */
  readonly count: number;
}

/** The package a raw finding is in: enough to name it in an alert and find it in the SBOM. */
export interface FindingPackage {
  /** `Package.id` in the stored SBOM. */
  readonly id: string;
  readonly purl: string;
  readonly name: string;
  readonly version: string;
  readonly type: PackageType;
  /** Where the package was found in the image. */
  readonly path: string;
  readonly layerIndex: number;
}

/** A finding before any policy, as stored: what `customs scan` reports, minus texts re-read from advisories. */
export interface RawFinding extends Pick<Finding, 'id' | 'aliases' | 'installedVersion' | 'fixedVersions' | 'severity' | 'published' | 'title'> {
  /** Stable within a digest: vulnerability ID, purl and path (see findingKey). */
  readonly key: string;
  readonly package: FindingPackage;
  /** The matched records and their `modified`, so a rescan can tell what changed. */
  readonly advisories: readonly MatchedAdvisory[];
}

/** A raw finding with when this digest first and last had it (first seen survives rescans). */
export interface StoredFinding extends RawFinding {
  readonly firstSeen: Date;
  readonly lastSeen: Date;
}

/** One layer of a scanned image, as the result records it (the SBOM has the full summary). */
export interface ScannedLayer {
  readonly digest: Digest;
  readonly diffId: Digest;
  readonly size: number;
}

/** The scan of one platform manifest, shared by every repository and account holding its digest. */
export interface ScanRecord {
  readonly digest: Digest;
  readonly scannerVersion: string;
  readonly status: ScanStatus;
  /** One line: why it FAILED, is NOT_AN_IMAGE or UNSUPPORTED, or which advisories are missing. */
  readonly reason?: string;
  readonly platform?: Platform;
  readonly distro?: Distro;
  /** The index the manifest was scanned through, when it was. */
  readonly indexDigest?: Digest;
  readonly configDigest?: Digest;
  readonly layers: readonly ScannedLayer[];
  readonly sbom?: SbomRef;
  readonly packageCount: number;
  readonly findingCount: number;
  readonly severityCounts: Readonly<Partial<Record<Severity, number>>>;
  /** The freshness of each ecosystem matched against (or found missing). */
  readonly advisories: readonly EcosystemFreshness[];
  /** Ecosystems the image needs whose advisories are missing or too old (ADVISORIES_UNAVAILABLE). */
  readonly unavailableEcosystems?: readonly string[];
  readonly startedAt: Date;
  readonly finishedAt: Date;
}

/** What a stored scan changed compared with the previous committed one of the same digest. */
export interface FindingChanges {
  readonly added: readonly string[];
  readonly removed: readonly string[];
}

/** One OSV ecosystem (base plus release, as advisories name it) and package name an image contains. */
export interface PackageRef {
  readonly ecosystem: string;
  readonly name: string;
}

/** A tag's move, for the tag history. */
export interface TagEvent {
  readonly tag: string;
  readonly digest: Digest;
  readonly at: Date;
  readonly action: 'tagged' | 'untagged';
}

/** What the pipeline knows of one manifest in one repository. */
export interface ImageState extends ImageKey {
  readonly tags: readonly string[];
  readonly pushedAt: Date;
  readonly firstSeenAt: Date;
  readonly kind: ScanEventKind;
  /** For an index: its platform (and attestation) manifests. */
  readonly children: readonly Digest[];
  /** For a platform manifest: the indexes listing it. */
  readonly parents: readonly Digest[];
  readonly deletedAt?: Date;
}

/** One watched repository in the catalogue. */
export interface RepositoryEntry {
  readonly account: string;
  readonly region: string;
  readonly repository: string;
  /** Manifests recorded in it (indexes and platform manifests), deleted ones included. */
  readonly images: number;
  readonly deleted: number;
  readonly lastPushAt?: Date;
}
