import type { Digest } from '../digest.ts';
import { messageOf } from '../errors.ts';
import type { ImageKey, ImageState, RepositoryKey, ScanRequest } from '../pipeline/model.ts';
import { isQuarantineMarker } from '../pipeline/quarantine-model.ts';
import type {
  BackfillMarks,
  Clock,
  ImageStateStore,
  ListedImage,
  RegistryCatalog,
  RegistryImageReader,
  RepositoryImageStates,
  ScanCompletions,
  ScanRequestQueue,
  ScanResultStore,
} from '../ports.ts';
import { mapLimit } from '../util/map-limit.ts';

/**
 * Which listed images count as done. `scanned-by-this-version` (the CLI's, after the first deploy
 * or an upgrade on demand) queues every image this scanner version has not scanned.
 * `scanned-by-any-version` (the daily pass) queues only images with no committed scan at all (their
 * event was lost): an older version's scan is left to the re-index, which is rate-limited and
 * oldest first, so an upgrade does not send every recent image to the scanner at once.
 */
export type BackfillSkip = 'scanned-by-this-version' | 'scanned-by-any-version';

export interface BackfillRequest {
  /** Names the run: the same runId (a rerun, a concurrent run) queues each image once. */
  readonly runId: string;
  /** Images ECR says were pushed before this are not queued (they are still reconciled). */
  readonly pushedAfter?: Date;
  /** Also bring tags and deletions in line with the registry. */
  readonly reconcile: boolean;
  /** Read everything, write and send nothing: the report says what a real run would do. */
  readonly dryRun?: boolean;
  /** Default `scanned-by-this-version`. */
  readonly skip?: BackfillSkip;
}

export interface BackfillDeps {
  readonly catalog: RegistryCatalog;
  readonly states: RepositoryImageStates;
  readonly images: Pick<ImageStateStore, 'recordPush' | 'removeTag' | 'markDeleted'>;
  readonly results: Pick<ScanResultStore, 'get'>;
  readonly completions: ScanCompletions;
  /** Asked before any tag or deletion is written: a listing is older than the events since. */
  readonly registry: RegistryImageReader;
  readonly marks: BackfillMarks;
  readonly queue: ScanRequestQueue;
  readonly clock: Clock;
  /** The scanner version whose scans count as done (the deployed scanner's). */
  readonly scannerVersion: string;
  readonly options?: {
    /** Listed images handled together: one mark round and one send per batch (default 100). */
    readonly batchSize?: number;
    /** Store and registry reads in flight at once (default 8). */
    readonly concurrency?: number;
  };
}

/** What one repository held and what was done about it. Counts of a dry run say what would be done. */
export interface RepositoryBackfill {
  readonly account: string;
  readonly region: string;
  readonly repository: string;
  /** Images the registry lists. */
  readonly images: number;
  /** Scanned by this scanner version with image state here: nothing to do. */
  readonly alreadyScanned: number;
  /** With `scanned-by-any-version`: scanned by an older version only, not queued (the re-index's to rescan). */
  readonly leftToReindex: number;
  /** Listed images Customs had no image state for here (never seen, or their event was lost). */
  readonly withoutState: number;
  /** Not queued: pushed before `pushedAfter`. */
  readonly olderThanBound: number;
  /** Sent to the scanner by this call. */
  readonly queued: number;
  /** Due, but this run had queued them already (or a concurrent call holds them). */
  readonly alreadyQueued: number;
  readonly tagsAdded: number;
  readonly tagsRemoved: number;
  /** Image states whose digest the registry no longer has, now marked deleted. */
  readonly deletedMarked: number;
  /** Set when the repository could not be finished; the others go on. */
  readonly error?: string;
}

export interface BackfillReport {
  readonly runId: string;
  readonly dryRun: boolean;
  readonly reconcile: boolean;
  readonly scannerVersion: string;
  readonly pushedAfter?: string;
  readonly repositories: number;
  readonly images: number;
  readonly skip: BackfillSkip;
  readonly alreadyScanned: number;
  readonly leftToReindex: number;
  readonly withoutState: number;
  readonly olderThanBound: number;
  readonly queued: number;
  readonly alreadyQueued: number;
  readonly tagsAdded: number;
  readonly tagsRemoved: number;
  readonly deletedMarked: number;
  /** Repositories that failed part-way (their counts are what was done before). */
  readonly failed: number;
  readonly byRepository: readonly RepositoryBackfill[];
}

type Counts = { -readonly [K in Exclude<keyof RepositoryBackfill, 'account' | 'region' | 'repository' | 'error'>]: number };

