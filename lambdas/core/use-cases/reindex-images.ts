import type { Digest } from '../digest.ts';
import type { ImageState, ScanRequest } from '../pipeline/model.ts';
import type { ScanRequestQueue } from '../ports.ts';
import type { OutdatedScan, ScanVersionIndex } from '../review-ports.ts';

export interface ReindexImagesRequest {
  /** Images queued at most per run: the rate is this times the schedule's frequency. */
  readonly limit: number;
  /** Names the run in each queued message (logs, event IDs). */
  readonly runId: string;
}

export interface ReindexImagesDeps {
  readonly versions: ScanVersionIndex;
  /** Every repository (any account and region) holding a digest. */
  readonly images: { imagesWithDigest(digest: Digest): Promise<readonly ImageState[]> };
  /** The scanner's queue (the one backfill feeds). */
  readonly queue: Pick<ScanRequestQueue, 'send'>;
  /** The scanner version running now; scans by any other are re-indexed. */
  readonly scannerVersion: string;
}

export interface ReindexImagesReport {
  /** The scans queued again, oldest first, with the request each became. */
  readonly queued: readonly { readonly scan: OutdatedScan; readonly request: ScanRequest }[];
  /** Older scans passed over: every image holding the digest is deleted (nothing to scan, nobody to tell). */
  readonly skipped: readonly { readonly scan: OutdatedScan; readonly why: string }[];
  /** True when older scans remain past the limit. */
  readonly more: boolean;
}

/**
 * Images indexed by an older scanner version (a cataloger fixed since) are scanned again from the
 * registry, oldest first, at most `limit` a run. A scan is shared by digest, so one request per
 * digest is enough: it names one image state holding it (a tagged one first), as a rescan, so
 * enforcement acts as on a rescan. The scanner's claim of (digest, scanner version) makes a digest
 * queued twice (a rerun before its scan finished) scan once; a scan it commits leaves the index of
 * older versions, so the next run moves on.
 */
export async function reindexImages(request: ReindexImagesRequest, deps: ReindexImagesDeps): Promise<ReindexImagesReport> {
  const queued: { scan: OutdatedScan; request: ScanRequest }[] = [];
  const skipped: { scan: OutdatedScan; why: string }[] = [];
  let more = false;
  if (request.limit <= 0) return { queued, skipped, more: false };
  for await (const scan of deps.versions.outdated(deps.scannerVersion)) {
    if (queued.length >= request.limit) {
      more = true;
      break;
    }
    const state = chooseState(await deps.images.imagesWithDigest(scan.digest));
    if (!state) {
      skipped.push({ scan, why: 'every image holding the digest is deleted' });
      continue;
    }
    queued.push({ scan, request: { account: state.account, region: state.region, repository: state.repository, digest: state.digest, pushedAt: state.pushedAt, kind: 'rescan' } });
  }
  if (queued.length > 0) await deps.queue.send(request.runId, queued.map((entry) => entry.request));
  return { queued, skipped, more };
}

/** A live image state holding the digest: tagged ones first, then by account, region and repository. */
export function chooseState(states: readonly ImageState[]): ImageState | undefined {
  const live = states.filter((state) => state.deletedAt === undefined);
  const rank = (state: ImageState) => `${state.tags.length > 0 ? 0 : 1}#${state.account}#${state.region}#${state.repository}`;
  return [...live].sort((a, b) => rank(a).localeCompare(rank(b)))[0];
}
