import { decideAnnouncement, type EvaluationCause } from '../alerts/alert-decision.ts';
import type { AlertEventType, CustomsEvent, ImageAlert, OutgoingAlert } from '../alerts/alert-model.ts';
import { buildImageAlert } from '../alerts/build-image-alert.ts';
import { planDelivery } from '../alerts/plan-delivery.ts';
import { verdictEvents } from '../alerts/verdict-events.ts';
import type { Digest } from '../digest.ts';
import { computeVerdict, policyNeedsSbom, type VerdictPlatformInput } from '../pipeline/compute-verdict.ts';
import type { ImageKey, ImageState, ScanRecord } from '../pipeline/model.ts';
import type { AnnouncedVerdict, Verdict, VerdictValue } from '../pipeline/verdict-model.ts';
import { canonicalJson } from '../policy/canonical-json.ts';
import type { PolicyCatalogue, RepositoryPolicy } from '../policy/repository-policy.ts';
import type {
  AlertPublisher,
  Clock,
  EventPublisher,
  ImageStateStore,
  PendingAnnouncement,
  PolicySource,
  SbomStore,
  ScanResultStore,
  StoredVerdict,
  VerdictStore,
  VerdictWrite,
} from '../ports.ts';
import { mapLimit } from '../util/map-limit.ts';

export interface EvaluateImagesOptions {
  /** Per-image messages to email subscribers per repository and advisory in one run; the rest go to machines only. */
  readonly emailImageCap: number;
  /** The repository's identifier in events (an ECR repository ARN on AWS). */
  readonly repositoryId: (key: ImageKey) => string;
  /**
   * A pending alert younger than this is taken to be another evaluation's, still publishing; older,
   * its writer is taken to have died and it is published again (same alertId). Default 20 s, below
   * the queue's first retry delay, so a retry after a failed publish republishes.
   */
  readonly pendingGraceMs?: number;
  /** Images judged at once (reads in flight). Default 8. */
  readonly concurrency?: number;
}

export interface EvaluateImagesDeps {
  readonly images: Pick<ImageStateStore, 'get'>;
  readonly results: Pick<ScanResultStore, 'get' | 'findings'>;
  readonly sboms: Pick<SbomStore, 'get'>;
  readonly verdicts: VerdictStore;
  readonly policies: PolicySource;
  readonly alerts: AlertPublisher;
  /** Absent when events are turned off. */
  readonly events?: EventPublisher;
  readonly clock: Clock;
  readonly options: EvaluateImagesOptions;
}

/** What one image came to. `busy` and `pending-scan` leave the image for a later evaluation. */
export type ImageEvaluation =
  | { readonly key: ImageKey; readonly outcome: 'gone' }
  /** A platform manifest it needs has no committed scan yet; that scan's own evaluation judges it. */
  | { readonly key: ImageKey; readonly outcome: 'pending-scan'; readonly missing: readonly Digest[] }
  /** Another evaluation is publishing a different change for it right now. */
  | { readonly key: ImageKey; readonly outcome: 'busy' }
  | {
      readonly key: ImageKey;
      readonly outcome: 'judged';
      readonly verdict: VerdictValue;
      readonly previous?: VerdictValue;
      readonly policyVersion: string;
      /** The alert this evaluation decided (or re-published after a crash), if any. */
      readonly announced?: { readonly eventType: AlertEventType; readonly alertId: string };
      readonly decision: AlertEventType | 'silent' | 'none';
    };

/** What varies per call rather than per cold start. */
export interface EvaluateCall {
  /**
   * `scan` (the default): the images were just scanned (a push). `rescan`: their findings changed
   * because advisories did, so a FAIL gaining failing IDs (or PASS → FAIL) is NEW_FINDINGS and one
   * losing them (or FAIL → PASS) is RESOLVED.
   */
  readonly cause?: EvaluationCause;
}

export interface EvaluationRun {
  readonly images: readonly ImageEvaluation[];
  /** Messages handed to the alert publisher (image and group alerts), and events to the event publisher. */
  readonly published: { readonly alerts: number; readonly events: number };
}

