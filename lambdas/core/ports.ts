import type { Digest } from './digest.ts';
import type { Descriptor } from './image/manifest-schema.ts';
import type { LayerAnalysis } from './image/layer-analysis.ts';
import type { AdvisoryMatch } from './advisories/advisory-store.ts';

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
