import type { Digest } from '../digest.ts';

/**
 * What one layer contributes to the image, reduced to what the analyzers need. Plain JSON, so it can
 * be cached under the layer's verified digests and reused by every image sharing the layer.
 * Records keep tar order: when a path appears twice in a layer, the later record wins.
 */
export type LayerRecord =
  /** A wanted file that was read; results are keyed by analyzer name. */
  | { readonly type: 'file'; readonly path: string; readonly size: number; readonly results: Readonly<Record<string, unknown>> }
  /** A wanted file that could not be read (over the size cap, sparse, hard link to unread data). */
  | { readonly type: 'unread'; readonly path: string; readonly size: number; readonly reason: string }
  /** Any other non-directory at a path that matters: it hides what lower layers had there. */
  | { readonly type: 'node'; readonly path: string }
  | { readonly type: 'directory'; readonly path: string }
  | { readonly type: 'symlink'; readonly path: string; readonly target: string }
  /** `.wh.NAME`: the path and everything below it are deleted from lower layers. */
  | { readonly type: 'whiteout'; readonly path: string }
  /** `.wh..wh..opq`: everything lower layers had below this directory is hidden. */
  | { readonly type: 'opaque'; readonly path: string };

export interface LayerAnalysis {
  /** Compressed blob digest, verified while streaming. */
  readonly digest: Digest;
  /** Uncompressed digest, verified against the image config. */
  readonly diffId: Digest;
  /** Analyzer names and versions that produced the results. */
  readonly analyzers: string;
  readonly records: readonly LayerRecord[];
  readonly warnings: readonly string[];
  /** Bytes read from the source and produced by decompression. */
  readonly compressedBytes: number;
  readonly uncompressedBytes: number;
  readonly entries: number;
}