const DEFAULT_GRACE_MS = 20_000;
const MAX_WRITE_ATTEMPTS = 4;

export class VerdictBusyError extends Error {
  override readonly name = 'VerdictBusyError';
}

/**
 * Judges images by their repositories' policies from the committed scans (no image is read), stores
 * each verdict, and announces what changed, once: a change and its alert are written together
 * (the outbox), then every alert of the run is published (grouped per repository and advisory, email
 * capped), then confirmed. A crash between any two steps leaves the alert pending and the next
 * evaluation of the image republishes it under the same alertId; SNS and EventBridge deliver at
 * least once anyway, so subscribers de-duplicate on alertId. A duplicate event, a retry or a second
 * tag finds nothing new and announces nothing.
 *
 * Throws what the stores and publishers throw (retry the whole run: it converges); when an image is
 * busy, the run still publishes the others and reports it.
 */
export async function evaluateImages(keys: readonly ImageKey[], deps: EvaluateImagesDeps, call: EvaluateCall = {}): Promise<EvaluationRun> {
  const catalogue = await deps.policies.current();
  const unique = distinctKeys(keys);
  // First what earlier runs decided and did not confirm (their writer died or their publish failed):
  // published as one run again, so a storm's grouping holds on recovery too.
  const stored = await deps.verdicts.getMany(unique);
  const stale = stalePending(stored, deps);
  const recovered = await publish(stale, deps);
  const toPublish: PendingAnnouncement[] = [];
  const judged = await mapLimit(unique, deps.options.concurrency ?? 8, async (key, index) => {
    // What was read above is still what is stored unless a pending alert was just confirmed (or another writer got in: the put says).
    const known = stored[index]?.pending && stale.includes(stored[index].pending) ? undefined : { value: stored[index] };
    const outcome = await evaluateOne(key, catalogue, deps, call.cause ?? 'scan', known);
    if (outcome.publish) toPublish.push(outcome.publish);
    return outcome.evaluation;
  });
  const published = await publish(toPublish, deps);
  return { images: judged, published: { alerts: recovered.alerts + published.alerts, events: recovered.events + published.events } };
}

function stalePending(stored: readonly (StoredVerdict | undefined)[], deps: EvaluateImagesDeps): PendingAnnouncement[] {
  const grace = deps.options.pendingGraceMs ?? DEFAULT_GRACE_MS;
  const now = deps.clock.now().getTime();
  return stored.flatMap((entry) => (entry?.pending && now - entry.pending.createdAt.getTime() >= grace ? [entry.pending] : []));
}

interface OneOutcome {
  readonly evaluation: ImageEvaluation;
  readonly publish?: PendingAnnouncement;
}

async function evaluateOne(key: ImageKey, catalogue: PolicyCatalogue, deps: EvaluateImagesDeps, cause: EvaluationCause, known?: { value: StoredVerdict | undefined }): Promise<OneOutcome> {
  const state = await deps.images.get(key);
  if (!state || state.deletedAt) return { evaluation: { key, outcome: 'gone' } };
  const policy = catalogue.policyFor(key.repository);
  const scans = await scansOf(state, deps);
  if ('missing' in scans) return { evaluation: { key, outcome: 'pending-scan', missing: scans.missing } };
  const kind = state.children.length > 0 ? 'index' : 'image';
  const now = deps.clock.now();
  // An untagged platform manifest is reported through its index, and an untagged digest once it is tagged.
  const announceable = state.tags.length > 0 || kind === 'index';
  // A repeated push of an image judged already, by this policy, from these scans: nothing can have changed.
  const current = known?.value;
  if (current && !current.pending && (current.announced || !announceable) && isCurrent(current.verdict, policy, scans.records, now)) {
    return { evaluation: judgedEvaluation(key, current.verdict, { kind: 'done', decision: 'none', ...(current.announced ? { previous: current.announced.verdict } : {}) }) };
  }
  const platforms = await platformInputs(scans.records, policyNeedsSbom(policy), deps);
  const verdict = computeVerdict({ key, tags: state.tags, kind, platforms }, policy, now);

  for (let attempt = 1; ; attempt++) {
    const stored = attempt === 1 && known ? known.value : await deps.verdicts.get(key);
    const step = decide(stored, verdict, { key, state, kind, announceable, now, cause }, deps);
    if (step.kind === 'busy') return { evaluation: { key, outcome: 'busy' } };
    if (step.kind === 'done' || (await deps.verdicts.put(key, step.write, stored?.revision))) {
      return { evaluation: judgedEvaluation(key, verdict, step), ...(step.publish ? { publish: step.publish } : {}) };
    }
    // Another evaluation wrote first: read its verdict and decide again against it.
    if (attempt >= MAX_WRITE_ATTEMPTS) throw new VerdictBusyError(`verdict of ${key.repository}@${key.digest} kept changing under ${MAX_WRITE_ATTEMPTS} attempts`);
  }
}