const COUNT_KEYS: readonly (keyof Counts)[] = ['images', 'alreadyScanned', 'leftToReindex', 'withoutState', 'olderThanBound', 'queued', 'alreadyQueued', 'tagsAdded', 'tagsRemoved', 'deletedMarked'];

/**
 * Backfill and reconciliation: every image the watched repositories hold (paginated underneath) is
 * queued for the scanner unless this scanner version (with `scanned-by-any-version`: any version)
 * has scanned its digest and Customs has its image state in that repository; each at most once per
 * run (a conditional mark before the send). ECR events are best effort, so the same enumeration run
 * daily finds images whose push was lost.
 * With `reconcile`, tags the registry shows and the image state lacks are recorded, tags the state
 * has and the registry no longer shows are removed, and image states whose digest is no longer
 * listed are marked deleted; each only after DescribeImages by digest confirms it now.
 *
 * Resumable: rerun with the same runId after a crash anywhere; what was queued is not queued again,
 * and tag writes and deletions are idempotent.
 */
export async function backfillImages(request: BackfillRequest, deps: BackfillDeps): Promise<BackfillReport> {
  const byRepository: RepositoryBackfill[] = [];
  for await (const repository of deps.catalog.repositories()) byRepository.push(await backfillRepository(repository, request, deps));
  const totals = Object.fromEntries(COUNT_KEYS.map((key) => [key, byRepository.reduce((sum, entry) => sum + entry[key], 0)])) as Counts;
  return {
    runId: request.runId,
    dryRun: request.dryRun === true,
    reconcile: request.reconcile,
    scannerVersion: deps.scannerVersion,
    skip: request.skip ?? 'scanned-by-this-version',
    ...(request.pushedAfter ? { pushedAfter: request.pushedAfter.toISOString() } : {}),
    repositories: byRepository.length,
    ...totals,
    failed: byRepository.filter((entry) => entry.error !== undefined).length,
    byRepository,
  };
}

async function backfillRepository(repository: RepositoryKey, request: BackfillRequest, deps: BackfillDeps): Promise<RepositoryBackfill> {
  const counts = Object.fromEntries(COUNT_KEYS.map((key) => [key, 0])) as Counts;
  const where = { account: repository.account, region: repository.region, repository: repository.repository };
  try {
    const states = new Map((await deps.states.imagesOf(repository)).map((state) => [state.digest, state]));
    const listed = new Set<Digest>();
    let batch: ListedImage[] = [];
    const batchSize = deps.options?.batchSize ?? 100;
    for await (const image of deps.catalog.images(repository)) {
      if (listed.has(image.digest)) continue;
      listed.add(image.digest);
      batch.push(image);
      if (batch.length >= batchSize) {
        await handleBatch(repository, batch, states, request, deps, counts);
        batch = [];
      }
    }
    if (batch.length > 0) await handleBatch(repository, batch, states, request, deps, counts);
    if (request.reconcile) await markGone(repository, [...states.values()].filter((state) => !state.deletedAt && !listed.has(state.digest)), request, deps, counts);
    return { ...where, ...counts };
  } catch (error) {
    return { ...where, ...counts, error: messageOf(error).slice(0, 500) };
  }
}

async function handleBatch(repository: RepositoryKey, batch: readonly ListedImage[], states: ReadonlyMap<Digest, ImageState>, request: BackfillRequest, deps: BackfillDeps, counts: Counts): Promise<void> {
  const concurrency = deps.options?.concurrency ?? 8;
  counts.images += batch.length;
  const due: ListedImage[] = [];
  const decided = await mapLimit(batch, concurrency, async (image) => {
    const state = liveState(states.get(image.digest));
    if (!state) counts.withoutState++;
    if (request.pushedAfter && image.pushedAt && image.pushedAt < request.pushedAfter) return 'old' as const;
    return state ? scanOf(state, request.skip ?? 'scanned-by-this-version', deps) : ('due' as const);
  });
  batch.forEach((image, index) => {
    if (decided[index] === 'old') counts.olderThanBound++;
    else if (decided[index] === 'scanned') counts.alreadyScanned++;
    else if (decided[index] === 'older') counts.leftToReindex++;
    else due.push(image);
  });
  if (request.reconcile) await mapLimit(batch, concurrency, (image) => reconcileTags(repository, image, states.get(image.digest), request, deps, counts));
  if (due.length > 0) await enqueue(repository, due, request, deps, counts);
}

