import type { Digest } from '../digest.ts';
import type { ImageKey, RepositoryEntry, RepositoryKey, ScanRecord } from '../pipeline/model.ts';
import type { Clock, ImageStateStore, PolicySource, RegistryCatalog, RegistryImageReader, RepositoryCatalogue, ScanResultStore } from '../ports.ts';
import type { VerdictListing, VerdictSummary } from '../review-ports.ts';
import { mapLimit } from '../util/map-limit.ts';
import { checkDeletedImages } from './check-deleted-images.ts';
import { dueReasons, mayHaveReachedEndOfLife, reachedEndOfLife, type ReviewReason } from './daily-review-due.ts';
import type { EnforcementOutcome, EnforceRequest } from './enforce-verdicts.ts';
import type { EvaluationRun } from './evaluate-images.ts';

export interface DailyReviewRequest {
  /** Images handed to one evaluation run (one repository's at a time, so alerts group per repository). Default 200. */
  readonly batchSize?: number;
  /** Evaluation runs in flight. Default 2. */
  readonly concurrency?: number;
  /** Repositories listed and checked at once. Default 4. */
  readonly repositoryConcurrency?: number;
  /** Ask the registry about images it may no longer have. Default true. */
  readonly checkDeleted?: boolean;
}

export interface DailyReviewDeps {
  readonly catalogue: RepositoryCatalogue;
  readonly verdicts: VerdictListing;
  readonly images: Pick<ImageStateStore, 'get' | 'markDeleted'>;
  /** Committed scans, for the distribution release a platform runs (end of life). */
  readonly results: Pick<ScanResultStore, 'get'>;
  readonly policies: PolicySource;
  readonly registry: RegistryImageReader;
  /** The registry's listing of a repository, to ask about only the digests it no longer shows. */
  readonly listing?: Pick<RegistryCatalog, 'images'>;
  /** evaluateImages bound to its dependencies: judges, stores the verdicts and announces what changed. */
  readonly evaluate: (keys: readonly ImageKey[]) => Promise<EvaluationRun>;
  /** enforceVerdicts bound to its dependencies; absent in audit-only deployments. */
  readonly enforce?: (requests: readonly EnforceRequest[]) => Promise<readonly EnforcementOutcome[]>;
  readonly clock: Clock;
}

export interface DailyReviewReport {
  readonly repositories: number;
  readonly verdictsRead: number;
  /** Images due, by reason (an image due for several reasons counts under each). */
  readonly due: Readonly<Record<ReviewReason, number>>;
  /** Images handed to evaluation (due and not deleted). */
  readonly reevaluated: number;
  /** Judged images whose verdict value is not what was announced before (PASS → FAIL, FAIL → PASS…). */
  readonly changed: number;
  /** Judged images for which an alert was decided (or republished). */
  readonly announced: number;
  /** Messages and events handed to the publishers. */
  readonly alerts: number;
  readonly events: number;
  /** Evaluation outcomes left for later (`busy`, `pending-scan`) or found gone meanwhile. */
  readonly unsettled: { readonly busy: number; readonly pendingScan: number; readonly gone: number };
  readonly quarantined: number;
  /** Images the registry was asked about, and those marked deleted now. */
  readonly deletedCheck: { readonly asked: number; readonly marked: readonly ImageKey[] };
  /** The keys evaluated, for logs and tests. */
  readonly keys: readonly ImageKey[];
}

const DEFAULTS = { batchSize: 200, concurrency: 2, repositoryConcurrency: 4 };
/** Scan and state reads in flight per repository (end of life, deletion). */
const READ_CONCURRENCY = 16;

/**
 * The daily pass: applies ignore-entry expiry, policy changes and end-of-life dates to every stored
 * verdict without matching again. Each repository in the catalogue → its verdicts' plain attributes
 * (one Query of its partition, no document read, no table scan) → the ones due (see ReviewReason)
 * → evaluateImages in batches (it stores verdicts and announces only what changed) → enforceVerdicts
 * as a rescan. Images the registry no longer has are marked deleted first and not judged.
 *
 * Every step is idempotent: a rerun after a crash finds what is still due (a verdict rewritten with
 * the current policy and a later reviewAt is not) and evaluateImages republishes any alert left
 * pending. Throws what the ports throw.
 */