/**
 * Whether a stored verdict is still what judging would give: the same policy version, the same
 * committed scans, no ignore entry it relies on expired since, and no VEX statement about the image
 * itself (those can name tags, which change without a scan).
 */
function isCurrent(verdict: Verdict, policy: RepositoryPolicy, scans: readonly ScanRecord[], now: Date): boolean {
  if (verdict.policyVersion !== policy.version) return false;
  if (verdict.reviewAt && now.getTime() > verdict.reviewAt.getTime()) return false;
  if (policy.vex.some((statement) => statement.products.some((product) => product.purl?.type === 'oci'))) return false;
  const scannedAt = new Map(verdict.platforms.map((platform) => [platform.digest, platform.scannedAt.getTime()]));
  return scannedAt.size === scans.length && scans.every((scan) => scannedAt.get(scan.digest) === scan.finishedAt.getTime());
}

interface StepContext {
  readonly key: ImageKey;
  readonly state: ImageState;
  readonly kind: 'image' | 'index';
  readonly announceable: boolean;
  readonly now: Date;
  readonly cause: EvaluationCause;
}

type Decision = AlertEventType | 'silent' | 'none';

type Step =
  | { readonly kind: 'busy' }
  | { readonly kind: 'done'; readonly decision: Decision; readonly previous?: VerdictValue; readonly publish?: undefined }
  | { readonly kind: 'write'; readonly decision: Decision; readonly previous?: VerdictValue; readonly write: VerdictWrite; readonly publish?: PendingAnnouncement };

/** The decision for one image against what is stored: nothing, a silent write, a write with its alert, or wait. */
function decide(stored: StoredVerdict | undefined, verdict: Verdict, context: StepContext, deps: EvaluateImagesDeps): Step {
  const pending = stored?.pending;
  // What subscribers have been (or are being) told is the baseline a change is measured against.
  const baseline = pending?.announced ?? stored?.announced;
  const decision = decideAnnouncement({ verdict, ...(baseline ? { announced: baseline } : {}), announceable: context.announceable, cause: context.cause });
  const previous = baseline?.verdict;
  const known = previous ? { previous } : {};
  // Another evaluation is publishing: the same change is its to announce; a different one waits for it.
  if (pending) return decision === 'none' ? { kind: 'done', decision, ...known } : { kind: 'busy' };
  const announced = stored?.announced ? { announced: stored.announced } : {};
  // Kept up to date, never announced: what subscribers were told stays as it was, so the image is
  // announced as new once it is tagged.
  if (!context.announceable) {
    if (stored && sameVerdict(stored.verdict, verdict)) return { kind: 'done', decision: 'none', ...known };
    return { kind: 'write', decision: 'silent', ...known, write: { verdict, ...announced } };
  }
  if (decision === 'none') {
    if (stored && sameVerdict(stored.verdict, verdict)) return { kind: 'done', decision, ...known };
    // Details changed (a LOW finding, a platform's scan time) with nothing to announce: keep them current.
    return { kind: 'write', decision, ...known, write: { verdict, ...announced } };
  }
  const marker: AnnouncedVerdict = { verdict: verdict.verdict, failingIds: verdict.failingIds, policyVersion: verdict.policyVersion, at: context.now };
  if (decision === 'silent') return { kind: 'write', decision, ...known, write: { verdict, announced: marker } };
  const alert = buildImageAlert({ eventType: decision, key: context.key, tags: context.state.tags, kind: context.kind, verdict, ...(baseline ? { announced: baseline } : {}), time: context.now });
  const next: PendingAnnouncement = {
    alert,
    events: verdictEvents(alert, verdict, deps.options.repositoryId(context.key)),
    announced: { ...marker, alertId: alert.alertId },
    createdAt: context.now,
  };
  return { kind: 'write', decision, ...known, write: { verdict, ...announced, pending: next }, publish: next };
}