/** An image with state here: scanned by this version, only by an older one (left to the re-index when `skip` allows), or due. */
async function scanOf(state: ImageState, skip: BackfillSkip, deps: BackfillDeps): Promise<'scanned' | 'older' | 'due'> {
  const result = await deps.results.get(state.digest);
  if (result?.scannerVersion === deps.scannerVersion) return 'scanned';
  // An index has no result of its own (its platform manifests do): its claim says it is done.
  if (await deps.completions.done({ digest: state.digest, scannerVersion: deps.scannerVersion })) return 'scanned';
  if (skip === 'scanned-by-this-version') return 'due';
  // A committed result of any version, or an index a scan has linked to its children (which the
  // re-index rescans by their own digests), is not a lost event.
  return result !== undefined || state.children.length > 0 ? 'older' : 'due';
}

async function enqueue(repository: RepositoryKey, due: readonly ListedImage[], request: BackfillRequest, deps: BackfillDeps, counts: Counts): Promise<void> {
  if (request.dryRun) {
    counts.queued += due.length;
    return;
  }
  const now = deps.clock.now();
  const taken = new Set(await deps.marks.claim(request.runId, repository, due.map((image) => image.digest), now));
  const requests = due.filter((image) => taken.has(image.digest)).map((image) => scanRequestFor(repository, image, now));
  counts.alreadyQueued += due.length - requests.length;
  if (requests.length === 0) return;
  await deps.queue.send(request.runId, requests);
  await deps.marks.sent(request.runId, repository, requests.map((scan) => scan.digest));
  counts.queued += requests.length;
}

/** What a push event of the image would have asked: the scanner re-reads the registry before it acts. */
export function scanRequestFor(repository: RepositoryKey, image: ListedImage, now: Date): ScanRequest {
  const tag = [...image.tags].filter((name) => !isQuarantineMarker(name)).sort()[0];
  return { ...repository, digest: image.digest, ...(tag !== undefined ? { tag } : {}), pushedAt: image.pushedAt ?? now, kind: 'push' };
}

/** The tags to add and remove to make the image state show what the registry shows; quarantine markers are never state. */
export function tagDifference(registryTags: readonly string[], stateTags: readonly string[]): { readonly add: readonly string[]; readonly remove: readonly string[] } {
  const shown = new Set(registryTags.filter((tag) => !isQuarantineMarker(tag)));
  const held = new Set(stateTags.filter((tag) => !isQuarantineMarker(tag)));
  return { add: [...shown].filter((tag) => !held.has(tag)).sort(), remove: [...held].filter((tag) => !shown.has(tag)).sort() };
}

async function reconcileTags(repository: RepositoryKey, image: ListedImage, stored: ImageState | undefined, request: BackfillRequest, deps: BackfillDeps, counts: Counts): Promise<void> {
  const state = liveState(stored);
  const listedDiff = tagDifference(image.tags, state?.tags ?? []);
  if (listedDiff.add.length === 0 && listedDiff.remove.length === 0) return;
  // The listing may be minutes old: events since may have moved tags. Decide on what ECR says now.
  const key: ImageKey = { ...repository, digest: image.digest };
  const now = await deps.registry.describe(repository, image.digest);
  if (!now.exists) {
    if (state) await markDeleted(key, request, deps, counts);
    return;
  }
  const { add, remove } = tagDifference(now.tags, state?.tags ?? []);
  const at = deps.clock.now();
  counts.tagsAdded += add.length;
  counts.tagsRemoved += remove.length;
  if (request.dryRun) return;
  const pushedAt = now.pushedAt ?? image.pushedAt ?? stored?.pushedAt ?? at;
  for (const tag of add) await deps.images.recordPush({ ...key, tag, pushedAt, kind: stored?.kind ?? 'push' }, at);
  for (const tag of remove) await deps.images.removeTag(key, tag, at);
}

async function markGone(repository: RepositoryKey, unlisted: readonly ImageState[], request: BackfillRequest, deps: BackfillDeps, counts: Counts): Promise<void> {
  await mapLimit(unlisted, deps.options?.concurrency ?? 8, async (state) => {
    // Not listed is a hint, as a DELETE event is: only DescribeImages by digest says it is gone.
    const now = await deps.registry.describe(repository, state.digest);
    if (!now.exists) await markDeleted({ ...repository, digest: state.digest }, request, deps, counts);
  });
}

async function markDeleted(key: ImageKey, request: BackfillRequest, deps: BackfillDeps, counts: Counts): Promise<void> {
  counts.deletedMarked++;
  if (!request.dryRun) await deps.images.markDeleted(key, deps.clock.now());
}

function liveState(state: ImageState | undefined): ImageState | undefined {
  return state && !state.deletedAt ? state : undefined;
}
