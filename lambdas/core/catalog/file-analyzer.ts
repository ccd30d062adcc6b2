/**
 * The contract every cataloger builds on (after Syft's catalogers and Trivy's analyzers): declare
 * the image paths you want, and parse each such file on its own, per layer. Results must be plain
 * JSON so a layer's analysis can be cached under its verified digest and reused by every image that
 * shares the layer. Combining files across layers happens later, on the squashed view.
 */
export interface CapturedFile {
  /** Normalised path inside the image, e.g. `var/lib/dpkg/status`. */
  readonly path: string;
  readonly bytes: Uint8Array;
}

/** Collects warnings about one file without failing the scan. */
export interface IssueSink {
  warn(message: string): void;
}

export interface FileAnalyzer<R = unknown> {
  /** Stable name: the key of this analyzer's results in a layer analysis. */
  readonly name: string;
  /** Bumped whenever parse() output changes, so cached layer analyses are recomputed. */
  readonly version: number;
  /** Globs of image paths (no leading slash; `*` within a segment, `**` across segments). */
  readonly patterns: readonly string[];
  /** Parses one file. Returns undefined when the file holds nothing for this analyzer. */
  parse(file: CapturedFile, issues: IssueSink): R | undefined;
  /**
   * Optional: given a wanted file's first bytes (up to SNIFF_BYTES), whether it is worth reading
   * whole. Lets an analyzer whose paths also match unrelated files (`*.jar` full of random bytes)
   * skip them without the file being held in memory.
   */
  sniff?(head: Uint8Array): boolean;
  /**
   * Optional second way in, for files chosen by what their tar header says rather than by path
   * (executables) and read as a stream, never held whole, whatever their size.
   */
  readonly streaming?: StreamingAnalysis<R>;
}

/** How many leading bytes sniff() is shown (fewer when the file is shorter). */
export const SNIFF_BYTES = 8;

/** What the tar header says about a regular file. */
export interface EntryFacts {
  readonly path: string;
  readonly mode: number;
  readonly size: number;
}

export interface StreamingAnalysis<R> {
  wants(entry: EntryFacts): boolean;
  open(path: string): StreamScan<R>;
}

/** Scans one file's bytes in order. */
export interface StreamScan<R> {
  /** Returns false once it needs no more bytes (the rest of the file is skipped for it). */
  write(chunk: Uint8Array): boolean;
  end(issues: IssueSink): R | undefined;
}

/** Identifies a set of analyzers and their versions, for cache keys. */
export function analyzerFingerprint(analyzers: readonly FileAnalyzer[]): string {
  return analyzers
    .map((analyzer) => `${analyzer.name}@${analyzer.version}`)
    .sort()
    .join(',');
}
