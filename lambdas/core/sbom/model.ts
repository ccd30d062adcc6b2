import type { Digest } from '../digest.ts';
import type { Platform } from '../image/platform.ts';

/** The operating system an image is built on, as its release files describe it. */
export interface Distro {
  /** os-release ID: `debian`, `ubuntu`, `alpine`, `rhel`, … */
  readonly id: string;
  /** os-release VERSION_ID: `12`, `22.04`, `3.20.3`; absent on rolling releases such as Debian sid. */
  readonly versionId?: string;
  readonly codename?: string;
  readonly prettyName?: string;
  readonly idLike?: readonly string[];
  /** The file the distribution was read from. */
  readonly source: string;
}

/** OS package managers, then language ecosystems (named as their purl types). */
export type PackageType = 'deb' | 'rpm' | 'apk' | 'npm' | 'pypi' | 'golang' | 'maven' | 'gem' | 'cargo' | 'nuget' | 'composer';

/** Where a package was found: the database file that lists it and the layer that introduced it. */
export interface PackageLocation {
  readonly path: string;
  readonly layerIndex: number;
  readonly layerDigest: Digest;
  readonly layerDiffId: Digest;
}

export interface Package {
  /** Unique within one image's SBOM; used as the CycloneDX bom-ref. */
  readonly id: string;
  readonly type: PackageType;
  readonly name: string;
  readonly version: string;
  readonly architecture?: string;
  /** The source package it was built from, where the ecosystem has one (dpkg `Source:`). */
  readonly source?: { readonly name: string; readonly version: string };
  readonly purl: string;
  readonly location: PackageLocation;
  /** Cataloger that found it. */
  readonly cataloger: string;
  /** Only a development dependency, as a lockfile marks it (never installed in production). */
  readonly dev?: boolean;
  /**
   * The name the package is installed under when that differs from its own: an npm alias
   * (`"string-width-cjs": "npm:string-width@^4.2.0"` installs string-width in `string-width-cjs/`).
   * The purl and name are the real package's; the path says where it sits.
   */
  readonly alias?: string;
  /**
   * The package manager recorded no version and Customs read it from elsewhere (a Go main module's
   * `-ldflags -X main.version=…`): likely right, but not what the build recorded.
   */
  readonly versionInferred?: boolean;
  /**
   * For a language package: the OS package whose database lists its file (`python3-jinja2` installs
   * `Jinja2-3.1.2.egg-info`). The distribution builds and patches it, so its advisories apply, not
   * the language ecosystem's.
   */
  readonly owner?: PackageOwner;
}

/** The OS package that installed a file, as its package manager's database records it. */
export interface PackageOwner {
  /** `Package.id` of the OS package in the same SBOM. */
  readonly id: string;
  readonly name: string;
  readonly type: 'deb' | 'rpm' | 'apk';
}

export type LayerStatus = 'read' | 'cached' | 'skipped';

export interface LayerSummary {
  readonly index: number;
  readonly digest: Digest;
  readonly diffId: Digest;
  readonly mediaType: string;
  readonly size: number;
  readonly status: LayerStatus;
  /** Why a layer was skipped, or other notes about it. */
  readonly note?: string;
}

/** The inventory of one platform image. */
export interface ImageSbom {
  readonly reference: string;
  readonly repository: string;
  readonly tag?: string;
  readonly platform: Platform;
  /** Digest of the index the image was selected from, when there was one. */
  readonly indexDigest?: Digest;
  /** Digest of the image manifest; absent for archives that carry no manifest (docker-archive). */
  readonly manifestDigest?: Digest;
  readonly configDigest: Digest;
  readonly created?: string;
  readonly distro?: Distro;
  readonly layers: readonly LayerSummary[];
  readonly packages: readonly Package[];
  readonly warnings: readonly string[];
}

/** A platform image that could not be inventoried; the others still are. */
export interface ImageFailure {
  readonly platform: Platform;
  readonly manifestDigest?: string;
  readonly code: string;
  readonly message: string;
}

/** Everything one reference resolved to: one SBOM per platform image. */
export interface ScanResult {
  readonly reference: string;
  readonly images: readonly ImageSbom[];
  /** Platform images of an index that failed (tampered blob, bad diffID); absent when none did. */
  readonly failures?: readonly ImageFailure[];
}