function judgedEvaluation(key: ImageKey, verdict: Verdict, step: Exclude<Step, { readonly kind: 'busy' }>): ImageEvaluation {
  return {
    key,
    outcome: 'judged',
    verdict: verdict.verdict,
    ...(step.previous ? { previous: step.previous } : {}),
    policyVersion: verdict.policyVersion,
    decision: step.decision,
    ...(step.publish ? { announced: { eventType: step.publish.alert.eventType, alertId: step.publish.alert.alertId } } : {}),
  };
}

/** The committed scans of the image's platform manifests (its own digest, or an index's children). */
async function scansOf(state: ImageState, deps: EvaluateImagesDeps): Promise<{ records: ScanRecord[] } | { missing: Digest[] }> {
  const digests = state.children.length > 0 ? state.children : [state.digest];
  const scans = await Promise.all(digests.map((digest) => deps.results.get(digest)));
  const missing = digests.filter((_, index) => scans[index] === undefined);
  return missing.length > 0 ? { missing } : { records: scans as ScanRecord[] };
}

/** Each scan's stored findings and, when the policy needs it, its SBOM. */
async function platformInputs(scans: readonly ScanRecord[], needsSbom: boolean, deps: EvaluateImagesDeps): Promise<VerdictPlatformInput[]> {
  return Promise.all(
    scans.map(async (scan) => {
      const findings = scan.findingCount > 0 ? await deps.results.findings(scan.digest) : [];
      const sbom = needsSbom && scan.sbom && findings.length > 0 ? await deps.sboms.get(scan.sbom) : undefined;
      return { scan, findings, ...(sbom ? { sbom } : {}) };
    }),
  );
}

/**
 * Publishes the run's alerts (grouped and capped for people), then their events, then confirms each.
 * A failure leaves them pending for the next evaluation to republish.
 */
async function publish(pending: readonly PendingAnnouncement[], deps: EvaluateImagesDeps): Promise<EvaluationRun['published']> {
  if (pending.length === 0) return { alerts: 0, events: 0 };
  const ordered = [...pending].sort((a, b) => a.alert.alertId.localeCompare(b.alert.alertId));
  const outgoing: OutgoingAlert[] = planDelivery(
    ordered.map((entry) => entry.alert),
    { emailImageCap: deps.options.emailImageCap, time: deps.clock.now() },
  );
  await deps.alerts.publish(outgoing);
  const events: CustomsEvent[] = ordered.flatMap((entry) => entry.events);
  if (deps.events && events.length > 0) await deps.events.publish(events);
  await mapLimit(ordered, 8, (entry) => deps.verdicts.confirm(keyOf(entry.alert), entry.alert.alertId));
  return { alerts: outgoing.length, events: deps.events ? events.length : 0 };
}

function keyOf(alert: ImageAlert): ImageKey {
  return { account: alert.repository.account, region: alert.repository.region, repository: alert.repository.name, digest: alert.image.digest };
}

/** Equal but for when it was computed, whatever order the fields were read back in. */
function sameVerdict(a: Verdict, b: Verdict): boolean {
  const { evaluatedAt: _a, ...restA } = a;
  const { evaluatedAt: _b, ...restB } = b;
  // Through JSON first, so dates compare as their ISO text.
  return canonicalJson(JSON.parse(JSON.stringify(restA))) === canonicalJson(JSON.parse(JSON.stringify(restB)));
}

function distinctKeys(keys: readonly ImageKey[]): ImageKey[] {
  const seen = new Map<string, ImageKey>();
  for (const key of keys) seen.set(`${key.account}\0${key.region}\0${key.repository}\0${key.digest}`, key);
  return [...seen.values()];
}
