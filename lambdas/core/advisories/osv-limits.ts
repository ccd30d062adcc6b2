/** Caps on OSV input, which comes from mirrors and buckets Customs does not control. */
export interface OsvLimits {
  /** Largest single record; the biggest real records (kernel CVEs) stay well under 1 MiB. */
  readonly maxRecordBytes: number;
  /** Entries one all.zip may list. */
  readonly maxZipEntries: number;
  /** Bytes one load (an archive's inflated entries, or a directory's files) may add up to. */
  readonly maxTotalBytes: number;
  /** Largest all.zip or modified_id.csv downloaded. */
  readonly maxDownloadBytes: number;
  /** Per HTTP request, headers through the last body byte. */
  readonly requestTimeoutMs: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_OSV_LIMITS: OsvLimits = Object.freeze({
  maxRecordBytes: 4 * MiB,
  maxZipEntries: 1_000_000,
  maxTotalBytes: 8 * 1024 * MiB,
  maxDownloadBytes: 2 * 1024 * MiB,
  requestTimeoutMs: 120_000,
});