export async function reviewVerdicts(request: DailyReviewRequest, deps: DailyReviewDeps): Promise<DailyReviewReport> {
  const { batchSize, concurrency, repositoryConcurrency } = { ...DEFAULTS, ...definedOf(request) };
  const now = deps.clock.now();
  const [repositories, catalogue] = await Promise.all([deps.catalogue.list(), deps.policies.current()]);
  const due: Record<ReviewReason, number> = { policy: 0, review: 0, pending: 0, 'end-of-life': 0 };
  const scans = new Map<Digest, Promise<ScanRecord | undefined>>();
  const scanOf = (digest: Digest) => {
    if (!scans.has(digest)) scans.set(digest, deps.results.get(digest));
    return scans.get(digest)!;
  };
  let verdictsRead = 0;
  let asked = 0;
  const marked: ImageKey[] = [];
  const perRepository = await mapLimit(repositories, repositoryConcurrency, async (entry) => {
    const repository = repositoryKeyOf(entry);
    const summaries = await deps.verdicts.listRepository(repository);
    verdictsRead += summaries.length;
    const keys = summaries.map((summary) => summary.key);
    const deleted = request.checkDeleted === false ? undefined : await checkDeletedImages(repository, keys, deps);
    if (deleted) {
      asked += deleted.asked;
      marked.push(...deleted.marked);
    }
    const version = catalogue.policyFor(repository.repository).version;
    const decided = await mapLimit(summaries, READ_CONCURRENCY, async (summary) => {
      const reasons = dueReasons(summary, version, now);
      if (mayHaveReachedEndOfLife(summary.evaluatedAt, now) && (await endOfLifeReached(summary, now, deps, scanOf))) reasons.push('end-of-life');
      if (reasons.length === 0) return undefined;
      for (const reason of reasons) due[reason]++;
      // A deleted image keeps its old verdict; it is no longer judged.
      if (deleted ? deleted.gone.has(summary.key.digest) : await isGone(summary.key, deps)) return undefined;
      return summary.key;
    });
    const chosen = decided.filter((key) => key !== undefined);
    return chosen;
  });
  const batches = perRepository.flatMap((keys) => chunks(keys, batchSize));
  const runs = await mapLimit(batches, concurrency, async (keys) => {
    const run = await deps.evaluate(keys);
    const failing = run.images.flatMap((image) => (image.outcome === 'judged' && image.verdict === 'FAIL' ? [{ key: image.key, trigger: 'rescan' as const }] : []));
    const enforced = deps.enforce && failing.length > 0 ? await deps.enforce(failing) : [];
    return { run, enforced };
  });
  const images = runs.flatMap(({ run }) => run.images);
  const judged = images.flatMap((image) => (image.outcome === 'judged' ? [image] : []));
  return {
    repositories: repositories.length,
    verdictsRead,
    due,
    reevaluated: images.length,
    changed: judged.filter((image) => image.previous !== undefined && image.previous !== image.verdict).length,
    announced: judged.filter((image) => image.announced !== undefined).length,
    alerts: runs.reduce((sum, { run }) => sum + run.published.alerts, 0),
    events: runs.reduce((sum, { run }) => sum + run.published.events, 0),
    unsettled: {
      busy: images.filter((image) => image.outcome === 'busy').length,
      pendingScan: images.filter((image) => image.outcome === 'pending-scan').length,
      gone: images.filter((image) => image.outcome === 'gone').length,
    },
    quarantined: runs.reduce((sum, { enforced }) => sum + enforced.filter((outcome) => outcome.action === 'quarantined').length, 0),
    deletedCheck: { asked, marked: marked.sort(compareKeys) },
    keys: batches.flat(),
  };
}

/**
 * Whether a platform of the image reached its distribution's end of life since the verdict: the
 * image's own scan, or for an index (no scan of its own) its children's. A platform with no
 * committed scan yet is judged by that scan's own evaluation.
 */
async function endOfLifeReached(summary: VerdictSummary, now: Date, deps: DailyReviewDeps, scanOf: (digest: Digest) => Promise<ScanRecord | undefined>): Promise<boolean> {
  const own = await scanOf(summary.key.digest);
  const platforms = own ? [own] : await Promise.all(((await deps.images.get(summary.key))?.children ?? []).map(scanOf));
  return platforms.some((scan) => scan?.distro !== undefined && reachedEndOfLife(scan.distro, summary.evaluatedAt, now));
}

async function isGone(key: ImageKey, deps: DailyReviewDeps): Promise<boolean> {
  const state = await deps.images.get(key);
  return !state || state.deletedAt !== undefined;
}

function repositoryKeyOf(entry: RepositoryEntry): RepositoryKey {
  return { account: entry.account, region: entry.region, repository: entry.repository };
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size));
  return out;
}

function compareKeys(a: ImageKey, b: ImageKey): number {
  return `${a.account}#${a.region}#${a.repository}#${a.digest}`.localeCompare(`${b.account}#${b.region}#${b.repository}#${b.digest}`);
}

function definedOf(request: DailyReviewRequest): Partial<typeof DEFAULTS> {
  return Object.fromEntries(Object.entries({ batchSize: request.batchSize, concurrency: request.concurrency, repositoryConcurrency: request.repositoryConcurrency }).filter(([, value]) => value !== undefined));
}
